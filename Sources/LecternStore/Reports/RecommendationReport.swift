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
}

/// The state of the recommendation cache, per algorithm.
public struct RecommendationReport {
    let db: Connection

    public init(_ db: Database) {
        self.db = db.connection
    }

    init(_ db: Connection) {
        self.db = db
    }

    static let active = """
        SELECT a.algorithm, r.id, r.finished_at,
               (SELECT count(DISTINCT user_id) FROM recommendations WHERE run_id = r.id),
               (SELECT count(*) FROM recommendations WHERE run_id = r.id),
               (SELECT count(DISTINCT course_id) FROM recommendations WHERE run_id = r.id)
        FROM active_models a JOIN model_runs r ON r.id = a.run_id ORDER BY a.algorithm
        """
    static let published = "SELECT count(*) FROM courses WHERE status = 'published'"
    /// Every course with its creator and domain, so exposure can be summed per creator and domain.
    static let courses = "SELECT id, creator_id, domain FROM courses"
    static let creatorIDs = "SELECT id FROM creators"
    /// How often each course is recommended in one run.
    static let exposure = "SELECT course_id, count(*) FROM recommendations WHERE run_id = ?1 GROUP BY course_id"
    static let offline = """
        SELECT er.metric, er.value FROM evaluation_results er
        WHERE er.evaluation_id = (SELECT max(evaluation_id) FROM evaluation_results WHERE algorithm = ?1)
          AND er.algorithm = ?1 AND er.k = 10 AND er.metric IN ('ndcg', 'precision')
        """

    public func rows() throws -> [RecommendationReportRow] {
        try withStoreErrors {
            let published = Int(try db.cachedStatement(Self.published).scalarInt() ?? 0)
            var courses: [Int64: (creator: Int64, domain: String)] = [:]
            for (id, creator, domain) in try db.cachedStatement(Self.courses).query(row: { ($0.int64(0), $0.int64(1), $0.text(2)) }) {
                courses[id] = (creator, domain)
            }
            let creators = try db.cachedStatement(Self.creatorIDs).query { $0.int64(0) }
            return try db.cachedStatement(Self.active).query {
                RecommendationReportRow(algorithm: try Algorithm(stored: $0.text(0), in: "active model run \($0.int64(1))"), runID: $0.int64(1), finishedAt: $0.int64(2), learners: $0.int(3),
                                        rows: $0.int(4), coverage: published > 0 ? Double($0.int(5)) / Double(published) : nil)
            }.map { row in
                var row = row
                // Every creator and domain counts, those never recommended included (with zero).
                var byCreator = Dictionary(uniqueKeysWithValues: creators.map { ($0, 0.0) })
                var byDomain = Dictionary(courses.values.map { ($0.domain, 0.0) }, uniquingKeysWith: { a, _ in a })
                for (course, count) in try db.cachedStatement(Self.exposure).query([row.runID], row: { ($0.int64(0), Double($0.int64(1))) }) {
                    guard let owner = courses[course] else { continue }
                    byCreator[owner.creator, default: 0] += count
                    byDomain[owner.domain, default: 0] += count
                }
                row.creatorGini = Self.gini(Array(byCreator.values))
                row.domainGini = Self.gini(Array(byDomain.values))
                for (metric, value) in try db.cachedStatement(Self.offline).query([row.algorithm.rawValue], row: { ($0.text(0), $0.optionalDouble(1)) }) {
                    if metric == "ndcg" { row.ndcgAt10 = value } else { row.precisionAt10 = value }
                }
                return row
            }
        }
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
