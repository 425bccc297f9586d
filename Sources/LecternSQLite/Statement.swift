import CSQLite

/// A prepared statement: bind parameters, step through rows, reset, and run again.
///
/// A statement belongs to the connection that prepared it and must only be used while that
/// connection is open, on the thread that owns the connection.
public final class Statement {
    @usableFromInline let handle: OpaquePointer
    @usableFromInline unowned let connection: Connection
    /// The SQL text as written by the caller.
    public let sql: String

    init(connection: Connection, sql: String) throws {
        var handle: OpaquePointer?
        let code = sqlite3_prepare_v3(connection.handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard code == SQLITE_OK, let handle else {
            throw connection.error(code: code, sql: sql)
        }
        self.handle = handle
        self.connection = connection
        self.sql = sql
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
        let code = value.withUTF8 { bytes in
            sqlite3_bind_text(handle, Int32(index), UnsafeRawPointer(bytes.baseAddress!)
                .assumingMemoryBound(to: CChar.self), Int32(bytes.count), lectern_sqlite_transient())
        }
        try check(code)
    }

    /// Binds UTF-8 text straight from a byte buffer, without making a `String`.
    @inlinable
    public func bindText(_ index: Int, _ bytes: UnsafeRawBufferPointer) throws {
        let base = bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
        try check(sqlite3_bind_text(handle, Int32(index), base.assumingMemoryBound(to: CChar.self),
                                    Int32(bytes.count), lectern_sqlite_transient()))
    }

    /// Binds text that lives for the whole program (a string literal): SQLite need not copy it.
    @inlinable
    public func bind(_ index: Int, static value: StaticString) throws {
        let pointer = UnsafeRawPointer(value.utf8Start).assumingMemoryBound(to: CChar.self)
        try check(sqlite3_bind_text(handle, Int32(index), pointer, Int32(value.utf8CodeUnitCount), nil))
    }

    @inlinable
    public func bind(_ index: Int, _ value: [UInt8]) throws {
        let code = value.withUnsafeBytes { bytes in
            sqlite3_bind_blob(handle, Int32(index), bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                              Int32(bytes.count), lectern_sqlite_transient())
        }
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

    // MARK: Stepping

    /// Advances to the next row; returns false when the statement is done.
    @inlinable
    @discardableResult
    public func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
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

    // MARK: Reading columns (0-based, as in SQLite)

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

    @usableFromInline
    func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw connection.error(code: code, sql: sql) }
    }
}
