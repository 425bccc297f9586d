/// What a learner did with a course: the kinds the store records and the generator writes.
public enum InteractionKind: String, Sendable, Codable, CaseIterable {
    case view, wishlist, enroll, purchase, complete, rate, refund
    /// "Not for me": the course leaves the learner's lists until they view, wishlist, enroll in or
    /// buy it later. May carry a `DismissReason`.
    case dismiss

    /// Whether the kind carries a value: the rating (1-5) of a `rate`, the amount of a `purchase`
    /// or a `refund`.
    public var carriesValue: Bool { self == .rate || self == .purchase || self == .refund }

    /// Whether a later event of this kind lifts a dismissal: the learner came back to the course.
    public var liftsDismissal: Bool { self == .view || self == .wishlist || self == .enroll || self == .purchase }
}

/// Why a learner dismissed a course (`lectern record dismiss --reason`).
public enum DismissReason: String, Sendable, Codable, CaseIterable {
    case notRelevant = "not-relevant"
    case tooBasic = "too-basic"
    case tooAdvanced = "too-advanced"
    case alreadyKnow = "already-know"
    case tooExpensive = "too-expensive"
    case other

    /// The names, for messages: "not-relevant, too-basic, ...".
    public static let names = allCases.map(\.rawValue).joined(separator: ", ")
}
