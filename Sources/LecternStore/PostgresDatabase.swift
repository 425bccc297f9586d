import Foundation
internal import LecternPostgres

/// An open Lectern database on PostgreSQL (issue 16's second engine).
///
/// For now it answers for its schema only: `status()` and `migrate()`, as `lectern db status`,
/// `db migrate` and `init` need. Repositories run on `Database` (SQLite) until they are ported.
/// Like `Database` it is one connection and not `Sendable`.
public final class PostgresDatabase {
    let connection: PGConnection

    init(_ connection: PGConnection) {
        self.connection = connection
    }

    /// `user@host:port/database`: where it is, never the password.
    public var target: String { connection.target }

    /// The server's `server_version_num` (150018 for 15.18).
    public var serverVersion: Int { connection.serverVersion }

    /// The state of every PostgreSQL migration this binary knows.
    public func status() throws -> [MigrationState] {
        try withPostgresErrors { try PostgresMigrator().status(connection) }
    }

    /// Applies every pending migration, each in its own transaction. - Returns: those applied now.
    @discardableResult
    public func migrate(now: Int64 = currentUnixTime()) throws -> [Migration] {
        try withPostgresErrors { try PostgresMigrator().migrate(connection, now: now) }
    }

    /// Closes the connection.
    public func close() {
        connection.close()
    }
}

@available(*, unavailable, message: "a PostgresDatabase is one connection: use it from one thread at a time")
extension PostgresDatabase: Sendable {}

extension LecternDatabase {
    /// Whether `location` (a `--db` value) names a PostgreSQL database rather than an SQLite file:
    /// a `postgres://` or `postgresql://` URL.
    public static func isPostgresURL(_ location: String) -> Bool {
        PGConnectionURL.isURL(location)
    }

    /// `location` fit to show: a URL's password (`user:secret@`, or `?password=secret`) becomes `***`;
    /// a path is unchanged.
    public static func redacted(_ location: String) -> String {
        guard isPostgresURL(location), let scheme = location.range(of: "://") else { return location }
        var shown = location
        if let mark = shown.firstIndex(of: "?") {
            let parameters = shown[shown.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false)
                .map { $0.hasPrefix("password=") ? "password=***" : String($0) }
            shown = String(shown[...mark]) + parameters.joined(separator: "&")
        }
        let rest = shown[scheme.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@"),
              let colon = rest[..<at].firstIndex(of: ":") else { return shown }
        return String(shown[..<rest.index(after: colon)]) + "***" + String(rest[at...])
    }

    /// Connects to the PostgreSQL database at `url`, checks that it is Lectern's (or empty) and that
    /// the server is PostgreSQL 13 or newer, and brings its schema up to date.
    ///
    /// The password comes from the URL, else `PGPASSWORD`, else `~/.pgpass` (`PGPASSFILE`); no
    /// message ever shows it.
    /// - Parameter migrate: apply pending migrations (`db status` does not).
    /// - Throws: `StoreError(.io)` when the server cannot be reached, refuses the login or has no such
    ///   database; `.foreignDatabase` for another application's database or a server older than 13;
    ///   `.newerSchema` or `.tamperedMigration` as on SQLite. A refused database is left untouched.
    public static func openPostgres(url: String, migrate: Bool = true,
                                    environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PostgresDatabase {
        try withPostgresErrors {
            let parsed = try PGConnectionURL(url, environment: environment)
            let db = PostgresDatabase(try PGConnection.connect(parsed, environment: environment))
            do {
                if migrate {
                    try PostgresMigrator().migrate(db.connection)
                } else {
                    try PostgresMigrator().checkCompatible(db.connection, checksums: false)
                }
            } catch {
                db.close()
                throw error
            }
            return db
        }
    }
}

/// Runs a PostgreSQL operation, turning `PGError`s into `StoreError`s people can read.
func withPostgresErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as PGError {
        throw StoreError.wrapping(error)
    }
}

extension StoreError {
    /// A PostgreSQL failure as a sentence and a code: what cannot be reached or logged into is `.io`
    /// (exit 8, "cannot open"), a server Lectern cannot use is `.foreignDatabase` (exit 6), and a
    /// refused statement is named by its rule as SQLite's are.
    static func wrapping(_ error: PGError) -> StoreError {
        switch error {
        case .invalidURL, .unreachable, .authentication, .unknownDatabase, .unreadable:
            return StoreError(.io, error.description)
        case .connectionLost:  // also the server ending the session (SQLSTATE 57P*, 08*): see PGConnection
            return StoreError(.unavailable, error.description)
        case .serverTooOld:
            return StoreError(.foreignDatabase, error.description)
        case .server(let state, let message, _):
            if state == "40P01" || state == "55P03" || state == "40001" {
                return StoreError(.busy, "the database is busy with another transaction: \(message)")
            }
            if state == "25006" {  // read_only_sql_transaction: a hot standby, or default_transaction_read_only
                return StoreError(.io, "the database is read-only (a hot standby?) and this command writes to it (even a report keeps its rollups): run it on the primary (\(message))", sqlState: state)
            }
            if error.isForeignKeyViolation {
                return StoreError(.notFound, "the change refers to something that does not exist (\(message))")
            }
            if error.isCheckViolation || state == "22003" {
                return StoreError(.invalidInput, "a value breaks a rule of the database: \(message)")
            }
            if error.isConstraintViolation {
                return StoreError(.conflict, "the change breaks a rule of the database: \(message)")
            }
            // 22021 (a NUL character in text, which SQLite stores and PostgreSQL cannot) stays a
            // storage failure here (`db copy` stops on it); the HTTP API answers it 400 by `sqlState`.
            return StoreError(.io, "database error: \(message) (SQLSTATE \(state))", sqlState: state)
        }
    }
}
