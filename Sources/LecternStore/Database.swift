internal import LecternSQLite

/// An open Lectern database: what repositories, services, reports, the CLI and the server hold.
///
/// It is the store's own handle, so no module above the store sees SQLite: the connection inside is
/// internal, and every statement is run by a repository of this module (issue 15's "one door").
/// A `Database` is one connection and is not `Sendable`: use it from one thread at a time, or share
/// a `DatabasePool`.
public final class Database {
    let connection: Connection

    init(_ connection: Connection) {
        self.connection = connection
    }

    /// The file's path, or ":memory:".
    public var path: String { connection.path }

    /// Whether a transaction is open.
    public var isInTransaction: Bool { connection.isInTransaction }

    /// How a transaction takes its lock.
    public enum TransactionKind: Sendable {
        /// Takes locks when first reading or writing: a read sees one snapshot.
        case deferred
        /// Takes the write lock at once, so a read-then-write never fails half-way as busy.
        case immediate
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows when it
    /// throws. A nested call is a savepoint, so an inner failure undoes only the inner work.
    /// - Throws: what `body` throws, or a `StoreError` when the database cannot begin or commit.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        let sqliteKind: Connection.TransactionKind = kind == .deferred ? .deferred : .immediate
        do {
            return try connection.transaction(sqliteKind, body)
        } catch let error as SQLiteError {
            throw StoreError.wrapping(error, path: path)
        }
    }

    /// Sets how long a locked database is waited for before a statement fails as busy (retrying
    /// every millisecond meanwhile).
    public func setBusyTimeout(milliseconds: Int32) {
        connection.setBusyTimeout(milliseconds: milliseconds)
    }
}

@available(*, unavailable, message: "a Database is one SQLite connection: share a DatabasePool instead")
extension Database: Sendable {}
