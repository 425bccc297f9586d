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
    let db: Connection

    public init(_ db: Database) {
        self.db = db.connection
    }

    init(_ db: Connection) {
        self.db = db
    }

    static let columns = "i.id, i.user_id, i.course_id, i.kind, i.value, i.channel, i.occurred_at, i.idempotency_key, i.reason"
    static let countAll = "SELECT count(*) FROM interactions"
    static let countsByKind = "SELECT kind, count(*) FROM interactions GROUP BY kind ORDER BY count(*) DESC"

    static func read(_ row: Statement) throws -> Interaction {
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
                let writer = try InteractionWriter(db)
                return try writer.insert(interaction, coursePrice: course.priceMinor)
            }
        }
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
        let statement = try db.makeStatement(sql)
        try statement.bind(arguments)
        var records: [InteractionRecord] = []
        while try statement.step() {
            records.append(InteractionRecord(interaction: try Self.read(statement),
                                             userExternalID: statement.text(9), courseSlug: statement.text(10)))
        }
        return records
    }

    static let countOfUser = "SELECT count(*) FROM interactions WHERE user_id = ?"

    /// How many interactions one learner has.
    public func count(ofUser userID: Int64) throws -> Int {
        Int(try withStoreErrors { try db.cachedStatement(Self.countOfUser).scalarInt([userID]) } ?? 0)
    }

    /// How many interactions are stored.
    public func count() throws -> Int {
        Int(try db.cachedStatement(Self.countAll).scalarInt() ?? 0)
    }

    /// How many interactions of each kind are stored, most frequent first.
    public func countsByKind() throws -> [(kind: String, count: Int)] {
        try db.cachedStatement(Self.countsByKind).query { ($0.text(0), $0.int(1)) }
    }
}

/// Inserts interactions through prepared statements; shared by `record` and bulk import.
///
/// The caller owns the transaction. Duplicate idempotency keys are skipped, not errors.
final class InteractionWriter {
    private let db: Connection
    private let insertStatement: Statement
    private let refundState: Statement
    /// `sameEventQuery` for each kind (and with any value), prepared when first needed.
    private var sameEvent: [String: Statement] = [:]

    static let insert = """
        INSERT INTO interactions (user_id, course_id, kind, value, channel, occurred_at, idempotency_key, reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        """
    /// Purchases and refunds so far of one course by one learner, and the last amount paid.
    static let refundState = """
        SELECT sum(kind = 'purchase'), sum(kind = 'refund'),
               (SELECT value FROM interactions WHERE user_id = ?1 AND course_id = ?2 AND kind = 'purchase'
                ORDER BY occurred_at DESC, id DESC LIMIT 1)
        FROM interactions WHERE user_id = ?1 AND course_id = ?2 AND kind IN ('purchase', 'refund')
        """

    static let keyExists = "SELECT 1 FROM interactions WHERE idempotency_key = ?"
    /// An event's natural identity: learner, course, kind, time and value (any value for a refund whose
    /// amount is not given). A seek in `interactions_by_user`.
    ///
    /// The kind is written into the SQL, one statement per kind, and no parameter stands alone in the
    /// WHERE clause. A bound `kind = ?` next to the partial index `interactions_dismissals` (WHERE kind =
    /// 'dismiss', migration 16) makes SQLite's plan depend on the parameter's value, so every new binding
    /// expired the statement and `sqlite3_step` compiled it again: once per imported row, which took a
    /// 1M-row import from 7 s to 25 s until it was found (gdb: one `sqlite3Reprepare` per row).
    static func sameEventQuery(kind: Interaction.Kind, anyValue: Bool) -> String {
        """
        SELECT id, idempotency_key FROM interactions
        WHERE user_id = ?1 AND course_id = ?2 AND kind = '\(kind.rawValue)' AND occurred_at = ?3\(anyValue ? "" : " AND value IS ?4")
        ORDER BY id LIMIT 1
        """
    }

    /// A dismissal of the same course by the same learner with no view, wishlist, enrollment or
    /// purchase between it and time ?3: dismissing again says nothing new.
    static let standingDismissal = """
        SELECT d.id FROM interactions d
        WHERE d.user_id = ?1 AND d.course_id = ?2 AND d.kind = 'dismiss'
          AND NOT EXISTS (SELECT 1 FROM interactions p
                          WHERE p.user_id = ?1 AND p.course_id = ?2 AND p.kind IN ('view', 'wishlist', 'enroll', 'purchase')
                            AND p.occurred_at > min(d.occurred_at, ?3) AND p.occurred_at <= max(d.occurred_at, ?3))
        ORDER BY d.id LIMIT 1
        """

    /// Whether learner ?1's organisation licenses course ?2: such a purchase costs the member nothing.
    static let licensedToMember = """
        SELECT EXISTS (SELECT 1 FROM org_members m JOIN org_licences l ON l.org_id = m.org_id JOIN courses c ON c.id = ?2
                       WHERE m.user_id = ?1 AND (l.course_id = c.id OR l.domain = c.domain))
        """

    /// How many times SQLite compiled this writer's statements again: 0 on a steady import (see
    /// `sameEventQuery`); a test keeps it so.
    var reprepares: Int32 {
        ([insertStatement, refundState] + Array(sameEvent.values)).map(\.reprepareCount).reduce(0, +)
    }

    init(_ db: Connection) throws {
        self.db = db
        insertStatement = try db.cachedStatement(Self.insert)
        refundState = try db.cachedStatement(Self.refundState)
    }

    /// The event already stored with `interaction`'s natural identity, if any.
    private func storedEvent(like interaction: Interaction, anyValue: Bool = false) throws -> RecordOutcome? {
        let key = "\(interaction.kind.rawValue)\(anyValue ? "*" : "")"
        let s: Statement
        if let prepared = sameEvent[key] {
            s = prepared
        } else {
            // Kept here, not in the connection's cache: it must not be evicted on the hot path.
            s = try db.prepare(Self.sameEventQuery(kind: interaction.kind, anyValue: anyValue))
            sameEvent[key] = s
        }
        defer { s.reset() }
        try s.bind(1, interaction.userID)
        try s.bind(2, interaction.courseID)
        try s.bind(3, interaction.occurredAt)
        if !anyValue {
            if let value = interaction.value { try s.bind(4, value) } else { try s.bindNull(4) }
        }
        guard try s.step() else { return nil }
        if let key = interaction.idempotencyKey, !s.isNull(1), s.text(1) == key { return .duplicate(key: key) }
        return .sameEvent(id: s.int64(0))
    }

    /// Inserts one interaction; returns whether it was new.
    ///
    /// - Parameter coursePrice: charged when a purchase carries no amount.
    @discardableResult
    public func insert(_ interaction: Interaction, coursePrice: Int64?) throws -> RecordOutcome {
        var interaction = interaction
        if interaction.kind == .purchase, interaction.value == nil {
            // A member takes a course their organisation licenses at no charge: the seat paid for it.
            let licensed = try db.cachedStatement(Self.licensedToMember).scalarInt([interaction.userID, interaction.courseID]) == 1
            interaction.value = licensed ? 0 : coursePrice
        }
        // A refund recorded again must be recognised before it is refused as a second refund.
        if interaction.kind == .refund, let stored = try storedEvent(like: interaction, anyValue: interaction.value == nil) {
            return stored
        }
        if interaction.kind == .refund { try prepareRefund(&interaction) }
        try interaction.validate()
        if interaction.kind != .refund, let stored = try storedEvent(like: interaction) { return stored }
        if interaction.kind == .dismiss, let standing = try standingDismissal(like: interaction) { return .sameEvent(id: standing) }
        if let key = interaction.idempotencyKey, key.isEmpty { interaction.idempotencyKey = nil }
        let s = insertStatement
        try s.bind(1, interaction.userID)
        try s.bind(2, interaction.courseID)
        try s.bind(3, static: interaction.kind.staticName)
        if let value = interaction.value { try s.bind(4, value) } else { try s.bindNull(4) }
        if let channel = interaction.channel, !channel.isEmpty { try s.bind(5, channel) } else { try s.bindNull(5) }
        try s.bind(6, interaction.occurredAt)
        if let key = interaction.idempotencyKey { try s.bind(7, key) } else { try s.bindNull(7) }
        if let reason = interaction.reason { try s.bind(8, reason.rawValue) } else { try s.bindNull(8) }
        try s.execute()
        if db.changes == 0, let key = interaction.idempotencyKey { return .duplicate(key: key) }
        return .recorded(id: db.lastInsertRowID)
    }

    /// The id of a dismissal that `interaction` (a dismiss) would only repeat, if any.
    private func standingDismissal(like interaction: Interaction) throws -> Int64? {
        try db.cachedStatement(Self.standingDismissal).queryFirst([interaction.userID, interaction.courseID, interaction.occurredAt]) {
            $0.int64(0)
        }
    }

    private func prepareRefund(_ interaction: inout Interaction) throws {
        try refundState.bind(1, interaction.userID)
        try refundState.bind(2, interaction.courseID)
        defer { refundState.reset() }
        guard try refundState.step() else { return }
        let purchases = refundState.int64(0), refunds = refundState.int64(1)
        guard purchases > 0 else {
            throw StoreError.conflict("a refund needs a purchase of the same course by the same learner")
        }
        // A retried refund with a known key is a duplicate, not a second refund.
        if refunds >= purchases {
            let retried = try interaction.idempotencyKey.map {
                try db.cachedStatement(Self.keyExists).queryFirst([$0]) { _ in true } ?? false
            } ?? false
            if !retried { throw StoreError.conflict("the purchase was already refunded") }
        }
        if interaction.value == nil { interaction.value = refundState.optionalInt64(2) }
    }
}
