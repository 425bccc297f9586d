/// An event as a client states it: `lectern record`'s options or a body of `POST /v1/interactions`.
public struct EventInput: Sendable, Equatable {
    /// The learner's external id.
    public var user: String
    /// The course's slug or id.
    public var course: String
    /// The kind's name, checked against `Interaction.Kind`.
    public var kind: String
    /// The rating, for `rate`.
    public var rating: Int64?
    /// The amount in minor units, for `purchase` and `refund`.
    public var amountMinor: Int64?
    /// When it happened (a time `Timestamp.parse` reads); now when nil.
    public var at: String?
    public var channel: String?
    public var idempotencyKey: String?
    /// Why, for a `dismiss`: a `DismissReason` name.
    public var reason: String?

    public init(user: String, course: String, kind: String, rating: Int64? = nil, amountMinor: Int64? = nil,
                at: String? = nil, channel: String? = nil, idempotencyKey: String? = nil, reason: String? = nil) {
        self.user = user
        self.course = course
        self.kind = kind
        self.rating = rating
        self.amountMinor = amountMinor
        self.at = at
        self.channel = channel
        self.idempotencyKey = idempotencyKey
        self.reason = reason
    }
}

/// An event that passed the rules that need no database, ready for `ActivityService.record`.
public struct CheckedEvent: Sendable, Equatable {
    public var user: String
    public var course: String
    public var kind: Interaction.Kind
    /// The rating or the amount.
    public var value: Int64?
    public var occurredAt: Int64
    public var channel: String?
    public var idempotencyKey: String?
    public var reason: Interaction.Reason?
}

/// The one place the rules for recording what learners do live: which kinds exist, which carry a
/// rating or an amount, times, idempotency keys, and then (in `InteractionWriter`) prices, refunds
/// and repeated events. `lectern record` and the HTTP API call it; `lectern import` writes through
/// the same `InteractionWriter`.
public struct ActivityService {
    let db: Database

    public init(_ db: Database) {
        self.db = db
    }

    /// How a client names the fields, so a message points at what the person typed.
    public struct FieldNames: Sendable {
        public var rating: String
        public var amount: String
        public var at: String
        public var reason: String

        public init(rating: String, amount: String, at: String, reason: String) {
            self.rating = rating
            self.amount = amount
            self.at = at
            self.reason = reason
        }

        /// A JSON body's names.
        public static let api = FieldNames(rating: "'rating'", amount: "'amount_minor'", at: "'at'", reason: "'reason'")
        /// `lectern record`'s options.
        public static let cli = FieldNames(rating: "--rating", amount: "--amount", at: "--at", reason: "--reason")
    }

    /// Checks the rules that need no database: the kind, which kinds carry a rating or an amount,
    /// the time, and the key's size.
    /// - Throws: `StoreError(.invalidInput)` naming the field as `fields` spells it.
    public static func check(_ input: EventInput, now: Int64, fields: FieldNames = .api) throws -> CheckedEvent {
        guard let kind = Interaction.Kind(rawValue: input.kind) else {
            let kinds = Interaction.Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw StoreError.invalid("kind must be one of \(kinds), got '\(input.kind)'")
        }
        if kind == .rate && input.rating == nil { throw StoreError.invalid("a rate event needs \(fields.rating) from 1 to 5") }
        if kind != .rate && input.rating != nil { throw StoreError.invalid("\(fields.rating) is only for rate events") }
        if input.amountMinor != nil && kind != .purchase && kind != .refund {
            throw StoreError.invalid("\(fields.amount) is only for purchase and refund events")
        }
        var reason: Interaction.Reason?
        if let name = input.reason {
            guard kind == .dismiss else { throw StoreError.invalid("\(fields.reason) is only for dismiss events") }
            guard let known = Interaction.Reason(rawValue: name) else {
                throw StoreError.invalid("\(fields.reason) must be one of \(Interaction.Reason.names), got '\(name)'")
            }
            reason = known
        }
        var at = now
        if let text = input.at {
            guard let time = Timestamp.parse(text) else {
                throw StoreError.invalid("\(fields.at) must be a time such as 2025-03-01T09:30:00Z or Unix seconds, \(Timestamp.rangeDescription), got '\(text)'")
            }
            at = time
        }
        if let key = input.idempotencyKey, key.unicodeScalars.count > Interaction.maxKeyBytes {
            throw StoreError.invalid("an idempotency key is at most \(Interaction.maxKeyBytes) characters")
        }
        return CheckedEvent(user: input.user, course: input.course, kind: kind, value: kind == .rate ? input.rating : input.amountMinor,
                            occurredAt: at, channel: input.channel, idempotencyKey: input.idempotencyKey, reason: reason)
    }

    /// Records one checked event for a learner and a course that exist.
    /// - Throws: `StoreError` for an unknown learner or course, a course not on sale, a rating
    ///   outside 1-5, a refund with no purchase to refund.
    public func record(_ event: CheckedEvent) throws -> RecordOutcome {
        try db.transaction(.immediate) { try write(event) }
    }

    /// Records checked events in one transaction: all of them, or none when one fails. A failure
    /// names the event's place in the list ("event 3: ...").
    public func record(_ events: [CheckedEvent]) throws -> [RecordOutcome] {
        try db.transaction(.immediate) {
            // On PostgreSQL every learner's lock is taken first, in one order (see `lockLearners`);
            // the learners found for it are kept, so no event looks its learner up twice.
            var known: [String: Learner] = [:]
            if events.count > 1, db.engine == .postgresql {
                let learners = LearnerRepository(db)
                for user in Set(events.map(\.user)) { known[user] = try? learners.resolve(user) }
                try InteractionRepository(db).lockLearners(known.values.map(\.id))
            }
            return try events.enumerated().map { index, event in
                do {
                    return try write(event, learner: known[event.user])
                } catch let error as StoreError {
                    throw StoreError(error.code, "event \(index): \(error.message)")
                }
            }
        }
    }

    private func write(_ event: CheckedEvent, learner known: Learner? = nil) throws -> RecordOutcome {
        let learner = try known ?? LearnerRepository(db).resolve(event.user)
        let course = try CourseRepository(db).resolve(event.course)
        return try InteractionRepository(db).record(Interaction(
            userID: learner.id, courseID: course.id, kind: event.kind, value: event.value, channel: event.channel,
            occurredAt: event.occurredAt, idempotencyKey: event.idempotencyKey, reason: event.reason))
    }
}
