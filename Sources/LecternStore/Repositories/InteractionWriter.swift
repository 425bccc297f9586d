internal import LecternSQLite

/// Inserts interactions through prepared statements; shared by `record` and bulk import.
///
/// The caller owns the transaction. Duplicate idempotency keys are skipped, not errors.
///
/// The rules are written once; where an import spends its time (finding a stored event, reading
/// the refund state, inserting), SQLite runs statements this writer keeps prepared and binds
/// field by field, and PostgreSQL runs the same statements through the `Executor`.
final class InteractionWriter {
    private let db: Executor
    /// SQLite's prepared statements; nil on PostgreSQL.
    private let statements: SQLiteStatements?

    private final class SQLiteStatements {
        let connection: Connection
        let insert: Statement
        let refundState: Statement
        /// `sameEventQuery` for each kind (and with any value), prepared when first needed.
        var sameEvent: [String: Statement] = [:]

        init(_ connection: Connection) throws {
            self.connection = connection
            insert = try connection.cachedStatement(InteractionWriter.insert)
            refundState = try connection.cachedStatement(InteractionWriter.refundState.sqliteText)
        }
    }

    static let insert = """
        INSERT INTO interactions (user_id, course_id, kind, value, channel, occurred_at, idempotency_key, reason)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
        """
    /// Purchases and refunds so far of one course by one learner, and the last amount paid.
    static let refundState = EngineSQL(sqlite: """
        SELECT sum(kind = 'purchase'), sum(kind = 'refund'),
               (SELECT value FROM interactions WHERE user_id = ?1 AND course_id = ?2 AND kind = 'purchase'
                ORDER BY occurred_at DESC, id DESC LIMIT 1)
        FROM interactions WHERE user_id = ?1 AND course_id = ?2 AND kind IN ('purchase', 'refund')
        """, postgres: """
        SELECT sum((kind = 'purchase')::int), sum((kind = 'refund')::int),
               (SELECT value FROM interactions WHERE user_id = ?1 AND course_id = ?2 AND kind = 'purchase'
                ORDER BY occurred_at DESC, id DESC LIMIT 1)
        FROM interactions WHERE user_id = ?1 AND course_id = ?2 AND kind IN ('purchase', 'refund')
        """)

    static let keyExists = "SELECT 1 FROM interactions WHERE idempotency_key = ?"
    /// An event's natural identity: learner, course, kind, time and value (any value for a refund whose
    /// amount is not given). A seek in `interactions_by_user`.
    ///
    /// The kind is written into the SQL, one statement per kind, and no parameter stands alone in the
    /// WHERE clause. A bound `kind = ?` next to the partial index `interactions_dismissals` (WHERE kind =
    /// 'dismiss', migration 16) makes SQLite's plan depend on the parameter's value, so every new binding
    /// expired the statement and `sqlite3_step` compiled it again: once per imported row, which took a
    /// 1M-row import from 7 s to 25 s until it was found (gdb: one `sqlite3Reprepare` per row).
    /// PostgreSQL's `IS NOT DISTINCT FROM` is SQLite's `IS` (equal, or both NULL).
    static func sameEventQuery(kind: Interaction.Kind, anyValue: Bool) -> EngineSQL {
        let head = """
            SELECT id, idempotency_key FROM interactions
            WHERE user_id = ?1 AND course_id = ?2 AND kind = '\(kind.rawValue)' AND occurred_at = ?3
            """
        return EngineSQL(sqlite: head + (anyValue ? "" : " AND value IS ?4") + "\nORDER BY id LIMIT 1",
                         postgres: head + (anyValue ? "" : " AND value IS NOT DISTINCT FROM ?4") + "\nORDER BY id LIMIT 1")
    }

    /// A dismissal of the same course by the same learner with no view, wishlist, enrollment or
    /// purchase between it and time ?3: dismissing again says nothing new.
    static let standingDismissal = EngineSQL(sqlite: """
        SELECT d.id FROM interactions d
        WHERE d.user_id = ?1 AND d.course_id = ?2 AND d.kind = 'dismiss'
          AND NOT EXISTS (SELECT 1 FROM interactions p
                          WHERE p.user_id = ?1 AND p.course_id = ?2 AND p.kind IN ('view', 'wishlist', 'enroll', 'purchase')
                            AND p.occurred_at > min(d.occurred_at, ?3) AND p.occurred_at <= max(d.occurred_at, ?3))
        ORDER BY d.id LIMIT 1
        """, postgres: """
        SELECT d.id FROM interactions d
        WHERE d.user_id = ?1 AND d.course_id = ?2 AND d.kind = 'dismiss'
          AND NOT EXISTS (SELECT 1 FROM interactions p
                          WHERE p.user_id = ?1 AND p.course_id = ?2 AND p.kind IN ('view', 'wishlist', 'enroll', 'purchase')
                            AND p.occurred_at > least(d.occurred_at, ?3) AND p.occurred_at <= greatest(d.occurred_at, ?3))
        ORDER BY d.id LIMIT 1
        """)

    /// Whether learner ?1's organisation licenses course ?2: such a purchase costs the member nothing.
    static let licensedToMember = """
        SELECT EXISTS (SELECT 1 FROM org_members m JOIN org_licences l ON l.org_id = m.org_id JOIN courses c ON c.id = ?2
                       WHERE m.user_id = ?1 AND (l.course_id = c.id OR l.domain = c.domain))
        """

    /// How many times SQLite compiled this writer's statements again: 0 on a steady import (see
    /// `sameEventQuery`); a test keeps it so.
    var reprepares: Int32 {
        guard let statements else { return 0 }
        return ([statements.insert, statements.refundState] + Array(statements.sameEvent.values)).map(\.reprepareCount).reduce(0, +)
    }

    convenience init(_ db: Connection) throws {
        try self.init(Executor.sqlite(db))
    }

    init(_ db: Executor) throws {
        self.db = db
        if case .sqlite(let connection) = db {
            statements = try SQLiteStatements(connection)
        } else {
            statements = nil
        }
    }

    /// The event already stored with `interaction`'s natural identity, if any.
    private func storedEvent(like interaction: Interaction, anyValue: Bool = false) throws -> RecordOutcome? {
        let sql = Self.sameEventQuery(kind: interaction.kind, anyValue: anyValue)
        guard let statements else {
            let arguments: [any SQLBindable] = anyValue ? [interaction.userID, interaction.courseID, interaction.occurredAt]
                : [interaction.userID, interaction.courseID, interaction.occurredAt, interaction.value]
            let found = try db.first(sql, arguments) { ($0.int64(0), $0.optionalText(1)) }
            guard let (id, storedKey) = found else { return nil }
            if let key = interaction.idempotencyKey, storedKey == key { return .duplicate(key: key) }
            return .sameEvent(id: id)
        }
        let key = "\(interaction.kind.rawValue)\(anyValue ? "*" : "")"
        let s: Statement
        if let prepared = statements.sameEvent[key] {
            s = prepared
        } else {
            // Kept here, not in the connection's cache: it must not be evicted on the hot path.
            s = try statements.connection.makeStatement(sql.sqliteText)
            statements.sameEvent[key] = s
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
            let licensed = try db.scalarInt(Self.licensedToMember, [interaction.userID, interaction.courseID]) == 1
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
        guard let statements else {
            // A PostgreSQL sequence gives out an id even to a row ON CONFLICT drops: a known key is
            // looked up first, so ids run on as SQLite's do (a race may still leave a gap).
            if let key = interaction.idempotencyKey, try db.exists(Self.keyExists, [key]) { return .duplicate(key: key) }
            let id = try db.insert(Self.insert, [interaction.userID, interaction.courseID, interaction.kind.rawValue, interaction.value,
                                                 interaction.channel.flatMap { $0.isEmpty ? nil : $0 }, interaction.occurredAt,
                                                 interaction.idempotencyKey, interaction.reason?.rawValue])
            if db.changes == 0, let key = interaction.idempotencyKey { return .duplicate(key: key) }
            return .recorded(id: id)
        }
        let s = statements.insert
        try s.bind(1, interaction.userID)
        try s.bind(2, interaction.courseID)
        try s.bind(3, static: interaction.kind.staticName)
        if let value = interaction.value { try s.bind(4, value) } else { try s.bindNull(4) }
        if let channel = interaction.channel, !channel.isEmpty { try s.bind(5, channel) } else { try s.bindNull(5) }
        try s.bind(6, interaction.occurredAt)
        if let key = interaction.idempotencyKey { try s.bind(7, key) } else { try s.bindNull(7) }
        if let reason = interaction.reason { try s.bind(8, reason.rawValue) } else { try s.bindNull(8) }
        try s.execute()
        if statements.connection.changes == 0, let key = interaction.idempotencyKey { return .duplicate(key: key) }
        return .recorded(id: statements.connection.lastInsertRowID)
    }

    /// The id of a dismissal that `interaction` (a dismiss) would only repeat, if any.
    private func standingDismissal(like interaction: Interaction) throws -> Int64? {
        try db.first(Self.standingDismissal, [interaction.userID, interaction.courseID, interaction.occurredAt]) {
            $0.int64(0)
        }
    }

    private func prepareRefund(_ interaction: inout Interaction) throws {
        let state: (purchases: Int64, refunds: Int64, lastPaid: Int64?)?
        if let statements {
            let refundState = statements.refundState
            try refundState.bind(1, interaction.userID)
            try refundState.bind(2, interaction.courseID)
            defer { refundState.reset() }
            state = try refundState.step() ? (refundState.int64(0), refundState.int64(1), refundState.optionalInt64(2)) : nil
        } else {
            state = try db.first(Self.refundState, [interaction.userID, interaction.courseID]) {
                ($0.int64(0), $0.int64(1), $0.optionalInt64(2))
            }
        }
        guard let (purchases, refunds, lastPaid) = state else { return }
        guard purchases > 0 else {
            throw StoreError.conflict("a refund needs a purchase of the same course by the same learner")
        }
        // A retried refund with a known key is a duplicate, not a second refund.
        if refunds >= purchases {
            let retried = try interaction.idempotencyKey.map {
                try db.exists(Self.keyExists, [$0])
            } ?? false
            if !retried { throw StoreError.conflict("the purchase was already refunded") }
        }
        if interaction.value == nil { interaction.value = lastPaid }
    }
}
