import CSQLite

/// One open SQLite database: a file or an in-memory database.
///
/// A connection is not `Sendable`: SQLite connections opened here use the multi-thread mode
/// (`SQLITE_OPEN_NOMUTEX`), so only one thread may use a connection at a time. Share one across
/// threads through `DatabaseQueue`, which serialises every access behind a mutex.
public final class Connection {
    /// How a connection is opened.
    public struct Options: Sendable {
        /// Open without the right to write.
        public var readOnly = false
        /// Create the file when it does not exist.
        public var create = true
        /// How long a statement waits on another process's lock before failing with `SQLITE_BUSY`.
        public var busyTimeoutMilliseconds: Int32 = 5_000
        /// Enforce foreign keys (always on in Lectern).
        public var foreignKeys = true
        /// Statements kept prepared by `cachedStatement(_:)`; the least recently used one leaves
        /// first. 0 turns the cache off.
        public var statementCacheCapacity = 64
        /// SQLite's page cache per connection, in KiB. Bulk imports into indexed tables are bound by
        /// it: SQLite's default (2 MiB) makes a million-row import thrash.
        public var pageCacheKiB = 65_536

        public init() {}
    }

    /// The open `sqlite3` handle, which every statement keeps alive too: a statement that outlives its
    /// connection (a bug, but not a crash) still finalises against an open database, and the handle
    /// is closed after the last of them is gone.
    final class Handle {
        let pointer: OpaquePointer
        /// The busy handler's timeout, in milliseconds (it outlives every call SQLite makes to the handler).
        let busyTimeout: UnsafeMutablePointer<Int32>

        init(path: String, flags: Int32, busyTimeoutMilliseconds: Int32) throws {
            var pointer: OpaquePointer?
            let code = sqlite3_open_v2(path, &pointer, flags, nil)
            guard code == SQLITE_OK, let pointer else {
                let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
                sqlite3_close_v2(pointer)
                throw SQLiteError(extendedCode: code, message: message)
            }
            self.pointer = pointer
            sqlite3_extended_result_codes(pointer, 1)
            busyTimeout = .allocate(capacity: 1)
            busyTimeout.initialize(to: busyTimeoutMilliseconds)
            lectern_sqlite_busy_retry(pointer, busyTimeout)
        }

        deinit {
            sqlite3_busy_handler(pointer, nil, nil)
            sqlite3_close_v2(pointer)
            busyTimeout.deallocate()
        }
    }

    /// The oldest SQLite Lectern runs on: 3.37.0, the first with STRICT tables, which every table of
    /// the schema is (https://www.sqlite.org/stricttables.html). In `sqlite3_libversion_number` form.
    public static let minimumSQLiteVersionNumber: Int32 = 3_037_000

    /// The version of the SQLite library this process runs, such as "3.40.1".
    public static var sqliteVersion: String { String(cString: sqlite3_libversion()) }

    /// Refuses an SQLite library older than 3.37.0.
    ///
    /// - Parameter versionNumber: as `sqlite3_libversion_number()` gives it: 3_040_001 for 3.40.1.
    /// - Throws: `SQLiteError` (`SQLITE_CANTOPEN`) saying which version is needed and which was found.
    public static func checkSQLiteVersion(_ versionNumber: Int32) throws {
        guard versionNumber < minimumSQLiteVersionNumber else { return }
        let found = "\(versionNumber / 1_000_000).\(versionNumber / 1_000 % 1_000).\(versionNumber % 1_000)"
        throw SQLiteError(extendedCode: SQLITE_CANTOPEN,
                          message: "SQLite 3.37 or newer is needed for STRICT tables; this system has \(found)")
    }

    let database: Handle
    @usableFromInline let handle: OpaquePointer
    /// The path given when opening, or `:memory:`.
    public let path: String
    private var statementCache: StatementCache
    private var transactionDepth = 0

    /// Opens (and by default creates) the database at `path`; `:memory:` opens a private
    /// in-memory database.
    ///
    /// File databases use WAL journaling with `synchronous=NORMAL`; every connection enforces
    /// foreign keys and waits `busyTimeoutMilliseconds` on a lock.
    /// - Throws: `SQLiteError` when the SQLite library is older than 3.37, or the file cannot be
    ///   opened or is not an SQLite database.
    public init(path: String, options: Options = Options()) throws {
        try Self.checkSQLiteVersion(sqlite3_libversion_number())
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if options.create && !options.readOnly { flags |= SQLITE_OPEN_CREATE }
        database = try Handle(path: path, flags: flags, busyTimeoutMilliseconds: options.busyTimeoutMilliseconds)
        handle = database.pointer
        self.path = path
        statementCache = StatementCache(capacity: options.statementCacheCapacity)
        // Reading the schema is the first thing that fails on a file that is not a database.
        try execute("SELECT count(*) FROM sqlite_schema")
        if options.foreignKeys { try execute("PRAGMA foreign_keys = ON") }
        try execute("PRAGMA cache_size = -\(max(0, options.pageCacheKiB))")
        if !isInMemory && !options.readOnly {
            try execute("PRAGMA journal_mode = WAL")
            try execute("PRAGMA synchronous = NORMAL")
        }
    }

    /// How long a statement waits on another connection's lock before failing with `SQLITE_BUSY`,
    /// retrying every millisecond (not SQLite's own back-off of up to 100 ms, which would miss the
    /// short gaps a training leaves between its cache transactions).
    public var busyTimeoutMilliseconds: Int32 { database.busyTimeout.pointee }

    /// Changes how long a locked database is waited for, keeping the 1 ms retry handler
    /// (`PRAGMA busy_timeout` would replace it with SQLite's back-off of up to 100 ms).
    public func setBusyTimeout(milliseconds: Int32) {
        database.busyTimeout.pointee = max(0, milliseconds)
    }

    /// Opens a private in-memory database.
    public static func inMemory() throws -> Connection {
        try Connection(path: ":memory:")
    }

    /// Whether this connection holds an in-memory database.
    public var isInMemory: Bool {
        path == ":memory:" || path.isEmpty || String(cString: sqlite3_db_filename(handle, "main")).isEmpty
    }

    // MARK: Statements

    /// Prepares one statement that the caller owns; it is finalised when the caller lets it go.
    ///
    /// For SQL built at run time (filters, `IN` lists, a number of rows). Fixed SQL that runs often
    /// is better served by `cachedStatement(_:)`.
    /// - Throws: `SQLiteError` when `sql` does not compile, or holds more than one statement.
    public func makeStatement(_ sql: String) throws -> Statement {
        try Statement(connection: self, sql: sql, persistent: false)
    }

    /// A prepared statement for `sql` that the connection keeps for the next caller, reset and with
    /// its bindings cleared.
    ///
    /// Only for fixed SQL (a `static let`): every distinct text takes a place in the cache, and the
    /// least recently used one leaves when it is full. A statement whose step or bind fails leaves the
    /// cache at once (its holder may go on using it); the next caller gets a fresh one.
    /// A cached statement must not be in use twice at once: asking for the same SQL resets it.
    /// - Complexity: O(1) when cached; when not, a prepare plus O(capacity) to find the statement to
    ///   evict once the cache is full.
    public func cachedStatement(_ sql: String) throws -> Statement {
        if let statement = statementCache.statement(for: sql) {
            sqlite3_reset(statement.handle)
            sqlite3_clear_bindings(statement.handle)
            return statement
        }
        let statement = try Statement(connection: self, sql: sql, persistent: true)
        if statementCache.insert(statement) { statement.cachingConnection = self }
        return statement
    }

    /// How many statements `cachedStatement(_:)` holds now.
    public var cachedStatementCount: Int { statementCache.count }

    /// Called by a cached statement whose step or bind failed.
    func statementDidFail(_ statement: Statement) {
        statementCache.remove(statement)
        statement.cachingConnection = nil
    }

    @available(*, deprecated, renamed: "makeStatement(_:)")
    public func prepare(_ sql: String) throws -> Statement {
        try makeStatement(sql)
    }

    @available(*, deprecated, renamed: "cachedStatement(_:)")
    public func cached(_ sql: String) throws -> Statement {
        try cachedStatement(sql)
    }

    // MARK: Running SQL

    /// Runs one or more statements with no parameters (schema scripts, pragmas).
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(extendedCode: sqlite3_extended_errcode(handle), message: text, sql: sql)
        }
    }

    /// Prepares `sql` (not cached), runs it with `arguments`, and expects no rows.
    ///
    /// For fixed SQL that runs often, use `cachedStatement(sql).run(arguments)`.
    public func run(_ sql: String, _ arguments: [any SQLBindable] = []) throws {
        try makeStatement(sql).run(arguments)
    }

    /// Prepares `sql` (not cached), runs it with `arguments`, and maps every row; `row` reads the
    /// current row from the statement.
    public func query<T>(_ sql: String, _ arguments: [any SQLBindable] = [],
                         row: (Statement) throws -> T) throws -> [T] {
        try makeStatement(sql).query(arguments, row: row)
    }

    /// Prepares `sql` (not cached), runs it with `arguments`, and maps its first row, or returns nil
    /// when there is none.
    public func queryFirst<T>(_ sql: String, _ arguments: [any SQLBindable] = [],
                              row: (Statement) throws -> T) throws -> T? {
        try makeStatement(sql).queryFirst(arguments, row: row)
    }

    /// The first column of the first row of `sql` (not cached) as an integer, or nil.
    public func scalarInt(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> Int64? {
        try makeStatement(sql).scalarInt(arguments)
    }

    /// The rowid of the last row inserted through this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Whether a transaction is open.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: Transactions

    /// How a transaction takes its lock.
    public enum TransactionKind: String, Sendable {
        /// Takes locks when first reading or writing.
        case deferred = "DEFERRED"
        /// Takes the write lock at once, so a read-then-write never fails half-way with SQLITE_BUSY.
        case immediate = "IMMEDIATE"
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back and rethrows when it throws.
    ///
    /// Nested calls become savepoints, so an inner failure undoes only the inner work.
    public func transaction<T>(_ kind: TransactionKind = .immediate, _ body: () throws -> T) throws -> T {
        try run(in: try begin(kind), body)
    }

    /// Runs `body` inside a savepoint: released when it returns, rolled back to when it throws.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        try run(in: try beginSavepoint(), body)
    }

    /// Runs `body` in `scope`: committed when it returns, rolled back when it throws.
    private func run<T>(in scope: Scope, _ body: () throws -> T) throws -> T {
        let result: T
        do {
            result = try body()
        } catch {
            rollBack(scope)
            throw error
        }
        try commit(scope)
        return result
    }

    /// A transaction or savepoint that `begin` opened, for `commit` or `rollBack` to close.
    ///
    /// `transaction` and `savepoint` are built from these three, and so is `DatabaseQueue.write`,
    /// which cannot hand its connection to a closure that also holds the caller's closure.
    enum Scope {
        case transaction
        case savepoint(name: String)
    }

    /// Begins a transaction, or a savepoint when one is open already.
    func begin(_ kind: TransactionKind) throws -> Scope {
        if isInTransaction { return try beginSavepoint() }
        try execute("BEGIN \(kind.rawValue) TRANSACTION")
        return .transaction
    }

    private func beginSavepoint() throws -> Scope {
        transactionDepth += 1
        let name = "lectern_sp\(transactionDepth)"
        do {
            try execute("SAVEPOINT \(name)")
        } catch {
            transactionDepth -= 1
            throw error
        }
        return .savepoint(name: name)
    }

    /// Commits (or releases) `scope`; when that fails, rolls it back and throws.
    func commit(_ scope: Scope) throws {
        do {
            switch scope {
            case .transaction:
                try execute("COMMIT TRANSACTION")
            case .savepoint(let name):
                try execute("RELEASE SAVEPOINT \(name)")
                transactionDepth -= 1
            }
        } catch {
            rollBack(scope)
            throw error
        }
    }

    /// Rolls `scope` back; a failure here leaves nothing more to undo, so it is not reported.
    func rollBack(_ scope: Scope) {
        switch scope {
        case .transaction:
            if isInTransaction { try? execute("ROLLBACK TRANSACTION") }
        case .savepoint(let name):
            try? execute("ROLLBACK TO SAVEPOINT \(name)")
            try? execute("RELEASE SAVEPOINT \(name)")
            transactionDepth -= 1
        }
    }
}

// A connection is used by one thread at a time; `DatabaseQueue` is how threads share one.
@available(*, unavailable)
extension Connection: Sendable {}
