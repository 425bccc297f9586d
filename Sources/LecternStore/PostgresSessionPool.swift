import Foundation
import Synchronization
internal import LecternPostgres

/// PostgreSQL sessions shared by many threads (`DatabasePool` on a URL): at most `limit` open, each
/// used by one thread at a time, opened when none is idle and kept for the next caller.
///
/// There is no single writer: PostgreSQL runs concurrent writers itself, and the repositories keep
/// their own transactions (READ COMMITTED, with the schema's UNIQUE constraints and row locks to tell
/// racing writers apart). A session whose connection was lost (a restarted server, a terminated
/// backend) is closed instead of being kept, and every idle one is checked before it is handed out,
/// so the next request connects again instead of failing forever.
///
/// It is `Sendable` because a session is only ever used by the thread that checked it out: idle
/// sessions are only touched while `lock` is held (the `nonisolated(unsafe)` list, as in
/// `DatabasePool`).
final class PostgresSessionPool: Sendable {
    /// `user@host:port/database`, never the password.
    let target: String
    /// Sessions kept idle at most (the callers' thread count: more are never in use at once).
    let limit: Int
    private let url: PGConnectionURL
    private let lockTimeoutMilliseconds: Int32
    private let lock = Mutex(())
    nonisolated(unsafe) private var idle: [Database] = []

    /// Connects once, migrating the database as `LecternDatabase.open` does; that session is the
    /// first idle one.
    ///
    /// With `replica`, the server is a read-only standby: `replica` checks the first connection
    /// (that it is a copy of the primary, caught up), then the schema is checked, never migrated.
    /// - Throws: `StoreError` as `openPostgres(url:)` does (`.io` for a server that cannot be
    ///   reached or refuses the login), or what `replica` throws.
    init(url text: String, limit: Int, lockTimeoutMilliseconds: Int32,
         replica: ((PGConnection) throws -> Void)? = nil) throws {
        url = try withPostgresErrors { try PGConnectionURL(text) }
        target = url.description
        self.limit = max(1, limit)
        self.lockTimeoutMilliseconds = lockTimeoutMilliseconds
        let first: Database
        if let replica {
            let connection = try withPostgresErrors { try PGConnection.connect(url) }
            do {
                try replica(connection)
                try withPostgresErrors { try PostgresMigrator().checkCompatible(connection, checksums: false) }
            } catch {
                connection.close()
                throw error
            }
            first = Database(postgres: connection)
        } else {
            first = Database(postgres: try LecternDatabase.openPostgres(url: text).connection)
        }
        first.setBusyTimeout(milliseconds: lockTimeoutMilliseconds)
        idle = [first]
    }

    /// Connects until `limit` sessions are idle, so that a server's first burst of requests does not
    /// pay for PostgreSQL backends being started (a fork, its catalog caches) while it is busiest.
    /// Stops at the first connection refused (`max_connections` reached): the pool still connects on
    /// demand later, as it always does.
    /// - Returns: the sessions now idle.
    @discardableResult
    func openIdle() -> Int {
        var opened: [Database] = []
        let missing = lock.withLock { _ in limit - idle.count }
        for _ in 0..<max(0, missing) {
            guard let db = try? connect() else { break }
            opened.append(db)
        }
        opened.forEach(checkIn)
        return lock.withLock { _ in idle.count }
    }

    /// Runs `body` on an idle session (connecting when none is), then keeps the session for the
    /// next caller unless its connection was lost or it was left inside a transaction.
    /// - Throws: what `body` throws; `StoreError(.unavailable)` when no connection can be made.
    func withSession<T>(_ body: (Database) throws -> T) throws -> T {
        let db = try checkOut()
        defer { checkIn(db) }
        do {
            return try body(db)
        } catch let error as PGError {
            throw StoreError.wrapping(error)  // a lost connection is `.unavailable`: a 503, not a 500
        }
    }

    private func checkOut() throws -> Database {
        while let db = lock.withLock({ _ in idle.popLast() }) {
            if !Self.isLost(db) { return db }
            Self.close(db)
        }
        do {
            return try connect()
        } catch let error as PGError {
            throw StoreError(.unavailable, StoreError.wrapping(error).message)
        }
    }

    /// A new session, with the pool's lock timeout.
    private func connect() throws -> Database {
        let db = Database(postgres: try PGConnection.connect(url, connectTimeout: .seconds(5)))
        db.setBusyTimeout(milliseconds: lockTimeoutMilliseconds)
        return db
    }

    private func checkIn(_ db: Database) {
        if Self.isLost(db) || db.isInTransaction {
            // A lost connection usually means the server went away: the idle ones are gone too.
            Self.close(db)
            let stale = lock.withLock { _ in
                let all = idle
                idle.removeAll()
                return all
            }
            stale.forEach(Self.close)
            return
        }
        let kept = lock.withLock { _ in
            guard idle.count < limit else { return false }
            idle.append(db)
            return true
        }
        if !kept { Self.close(db) }
    }

    private static func isLost(_ db: Database) -> Bool {
        guard case .postgres(let session) = db.executor else { return true }
        return session.connection.isClosed
    }

    private static func close(_ db: Database) {
        if case .postgres(let session) = db.executor { session.connection.close() }
    }

    /// Closes every idle session.
    func close() {
        let all = lock.withLock { _ in
            let all = idle
            idle.removeAll()
            return all
        }
        all.forEach(Self.close)
    }
}
