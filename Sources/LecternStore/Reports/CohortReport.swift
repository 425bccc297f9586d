import LecternSQLite

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
    let db: Connection

    public init(_ db: Connection) {
        self.db = db
    }

    public enum Measure: String, Sendable, CaseIterable {
        /// Any interaction.
        case activity
        /// A purchase.
        case purchase
    }

    static let cohorts = """
        SELECT strftime('%Y-%m', created_at, 'unixepoch'), count(*) FROM users
        WHERE (?1 IS NULL OR created_at >= ?1) AND (?2 IS NULL OR created_at < ?2) AND (?3 IS NULL OR channel = ?3)
          AND anonymous = 0 AND (?4 IS NULL OR id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?4))
        GROUP BY 1 ORDER BY 1
        """
    /// Distinct learners per (cohort, months since signup) with a qualifying event.
    static let activity = """
        SELECT strftime('%Y-%m', u.created_at, 'unixepoch') AS cohort,
               (CAST(strftime('%Y', i.occurred_at, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', i.occurred_at, 'unixepoch') AS INTEGER))
             - (CAST(strftime('%Y', u.created_at, 'unixepoch') AS INTEGER) * 12 + CAST(strftime('%m', u.created_at, 'unixepoch') AS INTEGER)) AS offset,
               count(DISTINCT u.id)
        FROM users u JOIN interactions i ON i.user_id = u.id
        WHERE (?1 IS NULL OR u.created_at >= ?1) AND (?2 IS NULL OR u.created_at < ?2) AND (?3 IS NULL OR u.channel = ?3)
          AND (?4 = 'activity' OR i.kind = 'purchase') AND u.anonymous = 0 AND (?5 IS NULL OR u.id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?5))
        GROUP BY cohort, offset HAVING offset >= 0 ORDER BY cohort, offset
        """

    /// Each signup month's learners and how many were active (or bought) in each month since.
    /// `filter.since`/`until` select learners by signup time.
    public func cohorts(_ filter: ReportFilter, measure: Measure) throws -> [CohortRow] {
        try withStoreErrors {
            var rows = try db.query(Self.cohorts, [filter.since, filter.until, filter.channel, filter.segment]) {
                CohortRow(cohort: $0.text(0), learners: $0.int(1), active: [])
            }
            var index: [String: Int] = [:]
            for (position, row) in rows.enumerated() { index[row.cohort] = position }
            let counts = try db.query(Self.activity, [filter.since, filter.until, filter.channel, measure.rawValue, filter.segment]) {
                ($0.text(0), $0.int(1), $0.int(2))
            }
            for (cohort, offset, learners) in counts {
                guard let at = index[cohort] else { continue }
                while rows[at].active.count <= offset { rows[at].active.append(0) }
                rows[at].active[offset] = learners
            }
            return rows
        }
    }
}
