import Synchronization
internal import LecternSQLite

/// Many threads' access to one database file: one writer connection, and read-only connections
/// for readers, each read in its own transaction.
///
/// In WAL mode a read transaction sees one snapshot, so a training run in another process, which
/// replaces a cache in one transaction, is seen before or after, never half-written. Writes are
/// serialised through the single writer (SQLite allows one writer at a time anyway). Calls block:
/// an async caller runs them on a thread pool of its own (the HTTP server does).
///
/// It is `Sendable` because each connection is only ever used by the one thread that holds it:
/// idle readers are only touched while `idleLock` is held, and a reader taken out belongs to its
/// caller until it is put back; the writer is only reached while `writerLock` is held. (The
/// connections are `nonisolated(unsafe)` because the compiler cannot see that hand-over.)
public final class DatabasePool: Sendable {
    /// The file's path.
    public let path: String
    private let readerOptions: Connection.Options
    private let idleLock = Mutex(())
    nonisolated(unsafe) private var idle: [Database] = []
    private let writerLock = Mutex(())
    nonisolated(unsafe) private let writer: Database

    /// Opens (creating and migrating when needed) the database.
    /// - Parameters:
    ///   - busyTimeoutMilliseconds: how long a lock held by another process is waited for.
    ///   - mustExist: fail instead of creating a missing file.
    /// - Throws: `StoreError` for a file that is not a Lectern database, or is locked.
    public init(path: String, busyTimeoutMilliseconds: Int32 = 5_000, mustExist: Bool = false) throws {
        self.path = path
        let writer = try LecternDatabase.open(path: path, mustExist: mustExist)
        writer.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        self.writer = writer
        var options = Connection.Options()
        options.readOnly = true
        options.busyTimeoutMilliseconds = max(0, busyTimeoutMilliseconds)
        options.pageCacheKiB = 16_384
        readerOptions = options
    }

    /// Runs `body` in a read transaction on an idle read-only connection (opened when none is idle).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        let reader = try checkOut()
        defer { checkIn(reader) }
        return try reader.transaction(.deferred) { try body(reader) }
    }

    /// Runs `body` with the writer; `body` opens the transactions it needs (repositories do), so
    /// that a batch can be one transaction.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try writerLock.withLock { _ in try body(writer) }
    }

    private func checkOut() throws -> Database {
        if let reader = idleLock.withLock({ _ in idle.popLast() }) { return reader }
        return try withStoreErrors(path: path) { Database(try Connection(path: path, options: readerOptions)) }
    }

    private func checkIn(_ reader: Database) {
        if reader.isInTransaction { return }  // never hand on a connection left mid-transaction
        idleLock.withLock { _ in idle.append(reader) }
    }
}
