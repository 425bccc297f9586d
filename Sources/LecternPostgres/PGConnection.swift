import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO

/// One connection to PostgreSQL with a synchronous API, for the store's synchronous code.
///
/// postgres-nio is asynchronous; each call here waits for its future on the calling thread, which
/// must therefore not be an event-loop thread (the store runs on the caller's thread, or on its own
/// thread pool in `lectern serve`). Like LecternSQLite's `Connection`, it is not `Sendable`: one
/// thread at a time, one statement at a time, and a transaction is this connection's state.
public final class PGConnection {
    /// PostgreSQL 13: the oldest release Lectern supports (`server_version_num`).
    public static let minimumServerVersion = 130_000

    let connection: PostgresConnection
    let logger: Logger
    /// `user@host:port/database`: never the password.
    public let target: String
    /// `server_version_num`, such as 150018 for 15.18.
    public private(set) var serverVersion: Int
    private var transactionDepth = 0
    /// Statements this connection has prepared, by their text with each parameter cast to the type
    /// bound to it (`preparedText`): the server parses and plans them once (and may keep a generic
    /// plan), where an unnamed statement is parsed and planned on every call.
    private var prepared: [PreparedKey: PreparedQuery] = [:]

    /// A statement's text and its binds' types: bound with other types (or a NULL) it is another
    /// prepared statement.
    private struct PreparedKey: Hashable {
        var sql: String
        var types: [String?]
    }
    /// At most this many prepared statements per connection; past it statements run unnamed. The
    /// store's fixed SQL is a few hundred statements; SQL built from filters is never prepared.
    public static let preparedLimit = 256
    /// Set once the connection is lost: every later statement fails at once with it (a statement
    /// sent on a connection the server has ended may never be answered).
    private var lost: PGError?

    private init(connection: PostgresConnection, logger: Logger, target: String, serverVersion: Int) {
        self.connection = connection
        self.logger = logger
        self.target = target
        self.serverVersion = serverVersion
    }

    /// Connects and checks the server's version.
    /// - Parameters:
    ///   - environment: where `PGPASSWORD`, `PGPASSFILE` and `HOME` are read.
    ///   - connectTimeout: how long to wait for the server to answer.
    /// - Throws: `PGError.unreachable`, `.authentication`, `.unknownDatabase`, `.serverTooOld`.
    public static func connect(_ url: PGConnectionURL,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               connectTimeout: TimeAmount = .seconds(10)) throws -> PGConnection {
        let password = url.resolvedPassword(environment: environment)
        var configuration: PostgresConnection.Configuration
        if let socketDirectory = url.socketDirectory {
            configuration = .init(unixSocketPath: "\(socketDirectory)/.s.PGSQL.\(url.port)", username: url.user,
                                  password: password, database: url.database)
        } else {
            configuration = .init(host: url.host ?? "localhost", port: url.port, username: url.user,
                                  password: password, database: url.database, tls: .disable)
        }
        configuration.options.connectTimeout = connectTimeout
        // Nothing of postgres-nio's logging reaches the terminal: errors come back as PGError.
        let logger = Logger(label: "lectern.postgres") { _ in SwiftLogNoOpLogHandler() }
        let target = url.description
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(
                on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1, logger: logger
            ).wait()
        } catch {
            throw Self.connectError(error, target: target, passwordGiven: password != nil)
        }
        let opened = PGConnection(connection: connection, logger: logger, target: target, serverVersion: 0)
        let version = Int(try opened.scalarText("SELECT current_setting('server_version_num')") ?? "") ?? 0
        guard version >= minimumServerVersion else {
            opened.close()
            throw PGError.serverTooOld(target: target, version: version, minimum: minimumServerVersion)
        }
        opened.serverVersion = version
        return opened
    }

    /// Whether the connection is closed: by `close()`, by the server (a restart, an administrator's
    /// `pg_terminate_backend`) or by the network, or found lost by a statement before its socket
    /// closed. A closed connection cannot be used again.
    public var isClosed: Bool { lost != nil || connection.isClosed }

    /// Closes the connection; it cannot be used after.
    public func close() {
        try? connection.close().wait()
    }

    /// Closes a connection still open, waiting for it: postgres-nio requires a connection closed before
    /// it goes (an assertion in debug builds). The last owner is the store's synchronous code, never an
    /// event-loop thread, so the wait is allowed.
    deinit {
        if !connection.isClosed { try? connection.close().wait() }
    }

    // MARK: Statements

    /// Runs one statement and returns how many rows it changed (0 for a statement that reports none).
    @discardableResult
    public func execute(_ sql: String, _ binds: [PGValue] = []) throws -> Int {
        try run(sql, binds).metadata.rows ?? 0
    }

    /// Runs one statement and returns its rows.
    /// - Parameter prepare: prepare it on this connection the first time, and run the prepared
    ///   statement after: for fixed SQL run again and again (a list served per request), never for
    ///   SQL built per call.
    public func query(_ sql: String, _ binds: [PGValue] = [], prepare: Bool = false) throws -> [PGRow] {
        if prepare { return try runPrepared(sql, binds).map { try PGRow($0, prepared: true) } }
        return try run(sql, binds).rows.map { try PGRow($0) }
    }

    /// The first column of the first row as an integer, or nil when there is no row or it is NULL.
    public func scalarInt(_ sql: String, _ binds: [PGValue] = []) throws -> Int64? {
        guard let row = try run(sql, binds).rows.first, let cell = row.first else { return nil }
        if case .integer(let value) = try PGValue(cell) { return value }
        return nil
    }

    /// The first column of the first row as text, or nil when there is no row or it is NULL.
    public func scalarText(_ sql: String, _ binds: [PGValue] = []) throws -> String? {
        guard let row = try run(sql, binds).rows.first, let cell = row.first else { return nil }
        if case .text(let value) = try PGValue(cell) { return value }
        return nil
    }

    /// Runs a script of many statements (a migration), one at a time, in order (see `PGScript`).
    /// Call it inside `transaction` to have all or nothing.
    public func executeScript(_ script: String) throws {
        for statement in PGScript.statements(in: script) {
            _ = try run(statement, [])
        }
    }

    private func run(_ sql: String, _ binds: [PGValue]) throws -> PostgresQueryResult {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds { value.append(to: &bindings) }
        if let lost { throw lost }
        do {
            return try connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger).wait()
        } catch {
            throw failure(error)
        }
    }

    /// Runs `sql` as a statement prepared on this connection, preparing it on first use. Its text
    /// casts each parameter to the type bound to it, so the server infers the types an unnamed
    /// statement declares, and a statement bound with other types (or a NULL) is another statement.
    private func runPrepared(_ sql: String, _ binds: [PGValue]) throws -> [PostgresRow] {
        if let lost { throw lost }
        let key = PreparedKey(sql: sql, types: binds.map(\.typeName))
        let statement: PreparedQuery
        if let known = prepared[key] {
            statement = known
        } else {
            guard prepared.count < Self.preparedLimit else { return try run(sql, binds).rows }
            do {
                statement = try connection.prepare(query: Self.preparedText(sql, binds)).wait()
            } catch {
                throw failure(error)
            }
            prepared[key] = statement
        }
        do {
            return try statement.execute(binds.map(\.postgresData)).wait()
        } catch {
            let failure = failure(error)
            // A schema change that alters its result (0A000), or a statement the server no longer
            // has (26000, after DISCARD ALL): prepared afresh next time.
            if failure.sqlState == "0A000" || failure.sqlState == "26000" { prepared[key] = nil }
            throw failure
        }
    }

    /// `sql` with every parameter `$n` outside quotes and comments written `($n::type)`, the type
    /// of `binds[n - 1]` (a NULL is left to the server to infer).
    static func preparedText(_ sql: String, _ binds: [PGValue]) -> String {
        let types = binds.map(\.typeName)
        return SQLParameters.rewrite(sql, marker: "$") { digits, _ in
            guard let number = Int(digits), types.indices.contains(number - 1), let type = types[number - 1] else { return "$" + digits }
            return "($\(digits)::\(type))"
        }
    }

    /// `error` of a statement as a `PGError`; a lost connection is remembered.
    func failure(_ error: any Error) -> PGError {
        let failure = Self.statementError(error)
        if case .connectionLost = failure { lost = failure }
        return failure
    }

    // MARK: Transactions

    /// Whether a transaction is open.
    public var isInTransaction: Bool { transactionDepth > 0 }

    /// Runs `body` in a transaction: committed when it returns, rolled back (and the error rethrown)
    /// when it throws. A nested call is a savepoint, so an inner failure undoes only the inner work.
    /// - Parameter begin: the statement that opens an outer transaction, with its modes
    ///   (`BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY`: one round trip, not two).
    public func transaction<T>(begin: String = "BEGIN", _ body: () throws -> T) throws -> T {
        let savepoint = transactionDepth > 0 ? "lectern_sp\(transactionDepth)" : nil
        try execute(savepoint.map { "SAVEPOINT \($0)" } ?? begin)
        transactionDepth += 1
        let result: T
        do {
            result = try body()
        } catch {
            transactionDepth -= 1
            _ = try? execute(savepoint.map { "ROLLBACK TO SAVEPOINT \($0)" } ?? "ROLLBACK")
            if let savepoint { _ = try? execute("RELEASE SAVEPOINT \(savepoint)") }
            throw error
        }
        transactionDepth -= 1
        do {
            try execute(savepoint.map { "RELEASE SAVEPOINT \($0)" } ?? "COMMIT")
        } catch {
            if savepoint == nil { _ = try? execute("ROLLBACK") }
            throw error
        }
        return result
    }

    // MARK: Advisory locks

    /// Takes the session-level advisory lock `key` if it is free, without waiting.
    /// - Returns: whether this connection now holds it.
    public func tryAdvisoryLock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_try_advisory_lock($1) AS taken", [.integer(key)]).first?.bool("taken") ?? false
    }

    /// Releases the session-level advisory lock `key`. - Returns: whether it was held.
    @discardableResult
    public func advisoryUnlock(_ key: Int64) throws -> Bool {
        try query("SELECT pg_advisory_unlock($1) AS released", [.integer(key)]).first?.bool("released") ?? false
    }

    /// Takes the transaction-level advisory lock `key`, waiting for it; it is released when the
    /// transaction ends. Call inside `transaction`.
    public func advisoryTransactionLock(_ key: Int64) throws {
        try execute("SELECT pg_advisory_xact_lock($1)", [.integer(key)])
    }

    /// Runs `body` holding the advisory lock `key`, or returns nil at once when another session holds it.
    public func withAdvisoryLock<T>(_ key: Int64, _ body: () throws -> T) throws -> T? {
        guard try tryAdvisoryLock(key) else { return nil }
        defer { _ = try? advisoryUnlock(key) }
        return try body()
    }
}

@available(*, unavailable, message: "a PGConnection is one session: use it from one thread at a time")
extension PGConnection: Sendable {}
