import Foundation
import LecternSQLite
import Testing

@Suite("Statement")
struct StatementTests {
    /// `typeof(?)` and the value of one bound parameter, as SQLite sees them.
    private func roundTrip(_ value: any SQLBindable, in db: Connection) throws -> (type: String, value: SQLValue) {
        let statement = try db.makeStatement("SELECT typeof(?1), ?1")
        try statement.bind([value])
        #expect(try statement.step())
        let result = (statement.text(0), statement.value(1))
        #expect(try !statement.step())
        return result
    }

    // MARK: Binding and reading each storage class

    @Test("integers keep every bit, including the extremes", arguments: [Int64.min, -1, 0, 1, 1_735_689_600, Int64.max])
    func integers(value: Int64) throws {
        let db = try Connection.inMemory()
        let (type, read) = try roundTrip(value, in: db)
        #expect(type == "integer")
        #expect(read == .integer(value))

        let statement = try db.makeStatement("SELECT ?")
        try statement.bind(1, value)
        #expect(try statement.step())
        #expect(statement.int64(0) == value)
        #expect(statement.optionalInt64(0) == value)
    }

    @Test("reals are read back exactly", arguments: [0.0, -0.5, 3.25, 1e300, -2.2250738585072014e-308])
    func reals(value: Double) throws {
        let db = try Connection.inMemory()
        let (type, read) = try roundTrip(value, in: db)
        #expect(type == "real")
        #expect(read == .real(value))

        let statement = try db.makeStatement("SELECT ? * 2")
        try statement.bind(1, value)
        #expect(try statement.step())
        #expect(statement.double(0) == value * 2)
        #expect(statement.optionalDouble(0) == value * 2)
    }

    @Test("text survives non-ASCII, quotes, newlines and an embedded NUL", arguments: [
        "",
        "plain",
        "Grüße aus Köln – 東京 🎓",
        "O'Brien said \"hi\"; DROP TABLE t; --",
        "line one\nline two\r\n\ttabbed",
        "before\u{0}after",
    ])
    func text(value: String) throws {
        let db = try Connection.inMemory()
        let (type, read) = try roundTrip(value, in: db)
        #expect(type == "text")
        #expect(read == .text(value))

        // Stored in a table and compared by SQLite itself, not only echoed.
        try db.execute("CREATE TABLE t (body TEXT NOT NULL)")
        try db.run("INSERT INTO t (body) VALUES (?)", [value])
        #expect(try db.queryFirst("SELECT body FROM t") { $0.text(0) } == value)
        #expect(try db.scalarInt("SELECT count(*) FROM t WHERE body = ?", [value]) == 1)
        #expect(try db.scalarInt("SELECT length(CAST(body AS BLOB)) FROM t") == Int64(value.utf8.count))
    }

    @Test("non-ASCII text has SQLite's character length, not its byte length")
    func textLength() throws {
        let db = try Connection.inMemory()
        // "é" is 2 bytes, "東" 3 and "🎓" 4 in UTF-8: 3 characters, 9 bytes.
        let statement = try db.makeStatement("SELECT length(?1), length(CAST(?1 AS BLOB))")
        try statement.bind(1, "é東🎓")
        #expect(try statement.step())
        #expect(statement.int(0) == 3)
        #expect(statement.int(1) == 9)
    }

    @Test("blobs keep zero bytes and high bytes; an empty blob is a blob, not NULL")
    func blobs() throws {
        let db = try Connection.inMemory()
        let bytes: [UInt8] = [0, 1, 0x7F, 0x80, 0xFE, 0xFF, 0]
        let (type, read) = try roundTrip(bytes, in: db)
        #expect(type == "blob")
        #expect(read == .blob(bytes))

        let statement = try db.makeStatement("SELECT typeof(?1), length(?1), hex(?1), ?1")
        try statement.bind(1, [UInt8]())
        #expect(try statement.step())
        #expect(statement.text(0) == "blob")
        #expect(statement.int(1) == 0)
        #expect(!statement.isNull(3))
        #expect(statement.blob(3) == [])

        statement.reset()
        try statement.bind(1, bytes)
        #expect(try statement.step())
        #expect(statement.text(2) == "00017F80FEFF00")
        #expect(statement.blob(3) == bytes)
    }

    @Test("text and blobs bind from any collection of bytes: arrays, slices, Data, and ones not contiguous")
    func bytesFromCollections() throws {
        let db = try Connection.inMemory()
        let statement = try db.makeStatement("SELECT typeof(?1), ?1, typeof(?2), hex(?2)")
        let line = Array("id,Grüße,42".utf8)
        let field = line[3..<10]
        try statement.bindText(1, field)
        try statement.bindBlob(2, Data([0, 0xFF]))
        #expect(try statement.step())
        #expect(statement.text(0) == "text")
        #expect(statement.text(1) == "Grüße")
        #expect(statement.text(2) == "blob")
        #expect(statement.text(3) == "00FF")

        statement.reset()
        try statement.bindText(1, repeatElement(UInt8(ascii: "a"), count: 3))
        try statement.bindBlob(2, repeatElement(UInt8(1), count: 2))
        #expect(try statement.step())
        #expect(statement.text(1) == "aaa")
        #expect(statement.text(3) == "0101")

        // Empty bytes are empty text and an empty blob, not NULL.
        statement.reset()
        try statement.bindText(1, line[0..<0])
        try statement.bindBlob(2, [UInt8]())
        #expect(try statement.step())
        #expect(statement.text(0) == "text")
        #expect(statement.text(2) == "blob")
    }

    @Test("text bound from a string literal reads back")
    func staticText() throws {
        let db = try Connection.inMemory()
        let statement = try db.makeStatement("SELECT ?1, ?2")
        try statement.bind(1, static: "purchase")
        try statement.bind(2, static: "é")
        #expect(try statement.step())
        #expect(statement.text(0) == "purchase")
        #expect(statement.text(1) == "é")
    }

    @Test("NULL binds from bindNull, from nil and from SQLValue.null, and reads as nil")
    func nulls() throws {
        let db = try Connection.inMemory()
        let missing: String? = nil
        #expect(try roundTrip(missing, in: db) == ("null", .null))
        #expect(try roundTrip(SQLValue.null, in: db) == ("null", .null))

        let statement = try db.makeStatement("SELECT ?")
        try statement.bindNull(1)
        #expect(try statement.step())
        #expect(statement.isNull(0))
        #expect(statement.optionalText(0) == nil)
        #expect(statement.optionalInt64(0) == nil)
        #expect(statement.optionalDouble(0) == nil)
        #expect(statement.value(0) == .null)
    }

    @Test("every SQLBindable type binds to the storage class it names")
    func bindableTypes() throws {
        let db = try Connection.inMemory()
        let present: Int? = 9
        let values: [any SQLBindable] = [
            Int(-3), Int64(1 << 40), Int32(-7), true, false, 2.5, "text", "sub-string".dropFirst(4),
            [UInt8]([1, 2]), present, SQLValue.real(0.25),
        ]
        let expected: [SQLValue] = [
            .integer(-3), .integer(1 << 40), .integer(-7), .integer(1), .integer(0), .real(2.5), .text("text"),
            .text("string"), .blob([1, 2]), .integer(9), .real(0.25),
        ]
        let placeholders = Array(repeating: "?", count: values.count).joined(separator: ", ")
        let statement = try db.makeStatement("SELECT \(placeholders)")
        #expect(statement.parameterCount == values.count)
        try statement.bind(values)
        #expect(try statement.step())
        #expect(statement.columnCount == values.count)
        #expect((0..<values.count).map { statement.value($0) } == expected)
    }

    // MARK: Statement life cycle

    @Test("the wrong number of arguments is refused with SQLITE_RANGE before anything runs")
    func wrongArgumentCount() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (a INTEGER, b INTEGER)")
        let sql = "INSERT INTO t (a, b) VALUES (?, ?)"
        let error = #expect(throws: SQLiteError.self) { try db.run(sql, [1]) }
        #expect(error?.extendedCode == 25)
        #expect(error?.message.contains("expected 2 parameters, got 1") == true)
        #expect(error?.sql == sql)
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 0)
    }

    @Test("SQL that does not compile is refused with its text and SQLite's message")
    func prepareError() throws {
        let db = try Connection.inMemory()
        let sql = "SELEC 1"
        let error = #expect(throws: SQLiteError.self) { _ = try db.makeStatement(sql) }
        #expect(error?.extendedCode == 1)
        #expect(error?.sql == sql)
        #expect(error?.message.contains("syntax error") == true)
    }

    @Test("column names and counts describe the result")
    func columns() throws {
        let db = try Connection.inMemory()
        let statement = try db.makeStatement("SELECT 1 AS one, 'two' AS second, NULL AS missing")
        #expect(statement.columnCount == 3)
        #expect(statement.parameterCount == 0)
        #expect((0..<3).map(statement.columnName) == ["one", "second", "missing"])
        #expect(statement.sql == "SELECT 1 AS one, 'two' AS second, NULL AS missing")
    }

    @Test("step walks the rows and reports the end; reset starts over and keeps the bindings")
    func stepAndReset() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3), (4);")
        let statement = try db.makeStatement("SELECT x FROM t WHERE x > ? ORDER BY x")
        try statement.bind(1, 2)
        var seen: [Int] = []
        while try statement.step() { seen.append(statement.int(0)) }
        #expect(seen == [3, 4])
        statement.reset()
        #expect(try statement.step())
        #expect(statement.int(0) == 3)
    }

    @Test("execute runs a statement to the end and leaves it ready to run again")
    func executeTwice() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (x INTEGER)")
        let insert = try db.makeStatement("INSERT INTO t (x) VALUES (?)")
        try insert.bind(1, 10)
        try insert.execute()
        try insert.execute()
        try insert.bind(1, 20)
        try insert.execute()
        #expect(try db.query("SELECT x FROM t ORDER BY rowid") { $0.int(0) } == [10, 10, 20])
    }

    @Test("a failed step is reported with the statement's SQL and the statement can run again")
    func stepFailure() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (x INTEGER UNIQUE)")
        let insert = try db.makeStatement("INSERT INTO t (x) VALUES (?)")
        try insert.bind(1, 1)
        try insert.execute()
        let error = #expect(throws: SQLiteError.self) { try insert.execute() }
        #expect(error?.isUniqueViolation == true)
        #expect(error?.sql == "INSERT INTO t (x) VALUES (?)")
        try insert.bind(1, 2)
        try insert.execute()
        #expect(try db.scalarInt("SELECT sum(x) FROM t") == 3)
    }

    // MARK: The statement cache

    @Test("cachedStatement returns the same statement, reset and with its bindings cleared")
    func cachedStatementIsReset() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);")
        let sql = "SELECT x, ? FROM t ORDER BY x"
        let first = try db.cachedStatement(sql)
        try first.bind(1, "bound")
        #expect(try first.step())
        #expect(try first.step())
        #expect(first.int(0) == 2)
        #expect(first.text(1) == "bound")

        let again = try db.cachedStatement(sql)
        #expect(again === first)
        // Reset: the next step is the first row again. Cleared: the parameter is NULL.
        #expect(try again.step())
        #expect(again.int(0) == 1)
        #expect(again.isNull(1))

        #expect(try db.cachedStatement("SELECT 1") !== first)
    }
}
