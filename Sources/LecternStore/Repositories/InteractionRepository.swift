internal import LecternSQLite

/// What happened to an event handed to `record`.
public enum RecordOutcome: Sendable, Equatable {
    /// Stored under this id.
    case recorded(id: Int64)
    /// An event with the same idempotency key was stored before; nothing was written.
    case duplicate(key: String)
    /// The same event (learner, course, kind, time and value) was stored before as event `id`;
    /// nothing was written. This is how a file imported twice records nothing new.
    case sameEvent(id: Int64)
}

/// What learners do: views, wishlists, enrollments, purchases, completions, ratings, refunds, dismissals.
public struct InteractionRepository {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let columns = "i.id, i.user_id, i.course_id, i.kind, i.value, i.channel, i.occurred_at, i.idempotency_key, i.reason"
    static let countAll = "SELECT count(*) FROM interactions"
    static let countsByKind = "SELECT kind, count(*) FROM interactions GROUP BY kind ORDER BY count(*) DESC, kind"

    static func read(_ row: Row) throws -> Interaction {
        guard let kind = Interaction.Kind(rawValue: row.text(3)) else {
            throw StoreError.invalid("interaction \(row.int64(0)) has a kind this lectern does not know")
        }
        return Interaction(id: row.int64(0), userID: row.int64(1), courseID: row.int64(2), kind: kind,
                           value: row.optionalInt64(4), channel: row.optionalText(5), occurredAt: row.int64(6),
                           idempotencyKey: row.optionalText(7), reason: row.optionalText(8).flatMap(Interaction.Reason.init(rawValue:)))
    }

    /// Records one event for a learner and a course that exist.
    ///
    /// A purchase without an amount is charged the course price (nothing, for a member whose
    /// organisation licenses the course); a refund without one returns what was paid. Live purchases and enrollments need a published course.
    /// - Throws: `StoreError` for an unknown learner or course, a rating outside 1-5, a refund with
    ///   no purchase to refund.
    public func record(_ interaction: Interaction) throws -> RecordOutcome {
        guard let course = try CourseRepository(db).find(id: interaction.courseID) else {
            throw StoreError.notFound("no course with id \(interaction.courseID)")
        }
        guard try LearnerRepository(db).find(id: interaction.userID) != nil else {
            throw StoreError.notFound("no learner with id \(interaction.userID)")
        }
        if interaction.kind == .purchase || interaction.kind == .enroll, course.status != .published {
            // A conflict with the catalog's state, not a malformed event (HTTP 409).
            throw StoreError.conflict("course '\(course.slug)' is \(course.status.rawValue), not on sale")
        }
        return try withStoreErrors {
            try db.transaction(.immediate) {
                try db.lockLearners([interaction.userID])
                let writer = try InteractionWriter(db)
                return try writer.insert(interaction, coursePrice: course.priceMinor)
            }
        }
    }

    /// Inside a transaction, makes it the only writer of these learners' events until it ends (on
    /// PostgreSQL, where API nodes write at once; `record` takes its learner's lock itself). A batch
    /// takes all of its learners' locks first, in one order, so two batches never deadlock.
    public func lockLearners(_ ids: [Int64]) throws {
        try db.lockLearners(ids)
    }

    /// Interactions matching `filter`, newest first, with the learner's external id and course slug.
    public func list(_ filter: InteractionFilter = InteractionFilter()) throws -> [InteractionRecord] {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        if let userID = filter.userID { conditions.append("i.user_id = ?"); arguments.append(userID) }
        if let courseID = filter.courseID { conditions.append("i.course_id = ?"); arguments.append(courseID) }
        if let kind = filter.kind { conditions.append("i.kind = ?"); arguments.append(kind.rawValue) }
        if let since = filter.since { conditions.append("i.occurred_at >= ?"); arguments.append(since) }
        if let until = filter.until { conditions.append("i.occurred_at < ?"); arguments.append(until) }
        var sql = "SELECT \(Self.columns), u.external_id, c.slug FROM interactions i "
            + "JOIN users u ON u.id = i.user_id JOIN courses c ON c.id = i.course_id"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY i.occurred_at DESC, i.id DESC LIMIT ?"
        arguments.append(filter.limit ?? -1)
        return try db.all(sql, arguments, cached: false) { row in
            InteractionRecord(interaction: try Self.read(row), userExternalID: row.text(9), courseSlug: row.text(10))
        }
    }

    static let countOfUser = "SELECT count(*) FROM interactions WHERE user_id = ?"

    /// How many interactions one learner has.
    public func count(ofUser userID: Int64) throws -> Int {
        Int(try withStoreErrors { try db.scalarInt(Self.countOfUser, [userID]) } ?? 0)
    }

    /// How many interactions are stored.
    public func count() throws -> Int {
        Int(try db.scalarInt(Self.countAll) ?? 0)
    }

    /// How many interactions of each kind are stored, most frequent first.
    public func countsByKind() throws -> [(kind: String, count: Int)] {
        try db.all(Self.countsByKind) { ($0.text(0), $0.int(1)) }
    }
}

