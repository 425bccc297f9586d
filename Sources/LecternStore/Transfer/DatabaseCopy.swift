import Foundation
import LecternCore
internal import LecternPostgres
internal import LecternSQLite

/// What `DatabaseCopy.copy` did.
public struct DatabaseCopySummary: Sendable {
    /// The source and the target as they may be shown: a path, or `user@host:port/database`.
    public let source: String
    public let target: String
    /// Tables copied (every table of the schema but the migration ledger), and their rows.
    public let tables: Int
    public let rows: Int
    /// Purchases less refunds plus seats sold, per currency, in minor units: the same on both sides.
    public let netRevenue: [String: Int64]
    /// From opening the source to the commit.
    public let seconds: Double
}

/// Copies a whole Lectern database into an empty one, on either engine: SQLite to PostgreSQL to move
/// up, PostgreSQL to SQLite for a local copy to analyse, or SQLite to SQLite (issue 16, point 5).
///
/// - Both databases are at this binary's schema: the source must be already (it is read, never
///   migrated), the target is migrated first.
/// - The target must hold no rows but the few a fresh migration puts there (the pseudonym key, the
///   catalog version, the rollups' watermark), which are replaced with the source's.
/// - The rows go in in one transaction on the target, read from one snapshot of the source, tables
///   parents first, with the triggers set aside (`Executor.suspendTriggers`), so every row, id and
///   counter is the source's, caches included. PostgreSQL's identity sequences are then moved past
///   the largest id.
/// - Before the commit, every table's row count and column sums and the net revenue per currency are
///   compared with the source's (`CopyFingerprint`); any difference rolls it all back.
/// - A failure leaves the target as it was (a target file this copy made is removed).
public enum DatabaseCopy {
    /// Told which table is being copied and how many rows of all are done.
    public typealias Progress = (_ table: String, _ done: Int, _ total: Int) -> Void

    /// Rows read from the source at a time.
    static let batchRows = 5_000

    /// Copies the database at `source` into the one at `target` (paths or PostgreSQL URLs).
    /// - Throws: `StoreError`: `.invalidInput` when both name the same database; `.io` for a source
    ///   that does not exist or a server that cannot be reached; `.foreignDatabase` for another
    ///   application's database or a source whose schema is older than this binary's; `.newerSchema`;
    ///   `.conflict` for a target that holds data, or a copy that differs from its source.
    public static func copy(from source: String, to target: String, progress: Progress = { _, _, _ in }) throws -> DatabaseCopySummary {
        let started = ContinuousClock.now
        if sameLocation(source, target) {
            throw StoreError(.invalidInput, "--from and --to name the same database (\(LecternDatabase.redacted(target))): copy into another, empty one")
        }
        let tables = try CopySchema.tables()
        let from = try LecternDatabase.open(path: source, migrate: false, mustExist: true)
        try requireCurrentSchema(from)
        let targetIsNewFile = !LecternDatabase.isPostgresURL(target) && target != ":memory:"
            && !FileManager.default.fileExists(atPath: target)
        do {
            let (targetName, fingerprint) = try load(tables, from: from, into: target, progress: progress)
            return DatabaseCopySummary(source: from.path, target: targetName, tables: tables.count, rows: fingerprint.rowCount,
                                       netRevenue: fingerprint.netRevenue, seconds: (ContinuousClock.now - started).inSeconds)
        } catch {
            if targetIsNewFile {
                for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: target + suffix) }
            }
            throw error
        }
    }

    /// Opens and checks the target, migrates it, and copies every table in one transaction.
    /// - Returns: the target as it may be shown, and the source's fingerprint (which the copy's matched).
    private static func load(_ tables: [CopyTable], from: Database, into target: String,
                             progress: Progress) throws -> (String, CopyFingerprint) {
        let to = try LecternDatabase.open(path: target, migrate: false)
        try withStoreErrors(path: to.path) {
            try refuseData(in: to, tables: tables, present: try to.executor.tableNames())
            try refuseSameDatabase(from, to)
            try to.executor.migrate()
        }
        let fingerprint = try withStoreErrors(path: to.path) {
            try from.executor.readingSnapshot {
                let expected = try CopyFingerprint.measure(tables, in: from.executor)
                try to.executor.transaction {
                    let restoreTriggers = try to.executor.suspendTriggers(of: tables)
                    try refuseData(in: to, tables: tables, present: Set(tables.map(\.name)))
                    var done = 0
                    for table in tables {
                        progress(table.name, done, expected.rowCount)
                        try copyRows(of: table, from: from.executor, to: to.executor) { rows in
                            done += rows
                            progress(table.name, done, expected.rowCount)
                        }
                    }
                    try to.executor.checkDeferredForeignKeys()
                    try to.executor.advanceIdentities(of: tables)
                    try restoreTriggers()
                    if let difference = expected.difference(from: try CopyFingerprint.measure(tables, in: to.executor)) {
                        throw StoreError(.conflict, "the copy differs from the source, so nothing was copied: \(difference)")
                    }
                }
                return expected
            }
        }
        try? to.executor.analyzeAfterCopy()
        return (to.path, fingerprint)
    }

    /// Replaces the target's seeded rows of `table` with the source's rows, telling `copied` of each batch.
    /// A failure names the table.
    private static func copyRows(of table: CopyTable, from source: Executor, to target: Executor,
                                 copied: (Int) -> Void) throws {
        do {
            try withStoreErrors {
                if table.seedRows > 0 { try target.run("DELETE FROM \(table.name)", cached: false) }
                let loader = try CopyTableLoader(table, into: target)
                try source.readRows(of: table, batchRows: batchRows) { values in
                    try loader.write(values)
                    copied(values.count / table.columns.count)
                }
                try loader.finish()
            }
        } catch let error as StoreError {
            throw StoreError(error.code, "copying \(table.name): \(error.message); nothing was copied")
        }
    }

    /// Refuses a source whose schema is not this binary's: it would have to be migrated first.
    private static func requireCurrentSchema(_ db: Database) throws {
        let states = try withStoreErrors(path: db.path) { try db.executor.migrationStates() }
        let applied = states.filter { $0.appliedAt != nil }
        guard applied.count < states.count else { return }
        let version = applied.last?.version ?? 0
        throw StoreError(.foreignDatabase, version == 0
            ? "\(shown(db)) holds no Lectern schema: there is nothing to copy"
            : "\(shown(db)) has schema version \(version), older than this lectern's (\(states.last?.version ?? 0)): "
                + "run `lectern db migrate` on it first")
    }

    /// Whether `source` and `target` name the same place: the same file (through links), or the same
    /// server, port and database.
    static func sameLocation(_ source: String, _ target: String) -> Bool {
        switch (LecternDatabase.isPostgresURL(source), LecternDatabase.isPostgresURL(target)) {
        case (false, false):
            if source == ":memory:" || target == ":memory:" { return false }
            let resolve = { (path: String) in URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
            return resolve(source) == resolve(target)
        case (true, true):
            guard let a = try? PGConnectionURL(source), let b = try? PGConnectionURL(target) else { return false }
            return a.database == b.database && a.port == b.port && (a.socketDirectory ?? a.host) == (b.socketDirectory ?? b.host)
        default:
            return false
        }
    }

    /// Refuses a target that is the source under another name (another user, a socket instead of
    /// TCP): a Lectern database's pseudonym key is made at random when it is created, so two that
    /// share it are one, or one is a copy of the other (which `refuseData` has refused already,
    /// unless the source holds nothing but its key).
    private static func refuseSameDatabase(_ source: Database, _ target: Database) throws {
        guard try target.executor.tableNames().contains("settings") else { return }
        let key = "SELECT value FROM settings WHERE name = 'pseudonym_key'"
        let sourceKey = try source.executor.first(key) { $0.text(0) }
        if sourceKey != nil, try target.executor.first(key, row: { $0.text(0) }) == sourceKey {
            throw StoreError(.invalidInput, "--from and --to name the same database (\(target.path)): copy into another, empty one")
        }
    }

    /// Refuses a target holding rows beyond those a fresh migration puts there, naming the tables;
    /// `present` are the tables it has now (all of them once migrated).
    private static func refuseData(in db: Database, tables: [CopyTable], present: Set<String>) throws {
        var filled: [String] = []
        for table in tables where present.contains(table.name) {
            let rows = Int(try db.executor.scalarInt("SELECT count(*) FROM \(table.name)", cached: false) ?? 0)
            if rows > table.seedRows { filled.append("\(table.name): \(rows - table.seedRows)") }
        }
        guard !filled.isEmpty else { return }
        throw StoreError(.conflict, "\(shown(db)) is not empty (rows in \(filled.prefix(5).joined(separator: ", "))"
            + (filled.count > 5 ? " and \(filled.count - 5) more tables" : "") + "): copy into an empty database; nothing was written")
    }

    /// A database as messages name it: `'path'`, or `user@host:port/database`.
    private static func shown(_ db: Database) -> String {
        db.engine == .postgresql ? db.path : "'\(db.path)'"
    }
}
