import LecternSQLite

/// One learner segment's size, money and progress.
public struct SegmentRow: Sendable, Equatable {
    public var segment: String
    public var learners: Int
    /// Learners with at least one purchase in the period.
    public var paying: Int
    public var netMinor: Int64
    /// Distinct learner-course completions over distinct learner-course purchases (nil without purchases).
    public var completionRate: Double?
    /// The strongest dimensions of the segment's centroid, as stored by `segments build`.
    public var profile: String
    public var netPerLearnerMinor: Int64 { learners > 0 ? (netMinor + Int64(learners) / 2) / Int64(learners) : 0 }
}

/// What each segment from `lectern segments build` is worth and how it learns.
public struct SegmentReport {
    let db: Connection

    public init(_ db: Connection) {
        self.db = db
    }

    static let rows = """
        SELECT s.name, s.learners, s.profile,
               (SELECT count(DISTINCT i.user_id) FROM user_segments us JOIN interactions i ON i.user_id = us.user_id
                 WHERE us.segment_id = s.id AND i.kind = 'purchase'
                   AND (?1 IS NULL OR i.occurred_at >= ?1) AND (?2 IS NULL OR i.occurred_at < ?2)),
               (SELECT coalesce(sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END), 0)
                  FROM user_segments us JOIN interactions i ON i.user_id = us.user_id
                 WHERE us.segment_id = s.id AND i.kind IN ('purchase', 'refund')
                   AND (?1 IS NULL OR i.occurred_at >= ?1) AND (?2 IS NULL OR i.occurred_at < ?2)),
               (SELECT count(*) FROM (SELECT DISTINCT i.user_id, i.course_id FROM user_segments us
                  JOIN interactions i ON i.user_id = us.user_id WHERE us.segment_id = s.id AND i.kind = 'purchase'
                   AND (?1 IS NULL OR i.occurred_at >= ?1) AND (?2 IS NULL OR i.occurred_at < ?2))),
               (SELECT count(*) FROM (SELECT DISTINCT i.user_id, i.course_id FROM user_segments us
                  JOIN interactions i ON i.user_id = us.user_id WHERE us.segment_id = s.id AND i.kind = 'complete'
                   AND (?1 IS NULL OR i.occurred_at >= ?1) AND (?2 IS NULL OR i.occurred_at < ?2)
                   AND EXISTS (SELECT 1 FROM interactions p WHERE p.user_id = i.user_id AND p.course_id = i.course_id
                               AND p.kind = 'purchase')))
        FROM segments s WHERE (?3 IS NULL OR s.name = ?3)
        ORDER BY s.learners DESC, s.name
        """

    /// Every segment (or the filter's one), with money and completions in the filter's period.
    public func rows(_ filter: ReportFilter) throws -> [SegmentRow] {
        try withStoreErrors {
            try db.query(Self.rows, [filter.since, filter.until, filter.segment]) { s in
                let bought = s.int(5)
                return SegmentRow(segment: s.text(0), learners: s.int(1), paying: s.int(3), netMinor: s.int64(4),
                                  completionRate: bought > 0 ? Double(s.int(6)) / Double(bought) : nil, profile: s.text(2))
            }
        }
    }
}
