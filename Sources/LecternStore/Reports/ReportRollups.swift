internal import LecternSQLite

/// The rollups reports read instead of the raw events, and their watermark.
///
/// `daily_course_sales` (migration 10) holds the purchases and refunds of every UTC day and course, and
/// `monthly_learner_activity` each learner's events and purchases per UTC month, among the interactions
/// with id at or under the watermark. Interactions above it are read raw, with a rowid
/// range scan, so a report is exact between refreshes; triggers keep the rows under the watermark exact
/// when such an interaction is deleted (`forget`, `clean`, a deleted learner), changed, or inserted
/// again under a reused id.
///
/// On PostgreSQL a refresh first locks `interactions` against writers (`lockWriters`): ids come from
/// a sequence, so without it an insert still in flight could commit an id under the new watermark
/// after the fold had passed it by. SQLite's write lock does the same for its refresh.
public struct ReportRollups {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    init(_ db: Executor) {
        self.db = db
    }

    static let watermark = "SELECT through_interaction_id FROM rollup_state WHERE name = 'reports'"
    static let setWatermark = "UPDATE rollup_state SET through_interaction_id = ?1 WHERE name = 'reports'"
    static let newestInteraction = "SELECT coalesce(max(id), 0) FROM interactions"
    /// Folds the money events with id in (?1, ?2] into their (day, course) rows. The day is floored, so
    /// events before 1970 fall on the right day too.
    /// On PostgreSQL the day is `lectern_utc_day` (the same floor), a boolean is summed as an integer,
    /// and the updated row is named (a bare column would be ambiguous with `excluded`).
    static let fold = EngineSQL(sqlite: """
        INSERT INTO daily_course_sales (day, course_id, orders, gross_minor, refunds, refunded_minor)
        SELECT (occurred_at - ((occurred_at % 86400) + 86400) % 86400) / 86400 AS day, course_id,
               sum(kind = 'purchase'), sum(CASE kind WHEN 'purchase' THEN value ELSE 0 END),
               sum(kind = 'refund'), sum(CASE kind WHEN 'refund' THEN value ELSE 0 END)
        FROM interactions
        WHERE id > ?1 AND id <= ?2 AND kind IN ('purchase', 'refund')
        GROUP BY day, course_id
        ON CONFLICT (day, course_id) DO UPDATE SET
            orders = orders + excluded.orders, gross_minor = gross_minor + excluded.gross_minor,
            refunds = refunds + excluded.refunds, refunded_minor = refunded_minor + excluded.refunded_minor
        """, postgres: """
        INSERT INTO daily_course_sales AS s (day, course_id, orders, gross_minor, refunds, refunded_minor)
        SELECT lectern_utc_day(occurred_at) AS day, course_id,
               sum((kind = 'purchase')::int), sum(CASE kind WHEN 'purchase' THEN value ELSE 0 END),
               sum((kind = 'refund')::int), sum(CASE kind WHEN 'refund' THEN value ELSE 0 END)
        FROM interactions
        WHERE id > ?1 AND id <= ?2 AND kind IN ('purchase', 'refund')
        GROUP BY 1, course_id
        ON CONFLICT (day, course_id) DO UPDATE SET
            orders = s.orders + excluded.orders, gross_minor = s.gross_minor + excluded.gross_minor,
            refunds = s.refunds + excluded.refunds, refunded_minor = s.refunded_minor + excluded.refunded_minor
        """)

    /// Folds the events with id in (?1, ?2] into their (learner, month) rows.
    /// On PostgreSQL the month is `lectern_utc_month` (migration 10's, the same arithmetic).
    static let foldMonthly = EngineSQL(sqlite: """
        INSERT INTO monthly_learner_activity (user_id, month, events, purchases)
        SELECT user_id, (CAST(strftime('%Y', occurred_at, 'unixepoch') AS INTEGER) - 1970) * 12
                        + CAST(strftime('%m', occurred_at, 'unixepoch') AS INTEGER) - 1 AS month,
               count(*), sum(kind = 'purchase')
        FROM interactions
        WHERE id > ?1 AND id <= ?2
        GROUP BY user_id, month
        ON CONFLICT (user_id, month) DO UPDATE SET
            events = events + excluded.events, purchases = purchases + excluded.purchases
        """, postgres: """
        INSERT INTO monthly_learner_activity AS m (user_id, month, events, purchases)
        SELECT user_id, lectern_utc_month(occurred_at) AS month, count(*), sum((kind = 'purchase')::int)
        FROM interactions
        WHERE id > ?1 AND id <= ?2
        GROUP BY user_id, 2
        ON CONFLICT (user_id, month) DO UPDATE SET
            events = m.events + excluded.events, purchases = m.purchases + excluded.purchases
        """)
    /// PostgreSQL only: waits up to 5 s (then fails as busy, as SQLite's busy timeout does) for the
    /// transactions writing interactions, and keeps new writers and other refreshes out until commit.
    static let lockWriters = ["SET LOCAL lock_timeout = '5s'", "LOCK TABLE interactions IN SHARE ROW EXCLUSIVE MODE"]

    /// The newest interaction id the rollup holds; every event above it is read raw.
    public func watermark() throws -> Int64 {
        try withStoreErrors { try db.scalarInt(Self.watermark) ?? 0 }
    }

    /// How many interaction ids lie above the watermark (an upper bound on the events a report reads raw).
    public func staleInteractions() throws -> Int64 {
        try withStoreErrors {
            max(0, (try db.scalarInt(Self.newestInteraction) ?? 0) - (try db.scalarInt(Self.watermark) ?? 0))
        }
    }

    /// Interaction ids folded per transaction: the first refresh of a large database folds every event,
    /// and one transaction for all of them would hold the write lock for most of a minute at 20M events.
    public static let idsPerTransaction: Int64 = 500_000

    /// Folds the interactions above the watermark into the rollup and moves the watermark to the newest
    /// one, `idsPerTransaction` ids per transaction (each moves the watermark with what it folded, so
    /// the rollup is exact after every one, and writers in other processes get in between).
    /// - Returns: the ids folded in (0 when the rollup was current).
    /// - Complexity: O(new events log new events): rowid range scans, grouped, plus O(log rollup rows) per
    ///   (day, course) and (learner, month) touched.
    @discardableResult
    public func refresh(idsPerTransaction: Int64 = ReportRollups.idsPerTransaction) throws -> Int64 {
        try withStoreErrors {
            var folded: Int64 = 0
            while true {
                let step = try db.transaction(.immediate) { () -> Int64 in
                    if db.isPostgres { for sql in Self.lockWriters { try db.run(sql) } }
                    let from = try db.scalarInt(Self.watermark) ?? 0
                    let newest = try db.scalarInt(Self.newestInteraction) ?? 0
                    guard newest > from else { return 0 }
                    let through = min(newest, from + max(1, idsPerTransaction))
                    try db.run(Self.fold, [from, through])
                    try db.run(Self.foldMonthly, [from, through])
                    try db.run(Self.setWatermark, [through])
                    return through - from
                }
                guard step > 0 else { return folded }
                folded += step
            }
        }
    }

    /// Folds new interactions in when there are any; when another process holds the write lock it
    /// leaves the rollup as it is, which reports read exactly all the same (the newer events raw).
    public func refreshIfPossible() throws {
        do {
            if try staleInteractions() > 0 { try refresh() }
        } catch let error as StoreError where error.code == .busy {
            return
        }
    }

    /// Empties the rollup and builds it again from every interaction.
    /// - Complexity: O(interactions).
    public func rebuild() throws {
        try withStoreErrors {
            try db.transaction(.immediate) {
                try db.run("DELETE FROM daily_course_sales")
                try db.run("DELETE FROM monthly_learner_activity")
                try db.run(Self.setWatermark, [Int64(0)])
                try refresh()
            }
        }
    }
}
