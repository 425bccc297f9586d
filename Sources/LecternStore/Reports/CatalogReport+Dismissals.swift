import LecternCore
internal import LecternSQLite

/// A course learners said "not for me" to: how many, how many still mean it, and why.
public struct DismissedCourseRow: Sendable, Equatable {
    public var courseID: Int64
    public var slug: String
    public var domain: String
    /// Distinct learners who dismissed the course within the window, whether or not they came back
    /// to it later.
    public var dismissed = 0
    /// Of `dismissed`, the learners whose dismissal still held at the end of the window (now, without
    /// `until`): no view, wishlist, enrollment or purchase of the course after their latest dismissal
    /// in the window (README, "Not for me").
    public var holding = 0
    /// Distinct learners with any event on the course within the window, their dismissals included.
    public var touched = 0
    /// Learners by the reason of their latest dismissal in the window; one without a reason is under
    /// `unspecified`. They add up to `dismissed`.
    public var reasons: [DismissReason: Int] = [:]
    public var unspecified = 0

    /// `dismissed` / `touched`: the share of the learners who touched the course that dismissed it
    /// (nil only if nobody touched it, which a listed course never is).
    public var share: Double? { touched > 0 ? Double(dismissed) / Double(touched) : nil }

    public init(courseID: Int64, slug: String, domain: String) {
        self.courseID = courseID
        self.slug = slug
        self.domain = domain
    }
}

extension CatalogReport {
    /// Per course and reason: learners whose latest dismissal of the course in [?1, ?2) has that
    /// reason, and how many of those still held at ?2 (or now, when ?2 is NULL). The dismissals come
    /// from the partial index `interactions_dismissals` (dismissals only; a scan, since its first
    /// column is the course); whether one holds is a seek per dismissal in `interactions_by_user`
    /// (learner, course, kind, time), as the storefront query reads it.
    /// On PostgreSQL the index is the planner's choice, `held` is summed as an integer, the subquery
    /// is named and the course's slug and domain are grouped by too.
    static let dismissalsByReason = EngineSQL(sqlite: """
        SELECT course_id, slug, domain, reason, count(*), sum(held) FROM (
            SELECT d.course_id, c.slug, c.domain, d.reason,
                   NOT EXISTS (SELECT 1 FROM interactions p
                               WHERE p.user_id = d.user_id AND p.course_id = d.course_id
                                 AND p.kind IN ('view', 'wishlist', 'enroll', 'purchase')
                                 AND p.occurred_at > d.occurred_at AND (CAST(?2 AS BIGINT) IS NULL OR p.occurred_at < ?2)) AS held,
                   row_number() OVER (PARTITION BY d.course_id, d.user_id ORDER BY d.occurred_at DESC, d.id DESC) AS latest
            FROM interactions d INDEXED BY interactions_dismissals JOIN courses c ON c.id = d.course_id
            WHERE d.kind = 'dismiss' AND (CAST(?1 AS BIGINT) IS NULL OR d.occurred_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR d.occurred_at < ?2)
              AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4))
        WHERE latest = 1
        GROUP BY course_id, reason
        """, postgresReplacing: [
            "sum(held)": "sum(held::int)",
            "INDEXED BY interactions_dismissals JOIN": "JOIN",
            "c.creator_id = ?4))": "c.creator_id = ?4)) AS latest_dismissals",
            "GROUP BY course_id, reason": "GROUP BY course_id, slug, domain, reason",
        ])
    /// The distinct learners with any event on course ?1 in [?2, ?3): a range of
    /// `interactions_by_course`, and the learner of each event from its row.
    static let touchedCourse = """
        SELECT count(DISTINCT user_id) FROM interactions
        WHERE course_id = ?1 AND (CAST(?2 AS BIGINT) IS NULL OR occurred_at >= ?2) AND (CAST(?3 AS BIGINT) IS NULL OR occurred_at < ?3)
        """

    /// The `limit` courses the most learners dismissed within `filter`'s window (and domain and
    /// creator), most first; ties by learners still holding the dismissal, then by slug.
    /// - Complexity: O(d log d) for the d dismissals in the window, one seek each; then, for each
    ///   course listed, O(its events in the window) to count the learners who touched it.
    public func mostDismissed(_ filter: ReportFilter, limit: Int) throws -> [DismissedCourseRow] {
        try withStoreErrors {
            var byCourse: [Int64: DismissedCourseRow] = [:]
            let groups = try db.all(Self.dismissalsByReason, [filter.since, filter.until, filter.domain, filter.creatorID]) {
                (course: $0.int64(0), slug: $0.text(1), domain: $0.text(2), reason: $0.optionalText(3), learners: $0.int(4),
                 holding: $0.int(5))
            }
            for group in groups {
                var row = byCourse[group.course] ?? DismissedCourseRow(courseID: group.course, slug: group.slug, domain: group.domain)
                row.dismissed += group.learners
                row.holding += group.holding
                // The schema admits only DismissReason's names; NULL is a dismissal without a reason.
                if let reason = group.reason.flatMap(DismissReason.init(rawValue:)) {
                    row.reasons[reason, default: 0] += group.learners
                } else {
                    row.unspecified += group.learners
                }
                byCourse[group.course] = row
            }
            let ranked = byCourse.values.sorted { a, b in
                (a.dismissed, a.holding) != (b.dismissed, b.holding) ? (a.dismissed, a.holding) > (b.dismissed, b.holding) : a.slug < b.slug
            }
            return try ranked.prefix(max(0, limit)).map { row in
                var row = row
                row.touched = Int(try db.scalarInt(Self.touchedCourse, [row.courseID, filter.since, filter.until]) ?? 0)
                return row
            }
        }
    }
}
