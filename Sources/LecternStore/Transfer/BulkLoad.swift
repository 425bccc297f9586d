import Foundation
internal import LecternSQLite

/// How a large interactions import runs inside its one all-or-nothing transaction.
///
/// Measured with `make bench-import` (bench/import_limit.c, the same schema and file, 1M and 20M rows),
/// deciding index by index:
/// - `interactions_by_course (course_id, kind, occurred_at)` is dropped at the start of a bulk load and
///   built again at the end: rows arrive in time order with courses at random, so keeping it costs a
///   random B-tree insert per row, while building it afterwards is one sort. Dropped and rebuilt
///   inside the import's transaction, from the SQL stored in `sqlite_schema`, so a failed import
///   leaves it exactly as it was, and a finished one leaves the schema identical.
/// - `interactions_by_user` stays: every refund looks up the learner's purchases of the course with it.
/// - `interactions_by_key` (unique, partial) stays: it is how a repeated event is recognised.
/// A bulk load is a file of at least `bulkRows` rows (estimated from its size) and at least half the
/// rows already stored; smaller imports keep every index, where a rebuild would cost more than it saves.
///
/// The page cache is raised for the import to a quarter of the memory available (at most 2 GiB), so
/// index pages stay in memory instead of being spilled and read back through the kernel.
final class BulkLoad {
    let db: Connection
    let isBulk: Bool
    private var deferred: [(name: String, sql: String)] = []
    private var previousCacheSize: Int64?

    static let deferredIndexes = ["interactions_by_course"]
    static let bulkRows = 200_000
    /// Bytes per interaction row, to estimate rows from a file's size: short rows (a generated CSV
    /// has about 70 bytes a row, JSON Lines more), so a file is taken for a bulk load early rather than late.
    static let bytesPerRow = 40
    static let indexSQL = "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?"
    static let storedRows = "SELECT coalesce(max(id), 0) FROM interactions"

    init(_ db: Connection, file: String) throws {
        self.db = db
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        isBulk = Self.isBulk(fileBytes: size, storedRows: Int(try db.cachedStatement(Self.storedRows).scalarInt() ?? 0))
        if isBulk {
            previousCacheSize = try db.scalarInt("PRAGMA cache_size")
            let available = TrainingResources.availableMemory() ?? (1 << 30)
            let kib = min(available / 4, 2 << 30) / 1024
            if kib > 65_536 { try db.execute("PRAGMA cache_size = -\(kib)") }
        }
    }

    /// Whether a file of `fileBytes` into a table of about `storedRows` rows is loaded as a bulk load.
    static func isBulk(fileBytes: Int, storedRows: Int) -> Bool {
        let rows = fileBytes / bytesPerRow
        return rows >= bulkRows && rows * 2 >= storedRows
    }

    /// Drops the deferred indexes (inside the import's transaction).
    func dropDeferredIndexes() throws {
        guard isBulk else { return }
        for name in Self.deferredIndexes {
            guard let sql = try db.cachedStatement(Self.indexSQL).queryFirst([name], row: { $0.text(0) }) else { continue }
            deferred.append((name, sql))
            try db.execute("DROP INDEX \(name)")
        }
    }

    /// Builds them again from their stored SQL (inside the same transaction).
    func rebuildDeferredIndexes() throws {
        for index in deferred { try db.execute(index.sql) }
        deferred.removeAll()
    }

    func restoreCacheSize() {
        if let previousCacheSize { try? db.execute("PRAGMA cache_size = \(previousCacheSize)") }
    }
}
