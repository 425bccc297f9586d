internal import LecternSQLite
import LecternCore

/// One signup month and the share of its learners active (or buying) in each later month.
public struct CohortRow: Sendable, Equatable {
    /// `YYYY-MM` of signup.
    public var cohort: String
    public var learners: Int
    /// Learners active in month 0 (the signup month), 1, 2, ... up to the last month with data.
    public var active: [Int]

    public func share(_ offset: Int) -> Double? {
        guard offset < active.count, learners > 0 else { return nil }
        return Double(active[offset]) / Double(learners)
    }
}

/// Retention by signup month: a cohort triangle of activity or of repurchase.
public struct CohortReport {
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

    public enum Measure: String, Sendable, CaseIterable {
        /// Any interaction.
        case activity
        /// A purchase.
        case purchase
    }

    /// Signup months and their learners; on PostgreSQL the month is `to_char` of the UTC time.
    static let cohorts = EngineSQL(sqlite: """
        SELECT strftime('%Y-%m', created_at, 'unixepoch'), count(*) FROM users
        WHERE (CAST(?1 AS BIGINT) IS NULL OR created_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR created_at < ?2) AND (CAST(?3 AS TEXT) IS NULL OR channel = ?3)
          AND anonymous = 0 AND (CAST(?4 AS TEXT) IS NULL OR id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?4))
        GROUP BY 1 ORDER BY 1
        """, postgres: """
        SELECT to_char(to_timestamp(created_at) AT TIME ZONE 'UTC', 'YYYY-MM'), count(*) FROM users
        WHERE (CAST(?1 AS BIGINT) IS NULL OR created_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR created_at < ?2) AND (CAST(?3 AS TEXT) IS NULL OR channel = ?3)
          AND anonymous = 0 AND (CAST(?4 AS TEXT) IS NULL OR id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?4))
        GROUP BY 1 ORDER BY 1
        """)
    /// The learners `cohorts` counts, with their signup time.
    static let learners = """
        SELECT id, created_at FROM users
        WHERE (CAST(?1 AS BIGINT) IS NULL OR created_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR created_at < ?2) AND (CAST(?3 AS TEXT) IS NULL OR channel = ?3)
          AND anonymous = 0 AND (CAST(?4 AS TEXT) IS NULL OR id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?4))
        """
    /// Every (learner, month) with a qualifying event (?1: activity or purchase) among the interactions
    /// under the watermark, from the rollup.
    static let rolledUpMonths = """
        SELECT user_id, month FROM monthly_learner_activity WHERE CASE ?1 WHEN 'activity' THEN events > 0 ELSE purchases > 0 END
        """
    /// The qualifying events above the watermark (?2): a rowid range scan.
    static let newerEvents = EngineSQL(sqlite: """
        SELECT user_id, occurred_at FROM interactions NOT INDEXED WHERE id > ?2 AND (?1 = 'activity' OR kind = 'purchase')
        """, postgres: """
        SELECT user_id, occurred_at FROM interactions WHERE id > ?2 AND (?1 = 'activity' OR kind = 'purchase')
        """)

    /// Each signup month's learners and how many were active (or bought) in each month since.
    /// `filter.since`/`until` select learners by signup time.
    ///
    /// A learner counts once per month: the rollup has one row per (learner, month), and the events above
    /// its watermark add the (learner, month) pairs it does not hold yet.
    /// - Complexity: O(learners + rollup rows + events above the watermark).
    public func cohorts(_ filter: ReportFilter, measure: Measure) throws -> [CohortRow] {
        try withStoreErrors {
            try db.readSnapshot {
                var rows = try db.all(Self.cohorts, [filter.since, filter.until, filter.channel, filter.segment]) {
                    CohortRow(cohort: $0.text(0), learners: $0.int(1), active: [])
                }
                var index: [Int64: Int] = [:]
                for (position, row) in rows.enumerated() {
                    index[Self.month(ofCohort: row.cohort)] = position
                }
                // Each counted learner's signup month.
                var signup: [Int64: Int64] = [:]
                for (id, createdAt) in try db.all(Self.learners, [filter.since, filter.until, filter.channel, filter.segment], row: {
                    ($0.int64(0), $0.int64(1))
                }) {
                    signup[id] = Self.month(of: createdAt)
                }
                func count(_ user: Int64, _ month: Int64) {
                    guard let cohort = signup[user], let at = index[cohort] else { return }
                    let offset = Int(month - cohort)
                    guard offset >= 0 else { return }
                    while rows[at].active.count <= offset { rows[at].active.append(0) }
                    rows[at].active[offset] += 1
                }
                let watermark = try ReportRollups(db).watermark()
                var newer = Set<Pair>()
                try db.each(Self.newerEvents, [measure.rawValue, watermark]) { event in
                    guard signup[event.int64(0)] != nil else { return }
                    newer.insert(Pair(user: event.int64(0), month: Self.month(of: event.int64(1))))
                }
                try db.each(Self.rolledUpMonths, [measure.rawValue]) { row in
                    let pair = Pair(user: row.int64(0), month: row.int64(1))
                    if !newer.isEmpty { newer.remove(pair) }
                    count(pair.user, pair.month)
                }
                for pair in newer { count(pair.user, pair.month) }
                return rows
            }
        }
    }

    private struct Pair: Hashable {
        var user: Int64
        var month: Int64
    }

    /// Months since 1970-01 (UTC) of a time: (year - 1970) x 12 + month - 1.
    static func month(of seconds: Int64) -> Int64 {
        let (year, month, _) = UTCCalendar.civilDate(of: seconds)
        return Int64(year - 1970) * 12 + Int64(month - 1)
    }

    /// Months since 1970-01 of a `YYYY-MM` cohort.
    static func month(ofCohort cohort: String) -> Int64 {
        let parts = cohort.split(separator: "-")
        return Int64((Int(parts[0]) ?? 1970) - 1970) * 12 + Int64((Int(parts[1]) ?? 1) - 1)
    }
}
