import LecternSQLite

/// One training run as recorded in `model_runs`.
public struct ModelRun: Sendable, Equatable {
    public var id: Int64 = 0
    public var algorithm: String
    /// The parameters as a JSON object.
    public var parameters: String
    public var learners: Int
    public var courses: Int
    public var interactions: Int
    public var loadSeconds: Double
    public var trainSeconds: Double
    public var writeSeconds: Double
    public var startedAt: Int64
    public var finishedAt: Int64
    public var dataUntil: Int64?
    /// The newest interaction id the run saw.
    public var lastInteractionID: Int64

    public init(id: Int64 = 0, algorithm: String, parameters: String, learners: Int, courses: Int, interactions: Int,
                loadSeconds: Double = 0, trainSeconds: Double = 0, writeSeconds: Double = 0, startedAt: Int64,
                finishedAt: Int64, dataUntil: Int64?, lastInteractionID: Int64) {
        self.id = id
        self.algorithm = algorithm
        self.parameters = parameters
        self.learners = learners
        self.courses = courses
        self.interactions = interactions
        self.loadSeconds = loadSeconds
        self.trainSeconds = trainSeconds
        self.writeSeconds = writeSeconds
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.dataUntil = dataUntil
        self.lastInteractionID = lastInteractionID
    }
}

/// A cached recommendation as a storefront shows it.
public struct CachedRecommendation: Sendable, Equatable {
    public var rank: Int
    public var courseID: Int64
    public var slug: String
    public var title: String
    public var score: Double
    public var algorithm: String
    public var reason: String

    public init(rank: Int, courseID: Int64, slug: String, title: String, score: Double, algorithm: String, reason: String) {
        self.rank = rank
        self.courseID = courseID
        self.slug = slug
        self.title = title
        self.score = score
        self.algorithm = algorithm
        self.reason = reason
    }
}

/// Everything one training run caches, written in one transaction.
public struct RunOutput: Sendable {
    public var run: ModelRun
    /// (course, rank, neighbour, score)
    public var neighbors: [(courseID: Int64, rank: Int, neighborID: Int64, score: Double)] = []
    /// (learner, rank, course, score, algorithm, reason)
    public var recommendations: [(userID: Int64, rank: Int, courseID: Int64, score: Double, algorithm: String, reason: String)] = []
    /// (course, score, rank in its domain)
    public var popularity: [(courseID: Int64, score: Double, domainRank: Int)] = []
    /// (entity, id, float32 vector)
    public var factors: [(entity: String, id: Int64, vector: [Float])] = []

    public init(run: ModelRun) {
        self.run = run
    }
}

/// The recommendation cache: model runs, neighbours, per-learner lists, popularity and factors.
///
/// A run's rows are written and made active in one immediate transaction; readers in other
/// processes (WAL) keep seeing the previous run until it commits.
public struct RecommendationCache {
    let db: Connection

    public init(_ db: Connection) {
        self.db = db
    }

    /// Runs kept per algorithm; older ones are pruned when a new one is saved.
    public static let keptRuns = 3

    static let insertRun = """
        INSERT INTO model_runs (algorithm, parameters, learners, courses, interactions, load_seconds, train_seconds,
                                write_seconds, started_at, finished_at, data_until, last_interaction_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let insertNeighbor = "INSERT INTO course_neighbors (run_id, course_id, rank, neighbor_id, score) VALUES (?, ?, ?, ?, ?)"
    static let insertRecommendation = """
        INSERT INTO recommendations (run_id, user_id, rank, course_id, score, algorithm, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    static let insertPopularity = "INSERT INTO course_popularity (run_id, course_id, score, domain_rank) VALUES (?, ?, ?, ?)"
    static let insertFactors = "INSERT INTO model_factors (run_id, entity, entity_id, factors) VALUES (?, ?, ?, ?)"
    static let activate = """
        INSERT INTO active_models (algorithm, run_id) VALUES (?, ?)
        ON CONFLICT (algorithm) DO UPDATE SET run_id = excluded.run_id
        """
    static let setWriteSeconds = "UPDATE model_runs SET write_seconds = ?, finished_at = ? WHERE id = ?"
    static let oldRuns = """
        SELECT id FROM model_runs WHERE algorithm = ? AND id NOT IN (SELECT run_id FROM active_models)
        ORDER BY id DESC LIMIT -1 OFFSET ?
        """
    static let deleteRun = "DELETE FROM model_runs WHERE id = ?"
    static let runColumns = """
        id, algorithm, parameters, learners, courses, interactions, load_seconds, train_seconds, write_seconds,
        started_at, finished_at, data_until, last_interaction_id
        """
    static let activeRun = "SELECT \(runColumns) FROM model_runs WHERE id = (SELECT run_id FROM active_models WHERE algorithm = ?)"
    static let runs = "SELECT \(runColumns) FROM model_runs ORDER BY id DESC LIMIT ?"
    static let runByID = "SELECT \(runColumns) FROM model_runs WHERE id = ?"

    /// The storefront query: a learner's current list from one algorithm, without courses bought,
    /// enrolled in or completed since training and without courses taken off sale since.
    public static let storefrontQuery = """
        SELECT r.rank, r.course_id, c.slug, c.title, r.score, r.algorithm, r.reason
        FROM active_models a
        JOIN recommendations r ON r.run_id = a.run_id AND r.user_id = ?2
        JOIN courses c ON c.id = r.course_id AND c.status = 'published'
        WHERE a.algorithm = ?1
          AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = r.user_id AND i.course_id = r.course_id
                          AND i.kind IN ('purchase', 'enroll', 'complete'))
        ORDER BY r.rank
        LIMIT ?3
        """
    static let neighbors = """
        SELECT n.neighbor_id, c.slug, c.title, n.score
        FROM active_models a JOIN course_neighbors n ON n.run_id = a.run_id AND n.course_id = ?2
        JOIN courses c ON c.id = n.neighbor_id
        WHERE a.algorithm = ?1 AND (?4 OR c.status = 'published')
        ORDER BY n.rank LIMIT ?3
        """
    static let neighborsOfMany = """
        SELECT n.course_id, n.neighbor_id, n.score FROM course_neighbors n WHERE n.run_id = ? ORDER BY n.course_id, n.rank
        """
    static let popularity = "SELECT course_id, score, domain_rank FROM course_popularity WHERE run_id = ?"
    static let factors = "SELECT entity_id, factors FROM model_factors WHERE run_id = ? AND entity = ?"
    static let userFactors = "SELECT factors FROM model_factors WHERE run_id = ? AND entity = 'user' AND entity_id = ?"

    static func readRun(_ s: Statement) -> ModelRun {
        ModelRun(id: s.int64(0), algorithm: s.text(1), parameters: s.text(2), learners: s.int(3), courses: s.int(4),
                 interactions: s.int(5), loadSeconds: s.double(6), trainSeconds: s.double(7), writeSeconds: s.double(8),
                 startedAt: s.int64(9), finishedAt: s.int64(10), dataUntil: s.optionalInt64(11),
                 lastInteractionID: s.int64(12))
    }

    /// Writes a run's cache and makes it the active one for its algorithm, atomically; prunes old runs.
    /// - Parameter beforeCommit: called inside the transaction after everything is written
    ///   (tests use it to check that readers still see the old cache).
    /// - Returns: the run with its id and write time.
    @discardableResult
    public func save(_ output: RunOutput, now: () -> Double, beforeCommit: (() throws -> Void)? = nil) throws -> ModelRun {
        try withStoreErrors {
            try db.transaction(.immediate) {
                let started = now()
                var run = output.run
                try db.run(Self.insertRun, [run.algorithm, run.parameters, run.learners, run.courses, run.interactions,
                                            run.loadSeconds, run.trainSeconds, 0.0, run.startedAt, run.finishedAt, run.dataUntil,
                                            run.lastInteractionID])
                run.id = db.lastInsertRowID
                let neighbor = try db.cached(Self.insertNeighbor)
                for row in output.neighbors {
                    try neighbor.bind(1, run.id); try neighbor.bind(2, row.courseID); try neighbor.bind(3, row.rank)
                    try neighbor.bind(4, row.neighborID); try neighbor.bind(5, row.score)
                    try neighbor.execute()
                }
                let recommendation = try db.cached(Self.insertRecommendation)
                for row in output.recommendations {
                    try recommendation.bind(1, run.id); try recommendation.bind(2, row.userID); try recommendation.bind(3, row.rank)
                    try recommendation.bind(4, row.courseID); try recommendation.bind(5, row.score)
                    try recommendation.bind(6, row.algorithm); try recommendation.bind(7, row.reason)
                    try recommendation.execute()
                }
                let popularity = try db.cached(Self.insertPopularity)
                for row in output.popularity {
                    try popularity.bind(1, run.id); try popularity.bind(2, row.courseID); try popularity.bind(3, row.score)
                    try popularity.bind(4, row.domainRank)
                    try popularity.execute()
                }
                let factors = try db.cached(Self.insertFactors)
                for row in output.factors {
                    try factors.bind(1, run.id); try factors.bind(2, row.entity); try factors.bind(3, row.id)
                    try factors.bind(4, Self.bytes(of: row.vector))
                    try factors.execute()
                }
                try db.run(Self.activate, [run.algorithm, run.id])
                for old in try db.query(Self.oldRuns, [run.algorithm, Self.keptRuns - 1], row: { $0.int64(0) }) {
                    try db.run(Self.deleteRun, [old])
                }
                run.writeSeconds = now() - started
                run.finishedAt = max(run.finishedAt, run.startedAt)
                try db.run(Self.setWriteSeconds, [run.writeSeconds, run.finishedAt, run.id])
                try beforeCommit?()
                return run
            }
        }
    }

    /// The run an algorithm serves from, or nil before its first training.
    public func activeRun(algorithm: String) throws -> ModelRun? {
        try db.queryFirst(Self.activeRun, [algorithm], row: Self.readRun)
    }

    public func run(id: Int64) throws -> ModelRun? {
        try db.queryFirst(Self.runByID, [id], row: Self.readRun)
    }

    /// The newest runs, newest first.
    public func runs(limit: Int = 20) throws -> [ModelRun] {
        try db.query(Self.runs, [limit], row: Self.readRun)
    }

    /// A learner's cached list from `algorithm`, minus what they own now and what left the catalog.
    public func recommendations(userID: Int64, algorithm: String, limit: Int) throws -> [CachedRecommendation] {
        try db.query(Self.storefrontQuery, [algorithm, userID, limit]) {
            CachedRecommendation(rank: $0.int(0), courseID: $0.int64(1), slug: $0.text(2), title: $0.text(3),
                                 score: $0.double(4), algorithm: $0.text(5), reason: $0.text(6))
        }
    }

    /// A course's cached neighbours from `algorithm` (itemknn or content), best first.
    public func neighbors(courseID: Int64, algorithm: String, limit: Int, includeUnavailable: Bool = false)
        throws -> [(courseID: Int64, slug: String, title: String, score: Double)] {
        try db.query(Self.neighbors, [algorithm, courseID, limit, includeUnavailable]) {
            ($0.int64(0), $0.text(1), $0.text(2), $0.double(3))
        }
    }

    /// Every neighbour list of a run: course -> [(neighbour, score)], best first.
    public func allNeighbors(runID: Int64) throws -> [Int64: [(Int64, Double)]] {
        var out: [Int64: [(Int64, Double)]] = [:]
        for (course, neighbor, score) in try db.query(Self.neighborsOfMany, [runID], row: { ($0.int64(0), $0.int64(1), $0.double(2)) }) {
            out[course, default: []].append((neighbor, score))
        }
        return out
    }

    /// A run's popularity: course -> (score, rank in its domain).
    public func popularity(runID: Int64) throws -> [Int64: (score: Double, domainRank: Int)] {
        var out: [Int64: (score: Double, domainRank: Int)] = [:]
        for (course, score, rank) in try db.query(Self.popularity, [runID], row: { ($0.int64(0), $0.double(1), $0.int(2)) }) {
            out[course] = (score, rank)
        }
        return out
    }

    /// A run's factors for every course or learner: id -> vector.
    public func factors(runID: Int64, entity: String) throws -> [Int64: [Float]] {
        var out: [Int64: [Float]] = [:]
        for (id, bytes) in try db.query(Self.factors, [runID, entity], row: { ($0.int64(0), $0.blob(1)) }) {
            out[id] = Self.floats(from: bytes)
        }
        return out
    }

    public func userFactors(runID: Int64, userID: Int64) throws -> [Float]? {
        try db.queryFirst(Self.userFactors, [runID, userID]) { Self.floats(from: $0.blob(0)) }
    }

    static func bytes(of vector: [Float]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            out.append(UInt8(truncatingIfNeeded: bits))
            out.append(UInt8(truncatingIfNeeded: bits >> 8))
            out.append(UInt8(truncatingIfNeeded: bits >> 16))
            out.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        return out
    }

    static func floats(from bytes: [UInt8]) -> [Float] {
        stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }
}
