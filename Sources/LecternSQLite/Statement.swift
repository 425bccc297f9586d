import CSQLite

/// A prepared statement: bind parameters, step through rows, reset, and run again.
///
/// `Connection.makeStatement(_:)` makes one that the caller owns; `Connection.cachedStatement(_:)`
/// hands out one that the connection keeps for the next caller of the same SQL. A statement is used
/// only where its connection is, by one thread at a time, so it is not `Sendable`. It keeps its
/// database open while it lives.
public final class Statement {
    @usableFromInline let handle: OpaquePointer
    /// Keeps the `sqlite3` handle open for as long as this statement needs it.
    private let database: Connection.Handle
    /// The connection whose cache holds this statement, told when the statement fails so that the
    /// statement leaves the cache; nil when it is not cached.
    weak var cachingConnection: Connection?
    /// The SQL text as written by the caller.
    public let sql: String
    /// Result column names to indexes, made on the first read by name.
    private var columnIndexes: ColumnIndexes?

    /// Prepares `sql`, which must hold exactly one statement (a trailing `;` or comment is fine).
    ///
    /// - Parameter persistent: a hint that the statement will be kept and run many times
    ///   (`SQLITE_PREPARE_PERSISTENT`), for the statement cache.
    init(connection: Connection, sql: String, persistent: Bool) throws {
        let db = connection.handle
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        var handle: OpaquePointer?
        var extraStatement = false
        let code = sql.withCString { text -> Int32 in
            var tail: UnsafePointer<CChar>?
            let code = sqlite3_prepare_v3(db, text, -1, flags, &handle, &tail)
            if code == SQLITE_OK, let tail, Self.mayHoldStatement(tail) {
                // What follows the first statement must compile to nothing: whitespace or comments.
                var next: OpaquePointer?
                let nextCode = sqlite3_prepare_v3(db, tail, -1, 0, &next, nil)
                extraStatement = nextCode != SQLITE_OK || next != nil
                sqlite3_finalize(next)
            }
            return code
        }
        guard code == SQLITE_OK, let handle else {
            throw SQLiteError(database: db, code: code, sql: sql)
        }
        if extraStatement {
            sqlite3_finalize(handle)
            throw SQLiteError(extendedCode: SQLITE_MISUSE,
                              message: "more than one statement: run a script with execute(_:)", sql: sql)
        }
        self.handle = handle
        self.database = connection.database
        self.sql = sql
    }

    /// Whether `text` holds anything but whitespace and semicolons.
    private static func mayHoldStatement(_ text: UnsafePointer<CChar>) -> Bool {
        var pointer = text
        while pointer.pointee != 0 {
            switch UInt8(bitPattern: pointer.pointee) {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: ";"):
                pointer += 1
            default:
                return true
            }
        }
        return false
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// The number of `?` parameters.
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// The number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// The name of result column `index`.
    public func columnName(_ index: Int) -> String {
        String(cString: sqlite3_column_name(handle, Int32(index)))
    }

    // MARK: Binding (1-based, as in SQLite)

    @inlinable
    public func bind(_ index: Int, _ value: Int64) throws {
        try check(sqlite3_bind_int64(handle, Int32(index), value))
    }

    @inlinable
    public func bind(_ index: Int, _ value: Int) throws {
        try check(sqlite3_bind_int64(handle, Int32(index), Int64(value)))
    }

    @inlinable
    public func bind(_ index: Int, _ value: Double) throws {
        try check(sqlite3_bind_double(handle, Int32(index), value))
    }

    @inlinable
    public func bind(_ index: Int, _ value: String) throws {
        var value = value
        try check(value.withUTF8 { bindText(index, $0) })
    }

    /// Binds UTF-8 text straight from bytes (a slice of a file's buffer, say), without making a
    /// `String`. SQLite copies them; contiguous bytes are not copied before that.
    @inlinable
    public func bindText(_ index: Int, _ bytes: some Collection<UInt8>) throws {
        let code = bytes.withContiguousStorageIfAvailable { bindText(index, $0) }
            ?? Array(bytes).withUnsafeBufferPointer { bindText(index, $0) }
        try check(code)
    }

    /// Binds text that lives for the whole program (a string literal): SQLite need not copy it.
    @inlinable
    public func bind(_ index: Int, static value: StaticString) throws {
        // A one-scalar literal may be stored as the scalar, with no bytes to point at.
        guard value.hasPointerRepresentation else { return try bind(index, value.description) }
        let pointer = UnsafeRawPointer(value.utf8Start).assumingMemoryBound(to: CChar.self)
        try check(sqlite3_bind_text(handle, Int32(index), pointer, Int32(value.utf8CodeUnitCount), nil))
    }

    @inlinable
    public func bind(_ index: Int, _ value: [UInt8]) throws {
        try bindBlob(index, value)
    }

    /// Binds bytes as a blob (an empty collection is an empty blob, not NULL). SQLite copies them;
    /// contiguous bytes are not copied before that.
    @inlinable
    public func bindBlob(_ index: Int, _ bytes: some Collection<UInt8>) throws {
        let code = bytes.withContiguousStorageIfAvailable { bindBlob(index, $0) }
            ?? Array(bytes).withUnsafeBufferPointer { bindBlob(index, $0) }
        try check(code)
    }

    @inlinable
    public func bindNull(_ index: Int) throws {
        try check(sqlite3_bind_null(handle, Int32(index)))
    }

    public func bind(_ index: Int, _ value: SQLValue) throws {
        switch value {
        case .integer(let v): try bind(index, v)
        case .real(let v): try bind(index, v)
        case .text(let v): try bind(index, v)
        case .blob(let v): try bind(index, v)
        case .null: try bindNull(index)
        }
    }

    /// Binds all parameters in order, after clearing earlier bindings.
    public func bind(_ values: [any SQLBindable]) throws {
        sqlite3_clear_bindings(handle)
        guard values.count == parameterCount else {
            throw SQLiteError(extendedCode: SQLITE_RANGE,
                              message: "expected \(parameterCount) parameters, got \(values.count)", sql: sql)
        }
        for (offset, value) in values.enumerated() {
            try bind(offset + 1, value.sqlValue)
        }
    }

    /// Binds UTF-8 bytes that SQLite copies (`SQLITE_TRANSIENT`); returns SQLite's result code.
    @usableFromInline
    func bindText(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return sqlite3_bind_text(handle, Int32(index), "", 0, lectern_sqlite_transient())
        }
        return sqlite3_bind_text64(handle, Int32(index), UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                   UInt64(bytes.count), lectern_sqlite_transient(), UInt8(SQLITE_UTF8))
    }

    /// Binds bytes that SQLite copies (`SQLITE_TRANSIENT`); returns SQLite's result code.
    @usableFromInline
    func bindBlob(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else {
            return sqlite3_bind_zeroblob(handle, Int32(index), 0)
        }
        return sqlite3_bind_blob64(handle, Int32(index), base, UInt64(bytes.count), lectern_sqlite_transient())
    }

    // MARK: Stepping

    /// Advances to the next row; returns false when the statement is done.
    ///
    /// A failure resets the statement, and takes it out of its connection's statement cache.
    @inlinable
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw stepFailure(code)
        }
    }

    /// Resets the statement so it can run again; bindings are kept.
    @inlinable
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Runs a statement that returns no rows, with the current bindings, and resets it.
    @inlinable
    public func execute() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Binds `arguments` (clearing every earlier binding), runs the statement to its end, and resets it.
    public func run(_ arguments: [any SQLBindable] = []) throws {
        try bind(arguments)
        try execute()
    }

    /// Binds `arguments`, maps every row with `row` (which reads the current row from the
    /// statement), and resets the statement.
    public func query<T>(_ arguments: [any SQLBindable] = [], row: (Statement) throws -> T) throws -> [T] {
        try bind(arguments)
        defer { reset() }
        var rows: [T] = []
        while try step() {
            rows.append(try row(self))
        }
        return rows
    }

    /// Binds `arguments` and maps the first row with `row`, or returns nil when there is none;
    /// then resets the statement.
    public func queryFirst<T>(_ arguments: [any SQLBindable] = [], row: (Statement) throws -> T) throws -> T? {
        try bind(arguments)
        defer { reset() }
        return try step() ? row(self) : nil
    }

    /// The first column of the first row as an integer, or nil.
    public func scalarInt(_ arguments: [any SQLBindable] = []) throws -> Int64? {
        try queryFirst(arguments) { $0.optionalInt64(0) } ?? nil
    }

    // MARK: Reading columns by index (0-based, as in SQLite)

    @inlinable
    public func isNull(_ column: Int) -> Bool {
        sqlite3_column_type(handle, Int32(column)) == SQLITE_NULL
    }

    @inlinable
    public func int64(_ column: Int) -> Int64 {
        sqlite3_column_int64(handle, Int32(column))
    }

    @inlinable
    public func int(_ column: Int) -> Int {
        Int(sqlite3_column_int64(handle, Int32(column)))
    }

    @inlinable
    public func double(_ column: Int) -> Double {
        sqlite3_column_double(handle, Int32(column))
    }

    @inlinable
    public func text(_ column: Int) -> String {
        guard let pointer = sqlite3_column_text(handle, Int32(column)) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    @inlinable
    public func optionalText(_ column: Int) -> String? {
        isNull(column) ? nil : text(column)
    }

    @inlinable
    public func optionalInt64(_ column: Int) -> Int64? {
        isNull(column) ? nil : int64(column)
    }

    @inlinable
    public func optionalDouble(_ column: Int) -> Double? {
        isNull(column) ? nil : double(column)
    }

    public func blob(_ column: Int) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, Int32(column)))
        guard count > 0, let pointer = sqlite3_column_blob(handle, Int32(column)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Column `column` as its SQLite storage class.
    public func value(_ column: Int) -> SQLValue {
        switch sqlite3_column_type(handle, Int32(column)) {
        case SQLITE_INTEGER: .integer(int64(column))
        case SQLITE_FLOAT: .real(double(column))
        case SQLITE_TEXT: .text(text(column))
        case SQLITE_BLOB: .blob(blob(column))
        default: .null
        }
    }

    // MARK: Errors

    @usableFromInline
    func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw bindFailure(code) }
    }

    /// The error for a failed bind; the statement leaves the statement cache.
    @usableFromInline
    func bindFailure(_ code: Int32) -> SQLiteError {
        let error = SQLiteError(database: sqlite3_db_handle(handle), code: code, sql: sql)
        cachingConnection?.statementDidFail(self)
        return error
    }

    /// The error for a failed step; the statement is reset (its bindings kept) and leaves the
    /// statement cache, since a reset cannot always bring it back to a clean state
    /// (https://www.sqlite.org/c3ref/reset.html).
    @usableFromInline
    func stepFailure(_ code: Int32) -> SQLiteError {
        let error = SQLiteError(database: sqlite3_db_handle(handle), code: code, sql: sql)
        sqlite3_reset(handle)
        cachingConnection?.statementDidFail(self)
        return error
    }
}

// MARK: Reading columns by name

extension Statement {
    /// Result column names to indexes, for one compiled form of the statement.
    private struct ColumnIndexes {
        /// `SQLITE_STMTSTATUS_REPREPARE` when made: SQLite compiles a statement again after a schema
        /// change, and `SELECT *` may then have other columns.
        let reprepareCount: Int32
        var exact: [String: Int] = [:]
        var folded: [String: Int] = [:]
    }

    /// How many times SQLite compiled this statement again since it was prepared (after a schema
    /// change, or a new binding of a parameter its plan depends on). A statement on a hot path should
    /// stay at 0 or 1.
    public var reprepareCount: Int32 { sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0) }

    /// The index of the result column named `name`, or nil when there is none.
    ///
    /// The name is matched as written first, then ignoring ASCII case (as SQLite matches
    /// identifiers); of two columns with one name, the leftmost wins.
    /// - Complexity: O(columns) the first time (and after a schema change), then O(1).
    public func columnIndex(named name: String) -> Int? {
        let reprepares = sqlite3_stmt_status(handle, SQLITE_STMTSTATUS_REPREPARE, 0)
        if columnIndexes?.reprepareCount != reprepares {
            var indexes = ColumnIndexes(reprepareCount: reprepares)
            for column in 0..<columnCount {
                let columnName = columnName(column)
                if indexes.exact[columnName] == nil { indexes.exact[columnName] = column }
                let folded = Self.folded(columnName)
                if indexes.folded[folded] == nil { indexes.folded[folded] = column }
            }
            columnIndexes = indexes
        }
        return columnIndexes?.exact[name] ?? columnIndexes?.folded[Self.folded(name)]
    }

    /// ASCII letters in lower case; SQLite folds no other letters in identifiers.
    private static func folded(_ name: String) -> String {
        String(decoding: name.utf8.map { (65...90).contains($0) ? $0 + 32 : $0 }, as: UTF8.self)
    }

    /// The index of the column named `name`; a name the query does not have is a programming error.
    private func column(_ name: String) -> Int {
        guard let index = columnIndex(named: name) else {
            preconditionFailure("no column named '\(name)' in `\(sql)`")
        }
        return index
    }

    // The readers by name: `row.int64("price_minor")`. Asking for a column the query does not have
    // stops the program, as an index out of range does: the SQL is fixed, so a test finds it.

    public func isNull(_ column: String) -> Bool { isNull(self.column(column)) }
    public func int64(_ column: String) -> Int64 { int64(self.column(column)) }
    public func int(_ column: String) -> Int { int(self.column(column)) }
    public func double(_ column: String) -> Double { double(self.column(column)) }
    public func text(_ column: String) -> String { text(self.column(column)) }
    public func optionalText(_ column: String) -> String? { optionalText(self.column(column)) }
    public func optionalInt64(_ column: String) -> Int64? { optionalInt64(self.column(column)) }
    public func optionalDouble(_ column: String) -> Double? { optionalDouble(self.column(column)) }
    public func blob(_ column: String) -> [UInt8] { blob(self.column(column)) }
    public func value(_ column: String) -> SQLValue { value(self.column(column)) }
}

// Statements must be used only where their connection is (GRDB's `Statement` does the same).
@available(*, unavailable)
extension Statement: Sendable {}
