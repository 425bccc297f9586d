internal import LecternPostgres
internal import LecternSQLite

/// An open Lectern database: what repositories, services, reports, the CLI and the server hold.
///
/// It is the store's own handle, so no module above the store sees an engine: the connection inside
/// is internal, and every statement is run by a repository of this module (issue 15's "one door").
/// It holds an SQLite connection or a PostgreSQL one (issue 16); repositories run on either through
/// its `executor`. A `Database` is one connection and is not `Sendable`: use it from one thread at a
/// time, or share a `DatabasePool`.
public final class Database {
    let executor: Executor

    init(_ connection: Connection) {
        executor = .sqlite(connection)
    }

    init(postgres connection: PGConnection) {
        executor = .postgres(PostgresSession(connection))
    }

    /// The SQLite connection, for the parts of the store not yet ported to PostgreSQL. The CLI lets
    /// no command that reaches them run on a PostgreSQL database, so reaching one is a bug.
    var connection: Connection {
        guard case .sqlite(let connection) = executor else {
            preconditionFailure("this part of the store does not run on PostgreSQL yet")
        }
        return connection
    }

    /// Which engine holds the data.
    public enum Engine: String, Sendable {
        case sqlite
        case postgresql
    }

    /// Which engine holds the data.
    public var engine: Engine { executor.isPostgres ? .postgresql : .sqlite }

    /// The file's path, or ":memory:"; on PostgreSQL `user@host:port/database` (never a password).
    public var path: String {
        switch executor {
        case .sqlite(let connection): connection.path
        case .postgres(let session): session.connection.target
        }
    }

    /// Whether a transaction is open.
    public var isInTransaction: Bool { executor.isInTransaction }

    /// How a transaction takes its lock.
    public enum TransactionKind: Sendable {
        /// Takes locks when first reading or writing: a read sees one snapshot.
        case deferred
        /// Takes the write lock at once, so a read-then-write never fails half-way as busy.
        case immediate
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows when it
    /// throws. A nested call is a savepoint, so an inner failure undoes only the inner work.
    /// On PostgreSQL `kind` is not used (see `Executor.transaction`).
    /// - Throws: what `body` throws, or a `StoreError` when the database cannot begin or commit.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try withStoreErrors(path: path) { try executor.transaction(kind, body) }
    }

    /// Sets how long a locked database is waited for before a statement fails as busy (retrying
    /// every millisecond meanwhile). On PostgreSQL it is the session's `lock_timeout`.
    public func setBusyTimeout(milliseconds: Int32) {
        switch executor {
        case .sqlite(let connection):
            connection.setBusyTimeout(milliseconds: milliseconds)
        case .postgres(let session):
            _ = try? session.connection.execute("SET lock_timeout = \(max(0, milliseconds))")
        }
    }
}

@available(*, unavailable, message: "a Database is one connection: share a DatabasePool instead")
extension Database: Sendable {}
