import LecternStore
import NIOPosix
import ServiceLifecycle

/// The server's way into the database: the store's `DatabasePool` (on SQLite one writer and
/// read-only readers; on PostgreSQL at most `threadCount` sessions, and as many on a hot standby
/// that answers the reads; each read in its own transaction), run on a dedicated thread pool.
///
/// The store is blocking, so database work never runs on the event loops or Swift's cooperative
/// threads. A lock held by another process (or transaction) longer than the busy timeout fails the
/// request with a 503 instead of holding it; so does a lost PostgreSQL connection, and the next
/// request connects again. As a `Service`, it stops its threads after the services that use it
/// (a `ServiceGroup` shuts its services down in reverse order, and it is listed first).
final class AsyncDatabase: Service {
    private let pool: DatabasePool
    private let threads: NIOThreadPool

    /// Opens (creating and migrating when needed) the database at `location` (a path or a
    /// `postgres://` URL) and starts `threadCount` threads.
    /// - Throws: `StoreError` for a file that is not a Lectern database or is locked, or a server
    ///   that cannot be reached.
    init(location: String, standby: String? = nil, threadCount: Int, busyTimeoutMilliseconds: Int32) throws {
        pool = try DatabasePool(path: location, busyTimeoutMilliseconds: busyTimeoutMilliseconds, maxSessions: max(1, threadCount),
                                standby: standby)
        pool.openSessions()  // one per thread on PostgreSQL: the first requests find them open
        threads = NIOThreadPool(numberOfThreads: max(1, threadCount))
        threads.start()
    }

    /// The file's path, or `user@host:port/database` (never a password).
    var path: String { pool.path }

    /// Which engine holds the data.
    var engine: Database.Engine { pool.engine }

    /// Runs `body` in a read transaction on an idle read-only connection.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await threads.runIfActive { [pool] in try pool.read(body) }
    }

    /// Runs `body` in a read transaction that holds every event of learner `externalID` (on the
    /// standby once it has replayed them, else on the primary).
    func read<T: Sendable>(forLearner externalID: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await threads.runIfActive { [pool] in try pool.read(forLearner: externalID, body) }
    }

    /// Runs `body` in a read transaction on the primary, never on a standby (an API key's state).
    func readPrimary<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await threads.runIfActive { [pool] in try pool.readPrimary(body) }
    }

    /// Where reads went, with a standby (see `DatabasePool.standbyReadCounts`).
    var standbyReadCounts: (standby: Int, fresh: Int, fallback: Int)? { pool.standbyReadCounts }

    /// Runs `body` with the writer connection; `body` opens the transactions it needs.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await threads.runIfActive { [pool] in try pool.write(body) }
    }

    /// Waits for the server to shut down, then stops the threads once the work queued on them is done.
    func run() async throws {
        try? await gracefulShutdown()
        try await shutdown()
    }

    /// Stops the threads (for a server that never ran its services).
    func shutdown() async throws {
        try await threads.shutdownGracefully()
        pool.close()
    }
}
