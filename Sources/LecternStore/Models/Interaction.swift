import LecternCore

/// One thing a learner did with a course.
public struct Interaction: Sendable, Equatable, Codable {
    /// What the learner did (the kinds live in LecternCore, shared with the generator).
    public typealias Kind = InteractionKind
    /// Why a learner dismissed a course (LecternCore's `DismissReason`).
    public typealias Reason = DismissReason

    public var id: Int64
    public var userID: Int64
    public var courseID: Int64
    public var kind: Kind
    /// The rating (1-5) of a `rate`, the amount in minor units of a `purchase` or `refund`; else nil.
    public var value: Int64?
    /// Where the event came from (web, app, email, a partner...).
    public var channel: String?
    public var occurredAt: Int64
    /// Set by a client that may retry: an event with a key already stored is not recorded again.
    public var idempotencyKey: String?
    /// Why the learner dismissed the course, for a `dismiss`; nil otherwise (or not said).
    public var reason: Reason?

    public init(id: Int64 = 0, userID: Int64, courseID: Int64, kind: Kind, value: Int64? = nil,
                channel: String? = nil, occurredAt: Int64, idempotencyKey: String? = nil, reason: Reason? = nil) {
        self.id = id
        self.userID = userID
        self.courseID = courseID
        self.kind = kind
        self.value = value
        self.channel = channel
        self.occurredAt = occurredAt
        self.idempotencyKey = idempotencyKey
        self.reason = reason
    }

    /// Checks the rules the schema also enforces, with messages a person can act on.
    /// The longest idempotency key, in characters (code points, as JSON Schema's maxLength counts), at
    /// every entry point (CLI, import, HTTP).
    public static let maxKeyBytes = 200

    public func validate() throws {
        if let key = idempotencyKey, key.unicodeScalars.count > Self.maxKeyBytes {
            throw StoreError.invalid("an idempotency key is at most \(Self.maxKeyBytes) characters, got \(key.unicodeScalars.count)")
        }
        guard Timestamp.range.contains(occurredAt) else {
            throw StoreError.invalid("an event's time must be \(Timestamp.rangeDescription), got \(occurredAt)")
        }
        if reason != nil && kind != .dismiss {
            throw StoreError.invalid("a reason is only for dismiss events")
        }
        switch kind {
        case .rate:
            guard let value, (1...5).contains(value) else {
                throw StoreError.invalid("a rating must be between 1 and 5, got \(value.map(String.init) ?? "none")")
            }
        case .purchase, .refund:
            guard let value else { throw StoreError.invalid("a \(kind.rawValue) needs an amount") }
            guard value >= 0 else { throw StoreError.invalid("a \(kind.rawValue) amount cannot be negative, got \(value)") }
            guard value <= Money.maxMinor else {
                throw StoreError.invalid("a \(kind.rawValue) amount must be \(Money.maxDescription), got \(value) minor units")
            }
        default:
            if value != nil { throw StoreError.invalid("a \(kind.rawValue) carries no value") }
        }
    }
}

/// An interaction with the names a person reads: the learner's external id and the course slug.
public struct InteractionRecord: Sendable, Equatable {
    public var interaction: Interaction
    public var userExternalID: String
    public var courseSlug: String
}

/// Which interactions a listing shows; nil means no filter.
public struct InteractionFilter: Sendable, Equatable {
    public var userID: Int64?
    public var courseID: Int64?
    public var kind: Interaction.Kind?
    public var since: Int64?
    public var until: Int64?
    public var limit: Int?

    public init(userID: Int64? = nil, courseID: Int64? = nil, kind: Interaction.Kind? = nil,
                since: Int64? = nil, until: Int64? = nil, limit: Int? = nil) {
        self.userID = userID
        self.courseID = courseID
        self.kind = kind
        self.since = since
        self.until = until
        self.limit = limit
    }
}

extension InteractionKind {
    /// The name as a literal, for binding without a copy.
    var staticName: StaticString {
        switch self {
        case .view: "view"
        case .wishlist: "wishlist"
        case .enroll: "enroll"
        case .purchase: "purchase"
        case .complete: "complete"
        case .rate: "rate"
        case .refund: "refund"
        case .dismiss: "dismiss"
        }
    }
}
