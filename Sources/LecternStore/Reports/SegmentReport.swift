internal import LecternSQLite

/// One learner segment's size, money and progress.
public struct SegmentRow: Sendable, Equatable {
    public var segment: String
    public var learners: Int
    /// Learners with at least one purchase in the period.
    public var paying: Int
    /// Net revenue per currency, in currency order (none without purchases or refunds).
    public var net: [Money.Amount]
    /// Distinct learner-course completions over distinct learner-course purchases (nil without purchases).
    public var completionRate: Double?
    /// The strongest dimensions of the segment's centroid, as stored by `segments build`.
    public var profile: String
    /// Net revenue per learner of the segment in each currency, rounded to the nearest minor unit.
    public var netPerLearner: [Money.Amount] {
        net.map { Money.Amount(currency: $0.currency, minor: Money.divide($0.minor, by: Int64(learners))) }
    }
}

/// What each segment from `lectern segments build` is worth and how it learns.
public struct SegmentReport {
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

    /// On PostgreSQL each subquery in FROM is named.
    static let rows = EngineSQL(sqlite: """
        SELECT s.name, s.learners, s.profile,
               (SELECT count(DISTINCT i.user_id) FROM user_segments us JOIN interactions i ON i.user_id = us.user_id
                 WHERE us.segment_id = s.id AND i.kind = 'purchase'
                   AND (CAST(?1 AS BIGINT) IS NULL OR i.occurred_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR i.occurred_at < ?2)),
               (SELECT count(*) FROM (SELECT DISTINCT i.user_id, i.course_id FROM user_segments us
                  JOIN interactions i ON i.user_id = us.user_id WHERE us.segment_id = s.id AND i.kind = 'purchase'
                   AND (CAST(?1 AS BIGINT) IS NULL OR i.occurred_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR i.occurred_at < ?2))),
               (SELECT count(*) FROM (SELECT DISTINCT i.user_id, i.course_id FROM user_segments us
                  JOIN interactions i ON i.user_id = us.user_id WHERE us.segment_id = s.id AND i.kind = 'complete'
                   AND (CAST(?1 AS BIGINT) IS NULL OR i.occurred_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR i.occurred_at < ?2)
                   AND EXISTS (SELECT 1 FROM interactions p WHERE p.user_id = i.user_id AND p.course_id = i.course_id
                               AND p.kind = 'purchase')))
        FROM segments s WHERE (CAST(?3 AS TEXT) IS NULL OR s.name = ?3)
        ORDER BY s.learners DESC, s.name
        """, postgresReplacing: [
            "i.occurred_at < ?2))),": "i.occurred_at < ?2)) AS bought),",
            "p.kind = 'purchase')))": "p.kind = 'purchase')) AS completed)",
        ])
    /// Each segment's net revenue per currency.
    static let net = """
        SELECT s.name, c.currency, sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END)
        FROM segments s JOIN user_segments us ON us.segment_id = s.id JOIN interactions i ON i.user_id = us.user_id
        JOIN courses c ON c.id = i.course_id
        WHERE i.kind IN ('purchase', 'refund') AND (CAST(?1 AS BIGINT) IS NULL OR i.occurred_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR i.occurred_at < ?2)
          AND (CAST(?3 AS TEXT) IS NULL OR s.name = ?3)
        GROUP BY s.name, c.currency ORDER BY s.name, c.currency
        """

    /// Every segment (or the filter's one), with money per currency and completions in the filter's period.
    public func rows(_ filter: ReportFilter) throws -> [SegmentRow] {
        try withStoreErrors {
            var net: [String: [Money.Amount]] = [:]
            for (segment, amount) in try db.all(Self.net, [filter.since, filter.until, filter.segment], row: { s in
                (s.text(0), Money.Amount(currency: s.text(1), minor: s.int64(2)))
            }) { net[segment, default: []].append(amount) }
            return try db.all(Self.rows, [filter.since, filter.until, filter.segment]) { s in
                let bought = s.int(4)
                return SegmentRow(segment: s.text(0), learners: s.int(1), paying: s.int(3), net: net[s.text(0)] ?? [],
                                  completionRate: bought > 0 ? Double(s.int(5)) / Double(bought) : nil, profile: s.text(2))
            }
        }
    }
}
