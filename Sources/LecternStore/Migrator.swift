internal import LecternSQLite

/// One numbered schema change from `Migrations/NNNN_what_it_does.sql`.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String

    /// FNV-1a (64 bit) of the migration's text: enough to notice an edited file, not a security hash.
    public var checksum: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sql.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Parses `0003_add_things.sql`; nil when the name does not start with a number and `_`.
    public init?(fileName: String, sql: String) {
        let stem = fileName.hasSuffix(".sql") ? String(fileName.dropLast(4)) : fileName
        guard let underscore = stem.firstIndex(of: "_"),
              let version = Int(stem[..<underscore]), version > 0 else { return nil }
        self.version = version
        self.name = String(stem[stem.index(after: underscore)...])
        self.sql = sql
    }

    /// The migrations compiled into this binary, in version order.
    public static let embedded: [Migration] = EmbeddedMigrations.files
        .compactMap { Migration(fileName: $0.name, sql: $0.sql) }
        .sorted { $0.version < $1.version }
}

/// Where one migration stands in a database.
public struct MigrationState: Sendable, Equatable {
    public let version: Int
    public let name: String
    /// Unix seconds when it was applied, or nil while pending.
    public let appliedAt: Int64?
    /// False when the applied text differs from the one in this binary.
    public let checksumMatches: Bool
}

/// Applies migrations in order, each in its own transaction, and records them with a checksum.
///
/// A database is Lectern's when its `application_id` is `applicationID`; an empty file becomes one.
/// A changed applied migration, or a version this binary does not know, stops everything before
/// any change is made.
///
/// Every migration runs with foreign keys off and ends with `PRAGMA foreign_key_check`, as SQLite's
/// procedure for schema changes asks (https://www.sqlite.org/lang_altertable.html#otheralter) and
/// GRDB's `DatabaseMigrator` does: so a migration may rebuild a table that others refer to (dropping
/// it would otherwise cascade to them), and a row left pointing nowhere fails the migration, which
/// then leaves no trace. A migration must not count on `ON DELETE CASCADE` to clean up: with foreign
/// keys off nothing cascades, and the check refuses the orphans.
public struct Migrator: Sendable {
    /// `PRAGMA application_id` of a Lectern database: "LCTR" in ASCII.
    public static let applicationID: Int64 = 0x4C43_5452

    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.embedded) {
        self.migrations = migrations
    }

    static let createLedger = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT    NOT NULL,
            checksum   TEXT    NOT NULL,
            applied_at INTEGER NOT NULL
        ) STRICT
        """
    static let selectApplied = "SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version"
    static let insertApplied = "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)"

    /// Refuses a database that is not Lectern's, is newer than this binary, or has a tampered migration.
    func checkCompatible(_ db: Connection) throws {
        try checkCompatible(db, checksums: true)
    }

    func checkCompatible(_ db: Connection, checksums: Bool) throws {
        let applicationID = try db.scalarInt("PRAGMA application_id") ?? 0
        let tableCount = try db.scalarInt("SELECT count(*) FROM sqlite_schema") ?? 0
        if applicationID != Self.applicationID {
            if applicationID != 0 || tableCount > 0 {
                throw StoreError(.foreignDatabase, "'\(db.path)' is not a Lectern database (it holds other data)")
            }
            return
        }
        try MigrationLedger.check(try appliedRows(db), against: migrations, target: "'\(db.path)'", checksums: checksums)
    }

    /// The state of every known migration in `db`.
    /// A changed migration shows as `checksumMatches == false` rather than an error.
    func status(_ db: Connection) throws -> [MigrationState] {
        try checkCompatible(db, checksums: false)
        return MigrationLedger.states(try appliedRows(db), of: migrations)
    }

    /// Applies every pending migration, each in its own immediate transaction.
    ///
    /// Foreign keys are switched off around each transaction (the pragma does nothing inside one)
    /// and on again after it, and the transaction commits only when `PRAGMA foreign_key_check`
    /// finds nothing. Migration 14 starts with `-- lectern: rebuilds tables`, which once asked for
    /// this; every migration has it now, and the line (which cannot change: its checksum is
    /// recorded) is only a comment.
    /// - Returns: the migrations applied now.
    /// - Throws: `StoreError(.conflict)` naming the tables whose rows a migration would leave
    ///   pointing nowhere.
    /// - Complexity: per migration, its own work plus the foreign-key check: a lookup per row of
    ///   every table with a foreign key (interactions and their learners, say).
    @discardableResult
    func migrate(_ db: Connection, now: Int64 = currentUnixTime()) throws -> [Migration] {
        try checkCompatible(db)
        let done = Set(try appliedRows(db).map(\.version))
        var applied: [Migration] = []
        for migration in migrations where !done.contains(migration.version) {
            try withForeignKeysOff(db) { checkForeignKeys in
                try db.transaction(.immediate) {
                    if try db.scalarInt("PRAGMA application_id") != Self.applicationID {
                        try db.execute("PRAGMA application_id = \(Self.applicationID)")
                    }
                    try db.execute(Self.createLedger)
                    try db.execute(migration.sql)
                    if checkForeignKeys { try Self.checkForeignKeys(db, after: migration) }
                    try db.cachedStatement(Self.insertApplied).run([migration.version, migration.name, migration.checksum, now])
                }
            }
            applied.append(migration)
        }
        return applied
    }

    /// Runs `body` with foreign keys off, and on again however it ends, when the connection enforces
    /// them; `body` is told whether it must check them itself. (Inside an open transaction SQLite
    /// ignores the pragma, so there they stay on and are enforced as the migration goes.)
    private func withForeignKeysOff(_ db: Connection, _ body: (_ checkForeignKeys: Bool) throws -> Void) throws {
        let enforced = try db.scalarInt("PRAGMA foreign_keys") == 1
        guard enforced, !db.isInTransaction else { return try body(enforced) }
        try db.execute("PRAGMA foreign_keys = OFF")
        do {
            try body(true)
        } catch {
            try? db.execute("PRAGMA foreign_keys = ON")
            throw error
        }
        try db.execute("PRAGMA foreign_keys = ON")
    }

    /// Throws when a row of any table refers to a row that does not exist, naming the tables.
    private static func checkForeignKeys(_ db: Connection, after migration: Migration) throws {
        let broken = try db.query("PRAGMA foreign_key_check") { row in
            (table: row.text("table"), rowID: row.optionalInt64("rowid"), parent: row.text("parent"))
        }
        guard !broken.isEmpty else { return }
        // One phrase per referring table and the table it refers to, in the order SQLite found them.
        var groups: [(table: String, parent: String, count: Int, firstRowID: Int64?)] = []
        for row in broken {
            if let at = groups.firstIndex(where: { $0.table == row.table && $0.parent == row.parent }) {
                groups[at].count += 1
            } else {
                groups.append((row.table, row.parent, 1, row.rowID))
            }
        }
        let phrases = groups.map { group in
            group.count == 1
                ? "1 row of \(group.table) refers to a row of \(group.parent) that does not exist"
                    + (group.firstRowID.map { " (rowid \($0))" } ?? "")
                : "\(group.count) rows of \(group.table) refer to rows of \(group.parent) that do not exist"
                    + (group.firstRowID.map { " (first: rowid \($0))" } ?? "")
        }
        throw StoreError(.conflict, "migration \(migration.version) (\(migration.name)) would break foreign keys, "
            + "so nothing of it was applied: \(phrases.joined(separator: "; "))")
    }

    private func appliedRows(_ db: Connection) throws -> [MigrationLedger.Applied] {
        let exists = try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'") ?? 0
        guard exists > 0 else { return [] }
        return try db.cachedStatement(Self.selectApplied).query {
            MigrationLedger.Applied(version: $0.int(0), name: $0.text(1), checksum: $0.text(2), appliedAt: $0.int64(3))
        }
    }
}

extension Migrator {
    /// Refuses a database that is not Lectern's, is newer than this binary, or has a tampered migration.
    public func checkCompatible(_ db: Database) throws {
        try withStoreErrors(path: db.path) { try checkCompatible(db.connection) }
    }

    /// The state of every known migration in `db`.
    /// A changed migration shows as `checksumMatches == false` rather than an error.
    public func status(_ db: Database) throws -> [MigrationState] {
        try withStoreErrors(path: db.path) { try status(db.connection) }
    }

    /// Applies every pending migration, each in its own transaction. - Returns: the migrations applied now.
    @discardableResult
    public func migrate(_ db: Database, now: Int64 = currentUnixTime()) throws -> [Migration] {
        try withStoreErrors(path: db.path) { try migrate(db.connection, now: now) }
    }
}
