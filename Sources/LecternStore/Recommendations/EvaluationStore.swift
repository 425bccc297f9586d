import LecternCore
internal import LecternSQLite

/// One algorithm's figures in an evaluation, ready to store or print.
public struct EvaluationRow: Sendable, Equatable {
    public var algorithm: Algorithm
    public var parameters: String
    public var trainingSeconds: Double
    public var k: Int
    public var metric: String
    public var value: Double?
    public var spread: Double?
    /// Over k-fold cross-validation's folds (not stored: `evaluate` prints them).
    public var minimum: Double?
    public var maximum: Double?

    public init(algorithm: Algorithm, parameters: String, trainingSeconds: Double, k: Int, metric: String,
                value: Double?, spread: Double?, minimum: Double? = nil, maximum: Double? = nil) {
        self.algorithm = algorithm
        self.parameters = parameters
        self.trainingSeconds = trainingSeconds
        self.k = k
        self.metric = metric
        self.value = value
        self.spread = spread
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// Stored offline evaluations (`evaluations`, `evaluation_results`).
public struct EvaluationStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let insertEvaluation = """
        INSERT INTO evaluations (created_at, source, protocol, learners, test_pairs) VALUES (?, ?, ?, ?, ?)
        """
    static let insertResult = """
        INSERT INTO evaluation_results (evaluation_id, algorithm, parameters, training_seconds, k, metric, value, spread)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let latest = """
        SELECT r.algorithm, r.parameters, r.training_seconds, r.k, r.metric, r.value, r.spread
        FROM evaluation_results r WHERE r.evaluation_id = (SELECT max(id) FROM evaluations)
        ORDER BY r.algorithm, r.k, r.metric
        """

    /// Stores one evaluation and its results in one transaction; returns its id.
    @discardableResult
    public func save(source: String, protocol json: String, learners: Int, testPairs: Int, rows: [EvaluationRow]) throws -> Int64 {
        try withStoreErrors {
            try db.transaction(.immediate) {
                let id = try db.insert(Self.insertEvaluation, [currentUnixTime(), source, json, learners, testPairs])
                for row in rows {
                    try db.run(Self.insertResult, [id, row.algorithm.rawValue, row.parameters, row.trainingSeconds, row.k, row.metric,
                                                   row.value.flatMap { $0.isFinite ? $0 : nil }, row.spread.flatMap { $0.isFinite ? $0 : nil }])
                }
                return id
            }
        }
    }

    /// The results of the newest evaluation.
    public func latestResults() throws -> [EvaluationRow] {
        try db.all(Self.latest) {
            EvaluationRow(algorithm: try Algorithm(stored: $0.text(0), in: "the latest evaluation"), parameters: $0.text(1), trainingSeconds: $0.double(2), k: $0.int(3),
                          metric: $0.text(4), value: $0.optionalDouble(5), spread: $0.optionalDouble(6))
        }
    }
}
