import LecternCore
internal import LecternSQLite

/// The parameters `lectern tune` chose, one row per algorithm.
public struct TunedParametersStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let upsert = """
        INSERT INTO tuned_parameters (algorithm, parameters, metric, k, value, trials, tuned_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (algorithm) DO UPDATE SET parameters = excluded.parameters, metric = excluded.metric, k = excluded.k,
            value = excluded.value, trials = excluded.trials, tuned_at = excluded.tuned_at
        """
    static let byAlgorithm = "SELECT parameters FROM tuned_parameters WHERE algorithm = ?"

    /// Saves (or replaces) an algorithm's best parameters, as a JSON object.
    public func save(algorithm: Algorithm, parameters: String, metric: String, k: Int, value: Double, trials: Int) throws {
        try withStoreErrors {
            try db.transaction(.immediate) {
                try db.run(Self.upsert, [algorithm.rawValue, parameters, metric, k, value, trials, currentUnixTime()])
            }
        }
    }

    /// An algorithm's tuned parameters as JSON, or nil if it was never tuned.
    public func parameters(algorithm: Algorithm) throws -> String? {
        try withStoreErrors { try db.first(Self.byAlgorithm, [algorithm.rawValue]) { $0.text(0) } }
    }
}
