/// What a learner did with a course.
enum InteractionKind: UInt8, CaseIterable, Sendable {
    case view
    case wishlist
    case enroll
    case purchase
    case complete
    case rate
    case refund

    /// The name written to the files.
    var name: String {
        switch self {
        case .view: "view"
        case .wishlist: "wishlist"
        case .enroll: "enroll"
        case .purchase: "purchase"
        case .complete: "complete"
        case .rate: "rate"
        case .refund: "refund"
        }
    }

    /// Whether the kind carries a value: a rating, or an amount paid or returned.
    var hasValue: Bool {
        self == .rate || self == .purchase || self == .refund
    }
}
