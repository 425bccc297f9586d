/// What a learner did with a course: the kinds the store records and the generator writes.
public enum InteractionKind: String, Sendable, Codable, CaseIterable {
    case view, wishlist, enroll, purchase, complete, rate, refund

    /// Whether the kind carries a value: the rating (1-5) of a `rate`, the amount of a `purchase`
    /// or a `refund`.
    public var carriesValue: Bool { self == .rate || self == .purchase || self == .refund }
}
