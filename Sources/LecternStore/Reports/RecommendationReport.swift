import LecternCore
internal import LecternSQLite

/// How one algorithm's cached lists look: reach, catalog coverage, how evenly exposure spreads, and
/// its latest offline figures.
public struct RecommendationReportRow: Sendable, Equatable {
    public var algorithm: Algorithm
    public var runID: Int64
    public var finishedAt: Int64
    public var learners: Int
    public var rows: Int
    /// Distinct courses recommended / published courses.
    public var coverage: Double?
    /// Gini coefficient of recommendation counts over creators (0 = even, 1 = one creator gets all).
    public var creatorGini: Double?
    public var domainGini: Double?
    /// The newest stored offline evaluation at K = 10, if any.
    public var ndcgAt10: Double?
    public var precisionAt10: Double?
    /// Cached (learner, course) pairs of this run that the learner dismissed after the run's data and
    /// within the report's window (see `RecommendationReport.dismissedPairs`).
    public var dismissed = 0
    /// `dismissed` / `rows`: the share of served courses dismissed; nil when the run cached nothing.
    public var dismissRate: Double?
}

/// The state of the recommendation cache, per algorithm, and how often learners dismissed what it serves.
public struct RecommendationReport {
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

    static let active = """
        SELECT a.algorithm, r.id, r.finished_at, r.last_interaction_id
        FROM active_models a JOIN model_runs r ON r.id = a.run_id ORDER BY a.algorithm
        """
    static let published = "SELECT count(*) FROM courses WHERE status = 'published'"
    /// Every course with its creator and domain, so exposure can be summed per creator and domain.
    static let courses = "SELECT id, creator_id, domain FROM courses"
    static let creatorIDs = "SELECT id FROM creators"
    /// Run ?1's list rows in key order (learner by learner): one pass gives the learners with a list,
    /// the rows, and how often each course is listed. Four aggregates over the run (two of them with a
    /// temporary B-tree) took 58 s of CPU for the five runs of a 20M-event platform (8M rows each).
    static let listRows = "SELECT user_id, course_id FROM recommendations WHERE run_id = ?1"
    /// On PostgreSQL, whose rows arrive all at once rather than one step at a time, the server counts:
    /// run ?1's learners with a list, then its rows per course (both from the primary key's index).
    static let listedLearners = "SELECT count(DISTINCT user_id) FROM recommendations WHERE run_id = ?1"
    static let listedPerCourse = "SELECT course_id, count(*) FROM recommendations WHERE run_id = ?1 GROUP BY course_id"
    static let offline = """
        SELECT er.metric, er.value FROM evaluation_results er
        WHERE er.evaluation_id = (SELECT max(evaluation_id) FROM evaluation_results WHERE algorithm = ?1)
          AND er.algorithm = ?1 AND er.k = 10 AND er.metric IN ('ndcg', 'precision')
        """
    /// The cached pairs of run ?1 that their learner dismissed after the run's data, within [?3, ?4)
    /// (either bound may be NULL). "After the run's data" is an interaction id above the run's
    /// `last_interaction_id` (?2), the newest event its training read, rather than a time at or after
    /// `data_until`: the id says exactly which events the model saw, so a dismissal recorded after
    /// training counts even when it is back-dated (an import, a client's late `--at`), one the
    /// training read never counts though it shares `data_until`'s second, and a run with no
    /// `data_until` (no events) still has a watermark. The window then says when the dismissal
    /// happened. A pair dismissed twice (dismissed, viewed, dismissed again) counts once.
    ///
    /// Driven from the dismissals: a scan of the partial index `interactions_dismissals` (only
    /// dismissals; it holds the learner, course and time, and the id as its rowid), then for each
    /// distinct pair a seek in `recommendations`' primary key (run, learner) over that learner's list.
    /// `recommendations` is never scanned. The id can mislead only if the newest events were deleted
    /// (`forget`) and a new one took a reused id at or below the watermark. On PostgreSQL the index is
    /// the planner's choice.
    static let dismissedPairs = EngineSQL(sqlite: """
        SELECT count(*) FROM (
            SELECT DISTINCT d.user_id, d.course_id FROM interactions d INDEXED BY interactions_dismissals
            WHERE d.kind = 'dismiss' AND d.id > ?2
              AND (CAST(?3 AS BIGINT) IS NULL OR d.occurred_at >= ?3) AND (CAST(?4 AS BIGINT) IS NULL OR d.occurred_at < ?4)) p
        WHERE EXISTS (SELECT 1 FROM recommendations r WHERE r.run_id = ?1 AND r.user_id = p.user_id AND r.course_id = p.course_id)
        """, postgresReplacing: ["INDEXED BY interactions_dismissals": ""])

    /// One row per active model, by algorithm. The dismissals count within `filter`'s `since` and
    /// `until`; the other figures describe the cache as it is, and no filter applies to them.
    /// - Complexity: O(recommendations + courses + creators) per active run for reach and exposure,
    ///   plus O(dismissals x list length) per active run for the dismissals (`dismissedPairs`).
    public func rows(_ filter: ReportFilter = ReportFilter()) throws -> [RecommendationReportRow] {
        try withStoreErrors {
            let published = Int(try db.scalarInt(Self.published) ?? 0)
            var courses: [Int64: (creator: Int64, domain: String)] = [:]
            for (id, creator, domain) in try db.all(Self.courses, row: { ($0.int64(0), $0.int64(1), $0.text(2)) }) {
                courses[id] = (creator, domain)
            }
            let creators = try db.all(Self.creatorIDs) { $0.int64(0) }
            let runs = try db.all(Self.active) { s in
                (algorithm: try Algorithm(stored: s.text(0), in: "active model run \(s.int64(1))"), runID: s.int64(1),
                 finishedAt: s.int64(2), watermark: s.int64(3))
            }
            return try runs.map { run in
                let lists = try listed(run: run.runID)
                var row = RecommendationReportRow(algorithm: run.algorithm, runID: run.runID, finishedAt: run.finishedAt,
                                                  learners: lists.learners, rows: lists.rows,
                                                  coverage: published > 0 ? Double(lists.perCourse.count) / Double(published) : nil)
                measureExposure(&row, perCourse: lists.perCourse, courses: courses, creators: creators)
                for (metric, value) in try db.all(Self.offline, [row.algorithm.rawValue], row: { ($0.text(0), $0.optionalDouble(1)) }) {
                    if metric == "ndcg" { row.ndcgAt10 = value } else { row.precisionAt10 = value }
                }
                row.dismissed = Int(try db.scalarInt(Self.dismissedPairs, [row.runID, run.watermark, filter.since, filter.until]) ?? 0)
                row.dismissRate = row.rows > 0 ? Double(row.dismissed) / Double(row.rows) : nil
                return row
            }
        }
    }

    /// Run `run`'s learners with a list, its rows, and how often each course is listed: one pass over
    /// the rows on SQLite, two aggregates on PostgreSQL (which would send every row before the first).
    private func listed(run: Int64) throws -> (learners: Int, rows: Int, perCourse: [Int64: Int]) {
        var learners = 0, rows = 0, previous: Int64? = nil
        var perCourse: [Int64: Int] = [:]
        if db.isPostgres {
            for (course, count) in try db.all(Self.listedPerCourse, [run], row: { ($0.int64(0), $0.int(1)) }) {
                perCourse[course] = count
                rows += count
            }
            return (Int(try db.scalarInt(Self.listedLearners, [run]) ?? 0), rows, perCourse)
        }
        try db.each(Self.listRows, [run]) { row in
            let user = row.int64(0)
            if user != previous { learners += 1; previous = user }
            rows += 1
            perCourse[row.int64(1), default: 0] += 1
        }
        return (learners, rows, perCourse)
    }

    /// Sets the Gini coefficients of `row`'s exposure over creators and domains; every creator and
    /// domain counts, those never recommended included (with zero).
    private func measureExposure(_ row: inout RecommendationReportRow, perCourse: [Int64: Int],
                                 courses: [Int64: (creator: Int64, domain: String)], creators: [Int64]) {
        var byCreator = Dictionary(uniqueKeysWithValues: creators.map { ($0, 0.0) })
        var byDomain = Dictionary(courses.values.map { ($0.domain, 0.0) }, uniquingKeysWith: { a, _ in a })
        for (course, count) in perCourse {
            guard let owner = courses[course] else { continue }
            byCreator[owner.creator, default: 0] += Double(count)
            byDomain[owner.domain, default: 0] += Double(count)
        }
        row.creatorGini = Self.gini(Array(byCreator.values))
        row.domainGini = Self.gini(Array(byDomain.values))
    }

    /// Gini coefficient of non-negative counts: mean absolute difference over twice the mean.
    static func gini(_ values: [Double]) -> Double? {
        let total = values.reduce(0, +)
        guard values.count > 1, total > 0 else { return nil }
        let sorted = values.sorted()
        var weighted = 0.0
        for (index, value) in sorted.enumerated() { weighted += Double(index + 1) * value }
        let n = Double(sorted.count)
        return (2 * weighted) / (n * total) - (n + 1) / n
    }
}
