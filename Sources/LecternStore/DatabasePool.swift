import Synchronization
internal import LecternSQLite

/// Many threads' access to one database: an SQLite file or a PostgreSQL database.
///
/// On SQLite: one writer connection, and read-only connections for readers, each read in its own
/// transaction. In WAL mode a read transaction sees one snapshot, so a training run in another
/// process, which replaces a cache in one transaction, is seen before or after, never half-written.
/// Writes are serialised through the single writer (SQLite allows one writer at a time anyway).
///
/// On PostgreSQL: a pool of sessions (`PostgresSessionPool`), at most one per calling thread. Every
/// read is one REPEATABLE READ, READ ONLY transaction (the same whole-cache guarantee); writes run
/// on sessions too, concurrently, each repository in its own transactions. The lock timeout is the
/// sessions' `lock_timeout`.
///
/// Calls block: an async caller runs them on a thread pool of its own (the HTTP server does).
///
/// It is `Sendable` because each connection is only ever used by the one thread that holds it:
/// idle readers are only touched while `idleLock` is held, and a reader taken out belongs to its
/// caller until it is put back; the writer is only reached while `writerLock` is held. (The
/// connections are `nonisolated(unsafe)` because the compiler cannot see that hand-over.)
public final class DatabasePool: Sendable {
    /// The file's path; on PostgreSQL `user@host:port/database` (never the password).
    public let path: String
    /// Which engine holds the data.
    public let engine: Database.Engine
    private let readerOptions: Connection.Options
    private let idleLock = Mutex(())
    nonisolated(unsafe) private var idle: [Database] = []
    private let writerLock = Mutex(())
    nonisolated(unsafe) private let writer: Database?
    private let sessions: PostgresSessionPool?
    private let standby: PostgresStandby?

    /// Opens (creating and migrating when needed) the database at `location`: a path, or a
    /// `postgres://` URL.
    /// - Parameters:
    ///   - busyTimeoutMilliseconds: how long a lock held by another process (SQLite) or transaction
    ///     (PostgreSQL's `lock_timeout`) is waited for.
    ///   - mustExist: fail instead of creating a missing file (SQLite).
    ///   - maxSessions: PostgreSQL sessions kept open at most (the callers' thread count).
    ///   - standby: a `postgres://` URL of a hot standby of the PostgreSQL primary at `location`,
    ///     which then answers the reads (see `PostgresStandby`).
    /// - Throws: `StoreError` for a file that is not a Lectern database, or is locked; for a server
    ///   that cannot be reached (`.io`); `.invalidInput` for a standby of an SQLite file;
    ///   `.foreignDatabase` for a standby that does not replicate the primary.
    public init(path location: String, busyTimeoutMilliseconds: Int32 = 5_000, mustExist: Bool = false, maxSessions: Int = 8,
                standby standbyLocation: String? = nil) throws {
        var options = Connection.Options()
        options.readOnly = true
        options.busyTimeoutMilliseconds = max(0, busyTimeoutMilliseconds)
        options.pageCacheKiB = 16_384
        readerOptions = options
        if let standbyLocation, !(LecternDatabase.isPostgresURL(location) && LecternDatabase.isPostgresURL(standbyLocation)) {
            throw StoreError(.invalidInput, "a read database (standby) needs PostgreSQL: both the database and the standby must be postgres:// URLs")
        }
        if LecternDatabase.isPostgresURL(location) {
            let sessions = try PostgresSessionPool(url: location, limit: maxSessions, lockTimeoutMilliseconds: busyTimeoutMilliseconds)
            self.sessions = sessions
            do {
                standby = try standbyLocation.map {
                    try PostgresStandby(url: $0, primary: sessions, limit: maxSessions, lockTimeoutMilliseconds: busyTimeoutMilliseconds)
                }
            } catch {
                sessions.close()
                throw error
            }
            path = sessions.target
            engine = .postgresql
            writer = nil
            return
        }
        path = location
        engine = .sqlite
        sessions = nil
        standby = nil
        let writer = try LecternDatabase.open(path: location, mustExist: mustExist)
        writer.setBusyTimeout(milliseconds: busyTimeoutMilliseconds)
        self.writer = writer
    }

    /// Runs `body` reading one snapshot: on an idle read-only connection in a read transaction
    /// (SQLite), or on a session in a REPEATABLE READ, READ ONLY transaction (PostgreSQL), on the
    /// standby when there is one (it may be some milliseconds behind the primary).
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let standby { return try read(on: standby, learner: nil, body) }
        return try readPrimary(body)
    }

    /// Runs `body` reading one snapshot that holds every event learner `externalID` has had: on the
    /// standby when it has replayed them all, else on the primary (see `PostgresStandby`).
    public func read<T>(forLearner externalID: String, _ body: (Database) throws -> T) throws -> T {
        if let standby { return try read(on: standby, learner: externalID, body) }
        return try readPrimary(body)
    }

    /// Runs `body` reading one snapshot of the primary, never of a standby: for what must not lag
    /// (an API key's revocation).
    public func readPrimary<T>(_ body: (Database) throws -> T) throws -> T {
        if let sessions {
            return try sessions.withSession { db in
                try withStoreErrors(path: path) { try db.executor.readSnapshot { try body(db) } }
            }
        }
        let reader = try checkOut()
        defer { checkIn(reader) }
        return try reader.transaction(.deferred) { try body(reader) }
    }

    /// Where the reads went, with a standby: (answered by the standby, sent to the primary until
    /// the standby replayed a learner's events, sent to the primary because the standby failed).
    public var standbyReadCounts: (standby: Int, fresh: Int, fallback: Int)? {
        standby.map { ($0.standbyReads.value, $0.freshnessReads.value, $0.fallbackReads.value) }
    }

    private func read<T>(on standby: PostgresStandby, learner: String?, _ body: (Database) throws -> T) throws -> T {
        if standby.isResting {
            standby.fallbackReads.increment()
            return try readPrimary(body)
        }
        var expected: [String]?
        if let learner, let sessions {
            expected = try sessions.withSession { db in try withStoreErrors(path: path) { try PostgresStandby.fingerprint(of: learner, db) } }
            // Unknown on the primary (or forgotten): its answer is the one to give.
            if expected == nil { return try readPrimary(body) }
        }
        do {
            let answer: T? = try standby.sessions.withSession { db in
                try withStoreErrors(path: standby.sessions.target) {
                    try db.executor.readSnapshot {
                        if let learner, try PostgresStandby.fingerprint(of: learner, db) != expected { return nil }
                        return try body(db)
                    }
                }
            }
            if let answer {
                standby.standbyReads.increment()
                return answer
            }
            standby.freshnessReads.increment()
        } catch let error as StoreError where error.code == .unavailable || error.code == .busy {
            // Gone, or a read cancelled for a conflict with the standby's replay: the primary answers.
            standby.failed()
        }
        return try readPrimary(body)
    }

    /// Runs `body` with the writer (SQLite) or a session (PostgreSQL); `body` opens the transactions
    /// it needs (repositories do), so that a batch can be one transaction.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        if let sessions { return try sessions.withSession(body) }
        return try writerLock.withLock { _ in try body(writer!) }
    }

    /// On PostgreSQL, connects every session the pool may keep (`maxSessions`, on the primary and on
    /// the standby) now rather than at the first requests that need them; nothing on SQLite, whose
    /// connections cost no server process. A server calls it once it is open.
    /// - Returns: the sessions open on the primary (nil on SQLite).
    @discardableResult
    public func openSessions() -> Int? {
        standby?.sessions.openIdle()
        return sessions?.openIdle()
    }

    /// Closes the idle PostgreSQL sessions (SQLite's connections close with the pool).
    public func close() {
        sessions?.close()
        standby?.sessions.close()
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
