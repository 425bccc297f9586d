import LecternCore
internal import LecternSQLite

/// Platform-wide choices kept in the database's `settings` table (migration 6), beside the pseudonym key.
public struct SettingsStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let read = "SELECT value FROM settings WHERE name = ?"
    static let write = """
        INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET value = excluded.value
        """

    /// The algorithm served when none is asked for and no experiment runs; nil until `tune --all` sets it.
    /// - Throws: `StoreError(.invalidInput)` when the setting names an algorithm this lectern does not know.
    public func servedAlgorithm() throws -> Algorithm? {
        try withStoreErrors {
            try db.first(Self.read, ["served_algorithm"]) { try Algorithm(stored: $0.text(0), in: "the setting served_algorithm") }
        }
    }

    public func setServedAlgorithm(_ algorithm: Algorithm) throws {
        try withStoreErrors { try db.run(Self.write, ["served_algorithm", algorithm.rawValue]) }
    }
}
