import Foundation
import LecternSQLite
import LecternStore
import NIOPosix
import Synchronization

/// The server's connections to one database file: read-only connections for readers, one for writes.
///
/// SQLite is blocking, so all work runs on a dedicated thread pool, never on the event loops or
/// Swift's cooperative threads. Each read runs in its own transaction: in WAL mode it sees one
/// snapshot, so a training run in another process, which replaces a cache in one transaction, is
/// seen before or after, never half-written. Writes are serialised through the single writer
/// connection (SQLite allows one writer at a time anyway); a lock held by another process longer
/// than the busy timeout fails the request with 503 instead of holding it.
///
/// The compiler checks that connections are shared safely: the writer lives inside its `Mutex`, and
/// idle readers inside theirs; a reader checked out is used by the one thread that took it.
final class DatabasePool: Sendable {
    let path: String
    private let options: Connection.Options
    private let threads: NIOThreadPool
    private let idle = Mutex<[Connection]>([])
    private let writer: Mutex<Connection>

    /// Opens (creating and migrating when needed) the database and starts `threadCount` threads.
    /// - Throws: `StoreError` for a file that is not a Lectern database or is locked.
    init(path: String, threadCount: Int, busyTimeoutMilliseconds: Int32) throws {
        self.path = path
        let writer = try LecternDatabase.open(path: path)
        try withStoreErrorsHere { try writer.execute("PRAGMA busy_timeout = \(busyTimeoutMilliseconds)") }
        self.writer = Mutex(writer)
        var options = Connection.Options()
        options.readOnly = true
        options.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        options.pageCacheKiB = 16_384
        self.options = options
        threads = NIOThreadPool(numberOfThreads: max(1, threadCount))
        threads.start()
    }

    /// Stops the threads once the work queued on them is done.
    func shutdown() async throws {
        try await threads.shutdownGracefully()
    }

    /// Runs `body` in a read transaction on an idle read-only connection.
    func read<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await threads.runIfActive {
            let connection = try self.checkOut()
            defer { self.checkIn(connection) }
            return try withStoreErrorsHere { try connection.transaction(.deferred) { try body(connection) } }
        }
    }

    /// Runs `body` with the writer connection; `body` opens the transactions it needs
    /// (repositories do), so a batch can be one transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (Connection) throws -> T) async throws -> T {
        try await threads.runIfActive {
            try self.writer.withLock { writer in try withStoreErrorsHere { try body(writer) } }
        }
    }

    private func checkOut() throws -> Connection {
        if let connection = idle.withLock({ $0.popLast() }) { return connection }
        return try withStoreErrorsHere { try Connection(path: path, options: options) }
    }

    private func checkIn(_ connection: Connection) {
        if connection.isInTransaction { return }  // never hand on a connection left mid-transaction
        // Back from the one thread that used it. `Mutex` takes a value only when the compiler can see
        // nothing else holds it, which it cannot tell of an argument; hence the wrapper.
        let returned = ReturnedConnection(connection: connection)
        idle.withLock { $0.append(returned.connection) }
    }
}

/// A reader connection on its way back into the pool, from the thread that used it.
private struct ReturnedConnection: @unchecked Sendable {
    let connection: Connection
}

/// Runs `body`, turning SQLite's errors into `StoreError`s people can read.
func withStoreErrorsHere<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SQLiteError {
        throw StoreError.wrapping(error)
    }
}
