internal import LecternSQLite

/// One learner's money in one currency and their progress: what a "best learners" table shows. The
/// learner is named by database id only; personal fields are filled in only when a caller asks for them.
public struct LearnerRow: Sendable, Equatable {
    public var userID: Int64
    public var channel: String
    public var campaign: String?
    /// Signup month, `2025-03`.
    public var cohort: String
    /// The currency of the purchases, refunds and net on this row.
    public var currency: String
    public var purchases: Int
    public var refunds: Int
    public var netMinor: Int64
    public var completed: Int
    /// Distinct domains bought in (refunded purchases excluded).
    public var domains: Int
    public var lastActive: Int64?
    /// Only filled by `personalData(for:)`.
    public var externalID: String?
    public var displayName: String?
    public var email: String?
}

/// The learners who spent most in a period, and their personal data for callers entitled to it.
public struct LearnerReport {
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

    /// Learners ranked on their money alone, within each currency, so the per-learner figures
    /// (completions, domains, last activity) are looked up for the `limit` listed per currency only,
    /// not for every paying learner.
    /// On PostgreSQL booleans are summed as integers and the signup month is `to_char` of the UTC time.
    static let top = EngineSQL(sqlite: """
        WITH money AS (
            SELECT i.user_id, c.currency,
                   sum(i.kind = 'purchase') AS purchases,
                   sum(i.kind = 'refund') AS refunds,
                   sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END) AS net
            FROM interactions i JOIN courses c ON c.id = i.course_id JOIN users u ON u.id = i.user_id
            WHERE i.kind IN ('purchase', 'refund')
              AND (CAST(?1 AS BIGINT) IS NULL OR i.occurred_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR i.occurred_at < ?2)
              AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4) AND (CAST(?5 AS TEXT) IS NULL OR u.channel = ?5)
              AND u.anonymous = 0 AND (CAST(?7 AS TEXT) IS NULL OR i.user_id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?7))
            GROUP BY i.user_id, c.currency
        ),
        ranked AS (
            SELECT user_id, currency, purchases, refunds, net,
                   row_number() OVER (PARTITION BY currency ORDER BY net DESC, purchases DESC, user_id) AS place
            FROM money
        )
        SELECT u.id, u.channel, u.campaign, strftime('%Y-%m', u.created_at, 'unixepoch'),
               m.purchases, m.refunds, m.net,
               (SELECT count(DISTINCT i.course_id) FROM interactions i WHERE i.user_id = u.id AND i.kind = 'complete'),
               (SELECT count(DISTINCT c.domain) FROM interactions i JOIN courses c ON c.id = i.course_id
                 WHERE i.user_id = u.id AND i.kind = 'purchase'
                   AND NOT EXISTS (SELECT 1 FROM interactions r WHERE r.user_id = i.user_id AND r.course_id = i.course_id
                                   AND r.kind = 'refund')),
               (SELECT max(occurred_at) FROM interactions i WHERE i.user_id = u.id),
               m.currency
        FROM ranked m JOIN users u ON u.id = m.user_id
        WHERE m.place <= ?6
        ORDER BY m.currency, m.place
        """, postgresReplacing: [
            "sum(i.kind = 'purchase') AS purchases": "sum((i.kind = 'purchase')::int) AS purchases",
            "sum(i.kind = 'refund') AS refunds": "sum((i.kind = 'refund')::int) AS refunds",
            "strftime('%Y-%m', u.created_at, 'unixepoch'),": "to_char(to_timestamp(u.created_at) AT TIME ZONE 'UTC', 'YYYY-MM'),",
        ])

    /// The `limit` learners with the highest net spend under `filter` in each currency (ties by
    /// purchases, then id), in currency order. A learner who paid in two currencies can appear in both
    /// rankings; their money is never added across currencies.
    /// - Complexity: O(money events log money events) to rank learners per currency, then the listed
    ///   learners' own events.
    public func top(_ filter: ReportFilter, limit: Int) throws -> [LearnerRow] {
        try withStoreErrors {
            try db.all(Self.top, [filter.since, filter.until, filter.domain, filter.creatorID, filter.channel, Int64(limit), filter.segment]) { s in
                LearnerRow(userID: s.int64(0), channel: s.text(1), campaign: s.optionalText(2), cohort: s.text(3),
                           currency: s.text(10), purchases: s.int(4), refunds: s.int(5), netMinor: s.int64(6), completed: s.int(7),
                           domains: s.int(8), lastActive: s.optionalInt64(9))
            }
        }
    }

    /// `rows` with external id, display name and e-mail filled in.
    public func personalData(for rows: [LearnerRow]) throws -> [LearnerRow] {
        try rows.map { row in
            var row = row
            try withStoreErrors {
                _ = try db.all("SELECT external_id, display_name, email FROM users WHERE id = ?", [row.userID]) { s in
                    row.externalID = s.text(0)
                    row.displayName = s.text(1)
                    row.email = s.optionalText(2)
                }
            }
            return row
        }
    }

    /// This database's secret pseudonym key (hex), made at random by migration 6.
    public func pseudonymKey() throws -> String {
        try withStoreErrors {
            guard let key = try db.first("SELECT value FROM settings WHERE name = 'pseudonym_key'", row: { $0.text(0) }) else {
                throw StoreError(.invalidInput, "this database has no pseudonym key; run `lectern db migrate`")
            }
            return key
        }
    }
}
