internal import LecternPostgres
internal import LecternSQLite

/// Where a repository runs its statements: SQLite's connection or PostgreSQL's, behind one API.
///
/// SQL is written once, for SQLite, with `?` parameters (`?NNN` numbered); on PostgreSQL it is
/// translated once per text (`PostgresSQL.translate`). A statement whose engines need different
/// words is an `EngineSQL`, both texts side by side. The SQLite path is LecternSQLite's prepared
/// statements as before: fixed SQL goes through the statement cache, built SQL (`cached: false`) is
/// prepared per call. On PostgreSQL fixed SQL that returns rows is prepared once per connection
/// (`PGConnection.query(prepare:)`), built SQL runs as an unnamed statement. Not `Sendable`, like both connections.
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
            return try session.query(sql.postgresText, arguments, prepare: cached).map { try row(Row(postgres: $0)) }
        }
    }

    /// Maps the first row of a query with `row`, or returns nil when there is none.
    func first<T>(_ sql: some EngineStatement, _ arguments: [any SQLBindable] = [], cached: Bool = true,
                  row: (Row) throws -> T) throws -> T? {
        switch self {
        case .sqlite(let connection):
            return try statement(connection, sql.sqliteText, cached: cached).queryFirst(arguments) { try row(Row(sqlite: $0)) }
        case .postgres(let session):
            return try session.query(sql.postgresText, arguments, prepare: cached).first.map { try row(Row(postgres: $0)) }
        }
    }

    /// Calls `body` with every row of a query, in order, without collecting them: SQLite steps its
    /// statement row by row; PostgreSQL's rows arrive decoded, all at once.
    func each(_ sql: some EngineStatement, _ arguments: [any SQLBindable] = [], cached: Bool = true,
              _ body: (Row) throws -> Void) throws {
        switch self {
        case .sqlite(let connection):
            let statement = try statement(connection, sql.sqliteText, cached: cached)
            try statement.bind(arguments)
            defer { statement.reset() }
            while try statement.step() { try body(Row(sqlite: statement)) }
        case .postgres(let session):
            for row in try session.query(sql.postgresText, arguments, prepare: cached) { try body(Row(postgres: row)) }
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

    /// Makes the open transaction the only writer of these learners' events until it ends, so that
    /// a check-then-insert (the same event sent twice, a refund of the one purchase) cannot race a
    /// session on another API node. PostgreSQL: transaction-level advisory locks in the key space
    /// (1280, hash of the id), taken in ascending order so two batches never deadlock. SQLite: nothing
    /// (its one writer already serialises every write).
    func lockLearners(_ ids: [Int64]) throws {
        guard case .postgres(let session) = self, session.connection.isInTransaction else { return }
        for id in Set(ids).sorted() {
            _ = try session.connection.execute("SELECT pg_advisory_xact_lock(1280, hashint8($1))", [.integer(id)])
        }
    }

    // MARK: Transactions

    /// Runs `body` reading one snapshot of the database, as a report that reads a rollup, its
    /// watermark and the events above it must: SQLite's deferred transaction; on PostgreSQL a
    /// REPEATABLE READ, READ ONLY transaction (READ COMMITTED would give each statement its own
    /// snapshot). Inside an open transaction, that transaction's.
    func readSnapshot<T>(_ body: () throws -> T) throws -> T {
        switch self {
        case .sqlite(let connection):
            return try connection.transaction(.deferred, body)
        case .postgres(let session):
            if session.connection.isInTransaction { return try body() }
            return try session.connection.transaction(begin: "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY") { try body() }
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

    /// A statement whose PostgreSQL text is SQLite's with a few words changed: each key of
    /// `replacements`, which must occur once in `sqlite`, is replaced by its value.
    init(sqlite: String, postgresReplacing replacements: KeyValuePairs<String, String>) {
        var postgres = sqlite
        for (old, new) in replacements {
            precondition(sqlite.components(separatedBy: old).count == 2, "'\(old)' must occur once in the statement")
            postgres = postgres.replacingOccurrences(of: old, with: new)
        }
        self.init(sqlite: sqlite, postgres: postgres)
    }
}
