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
        /// Statements kept prepared by `cached(_:)`.
        public var statementCacheCapacity = 64
        /// SQLite's page cache per connection, in KiB. Bulk imports into indexed tables are bound by
        /// it: SQLite's default (2 MiB) makes a million-row import thrash.
        public var pageCacheKiB = 65_536

        public init() {}
    }

    @usableFromInline let handle: OpaquePointer
    /// The busy handler's timeout, in milliseconds (it outlives every call SQLite makes to the handler).
    private let busyTimeout = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
    /// The path given when opening, or `:memory:`.
    public let path: String
    private var cache: [String: Statement] = [:]
    private let cacheCapacity: Int
    private var transactionDepth = 0

    /// Opens (and by default creates) the database at `path`; `:memory:` opens a private
    /// in-memory database.
    ///
    /// File databases use WAL journaling with `synchronous=NORMAL`; every connection enforces
    /// foreign keys and waits `busyTimeoutMilliseconds` on a lock.
    /// - Throws: `SQLiteError` when the file cannot be opened or is not an SQLite database.
    public init(path: String, options: Options = Options()) throws {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if options.create && !options.readOnly { flags |= SQLITE_OPEN_CREATE }
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(handle)
            throw SQLiteError(extendedCode: code, message: message)
        }
        self.handle = handle
        self.path = path
        self.cacheCapacity = options.statementCacheCapacity
        sqlite3_extended_result_codes(handle, 1)
        busyTimeout.initialize(to: options.busyTimeoutMilliseconds)
        lectern_sqlite_busy_retry(handle, busyTimeout)
        do {
            // Reading the schema is the first thing that fails on a file that is not a database.
            try execute("SELECT count(*) FROM sqlite_schema")
            if options.foreignKeys { try execute("PRAGMA foreign_keys = ON") }
            try execute("PRAGMA cache_size = -\(max(0, options.pageCacheKiB))")
            if !isInMemory && !options.readOnly {
                try execute("PRAGMA journal_mode = WAL")
                try execute("PRAGMA synchronous = NORMAL")
            }
        } catch {
            // `self` is fully initialised here, so `deinit` runs and closes the handle.
            throw error
        }
    }

    /// How long a statement waits on another connection's lock before failing with `SQLITE_BUSY`,
    /// retrying every millisecond (not SQLite's own back-off of up to 100 ms, which would miss the
    /// short gaps a training leaves between its cache transactions).
    public var busyTimeoutMilliseconds: Int32 { busyTimeout.pointee }

    /// Opens a private in-memory database.
    public static func inMemory() throws -> Connection {
        try Connection(path: ":memory:")
    }

    deinit {
        cache.removeAll()
        sqlite3_busy_handler(handle, nil, nil)
        busyTimeout.deallocate()
        sqlite3_close_v2(handle)
    }

    /// Whether this connection holds an in-memory database.
    public var isInMemory: Bool {
        path == ":memory:" || path.isEmpty || String(cString: sqlite3_db_filename(handle, "main")).isEmpty
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

    /// Prepares a statement that the caller owns.
    public func prepare(_ sql: String) throws -> Statement {
        try Statement(connection: self, sql: sql)
    }

    /// A prepared statement for `sql`, kept for reuse; it is reset and its bindings cleared.
    ///
    /// Repository queries are `static let` strings, so the cache stays small.
    public func cached(_ sql: String) throws -> Statement {
        if let statement = cache[sql] {
            sqlite3_reset(statement.handle)
            sqlite3_clear_bindings(statement.handle)
            return statement
        }
        let statement = try prepare(sql)
        if cache.count >= cacheCapacity { cache.removeAll(keepingCapacity: true) }
        cache[sql] = statement
        return statement
    }

    /// Runs a statement that returns no rows.
    public func run(_ sql: String, _ arguments: [any SQLBindable] = []) throws {
        let statement = try cached(sql)
        try statement.bind(arguments)
        try statement.execute()
    }

    /// Runs a query and maps every row; `row` reads the current row from the statement.
    public func query<T>(_ sql: String, _ arguments: [any SQLBindable] = [],
                         row: (Statement) throws -> T) throws -> [T] {
        let statement = try cached(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        var rows: [T] = []
        while try statement.step() {
            rows.append(try row(statement))
        }
        return rows
    }

    /// Runs a query and maps its first row, or returns nil when there is none.
    public func queryFirst<T>(_ sql: String, _ arguments: [any SQLBindable] = [],
                              row: (Statement) throws -> T) throws -> T? {
        let statement = try cached(sql)
        try statement.bind(arguments)
        defer { statement.reset() }
        return try statement.step() ? row(statement) : nil
    }

    /// The first column of the first row as an integer, or nil.
    public func scalarInt(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> Int64? {
        try queryFirst(sql, arguments) { $0.optionalInt64(0) } ?? nil
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
        if isInTransaction {
            return try savepoint(body)
        }
        try execute("BEGIN \(kind.rawValue) TRANSACTION")
        do {
            let result = try body()
            try execute("COMMIT TRANSACTION")
            return result
        } catch {
            if isInTransaction { try? execute("ROLLBACK TRANSACTION") }
            throw error
        }
    }

    /// Runs `body` inside a savepoint: released when it returns, rolled back to when it throws.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        transactionDepth += 1
        defer { transactionDepth -= 1 }
        let name = "lectern_sp\(transactionDepth)"
        try execute("SAVEPOINT \(name)")
        do {
            let result = try body()
            try execute("RELEASE SAVEPOINT \(name)")
            return result
        } catch {
            try? execute("ROLLBACK TO SAVEPOINT \(name)")
            try? execute("RELEASE SAVEPOINT \(name)")
            throw error
        }
    }

    // MARK: Errors

    @usableFromInline
    func error(code: Int32, sql: String?) -> SQLiteError {
        let extended = sqlite3_extended_errcode(handle)
        let message = String(cString: sqlite3_errmsg(handle))
        return SQLiteError(extendedCode: extended != 0 ? extended : code, message: message, sql: sql)
    }
}
