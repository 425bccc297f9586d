internal import LecternPostgres
internal import LecternSQLite

/// Where a repository runs its statements: SQLite's connection or PostgreSQL's, behind one API.
///
/// SQL is written once, for SQLite, with `?` parameters (`?NNN` numbered); on PostgreSQL it is
/// translated once per text (`PostgresSQL.translate`). A statement whose engines need different
/// words is an `EngineSQL`, both texts side by side. The SQLite path is LecternSQLite's prepared
/// statements as before: fixed SQL goes through the statement cache, built SQL (`cached: false`) is
/// prepared per call. Not `Sendable`, like both connections.
enum Executor {
    case sqlite(Connection)
    case postgres(PostgresSession)

    /// Whether this is the PostgreSQL engine.
    var isPostgres: Bool {
        if case .postgres = self { return true }
        return false
    }

    // MARK: Statements

    /// Runs a statement that returns no rows; `changes` then says how many rows it changed.
    func run(_ sql: some EngineStatement, _ arguments: [any SQLBindable] = [], cached: Bool = true) throws {
        switch self {
        case .sqlite(let connection):
            try statement(connection, sql.sqliteText, cached: cached).run(arguments)
        case .postgres(let session):
            try session.execute(sql.postgresText, arguments)
        }
    }

    /// Runs an INSERT and returns the id of the row it made (SQLite's rowid; PostgreSQL's
    /// `RETURNING id`). A row not made (`ON CONFLICT DO NOTHING`) leaves `changes` at 0.
    func insert(_ sql: some EngineStatement, _ arguments: [any SQLBindable] = []) throws -> Int64 {
        switch self {
        case .sqlite(let connection):
            try connection.cachedStatement(sql.sqliteText).run(arguments)
            return connection.lastInsertRowID
        case .postgres(let session):
            return try session.insert(sql.postgresText, arguments)
        }
    }

    /// Maps every row of a query with `row`.
    func all<T>(_ sql: some EngineStatement, _ arguments: [any SQLBindable] = [], cached: Bool = true,
                row: (Row) throws -> T) throws -> [T] {
        switch self {
        case .sqlite(let connection):
            return try statement(connection, sql.sqliteText, cached: cached).query(arguments) { try row(Row(sqlite: $0)) }
        case .postgres(let session):
            return try session.query(sql.postgresText, arguments).map { try row(Row(postgres: $0)) }
        }
    }

    /// Maps the first row of a query with `row`, or returns nil when there is none.
    func first<T>(_ sql: some EngineStatement, _ arguments: [any SQLBindable] = [], cached: Bool = true,
                  row: (Row) throws -> T) throws -> T? {
        switch self {
        case .sqlite(let connection):
            return try statement(connection, sql.sqliteText, cached: cached).queryFirst(arguments) { try row(Row(sqlite: $0)) }
        case .postgres(let session):
            return try session.query(sql.postgresText, arguments).first.map { try row(Row(postgres: $0)) }
        }
    }

    /// The first column of the first row as an integer, or nil when there is no row or it is NULL.
    func scalarInt(_ sql: some EngineStatement, _ arguments: [any SQLBindable] = [], cached: Bool = true) throws -> Int64? {
        try first(sql, arguments, cached: cached) { $0.optionalInt64(0) } ?? nil
    }

    /// Whether a query returns a row.
    func exists(_ sql: some EngineStatement, _ arguments: [any SQLBindable] = []) throws -> Bool {
        try first(sql, arguments) { _ in true } ?? false
    }

    /// Rows changed by the last `run` or `insert`.
    var changes: Int {
        switch self {
        case .sqlite(let connection): connection.changes
        case .postgres(let session): session.changes
        }
    }

    /// SQLite's connection, or nil on PostgreSQL: for work only SQLite has (a bulk load's indexes
    /// and page cache, a statement bound field by field on a hot path).
    var sqliteConnection: Connection? {
        if case .sqlite(let connection) = self { return connection }
        return nil
    }

    /// SQLite's cached statement for `sql`, for a hot path that binds it itself; nil on PostgreSQL,
    /// where the caller runs `sql` through `run` or `insert`.
    func preparedForSQLite(_ sql: some EngineStatement) throws -> Statement? {
        try sqliteConnection?.cachedStatement(sql.sqliteText)
    }

    private func statement(_ connection: Connection, _ sql: String, cached: Bool) throws -> Statement {
        cached ? try connection.cachedStatement(sql) : try connection.makeStatement(sql)
    }

    // MARK: Transactions

    /// Runs `body`'s reads as one consistent view of the database: SQLite's deferred transaction; on
    /// PostgreSQL a REPEATABLE READ, READ ONLY transaction (READ COMMITTED would let each statement
    /// see other commits). Inside an open transaction, a savepoint of it.
    func consistentRead<T>(_ body: () throws -> T) throws -> T {
        switch self {
        case .sqlite(let connection):
            return try connection.transaction(.deferred, body)
        case .postgres(let session):
            let outermost = !session.connection.isInTransaction
            return try session.connection.transaction {
                if outermost { try session.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", []) }
                return try body()
            }
        }
    }

    /// Whether a transaction is open.
    var isInTransaction: Bool {
        switch self {
        case .sqlite(let connection): connection.isInTransaction
        case .postgres(let session): session.connection.isInTransaction
        }
    }

    /// Runs `body` in a transaction, or in a savepoint when one is open: committed when it returns,
    /// rolled back and rethrown when it throws.
    ///
    /// `kind` is SQLite's (an immediate transaction takes the write lock at once). PostgreSQL's
    /// transactions are READ COMMITTED: a read-then-write is kept right there by the schema's
    /// UNIQUE constraints and row locks, which refuse the second writer instead of waiting for it.
    func transaction<T>(_ kind: Database.TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        switch self {
        case .sqlite(let connection):
            return try connection.transaction(kind == .deferred ? .deferred : .immediate, body)
        case .postgres(let session):
            return try session.connection.transaction(body)
        }
    }
}

/// SQL the executor runs: a `String` is the same text on both engines; an `EngineSQL` holds two.
protocol EngineStatement {
    /// The text SQLite runs.
    var sqliteText: String { get }
    /// The text PostgreSQL runs, before its `?` become `$n`.
    var postgresText: String { get }
}

extension String: EngineStatement {
    var sqliteText: String { self }
    var postgresText: String { self }
}

/// One statement whose engines need different words (`INSERT OR IGNORE` against `ON CONFLICT DO
/// NOTHING`, `max(a, b)` against `greatest(a, b)`...): both texts side by side, where the statement is
/// declared. PostgreSQL's is written with `?` too.
struct EngineSQL: EngineStatement {
    let sqliteText: String
    let postgresText: String

    init(sqlite: String, postgres: String) {
        sqliteText = sqlite
        postgresText = postgres
    }
}
