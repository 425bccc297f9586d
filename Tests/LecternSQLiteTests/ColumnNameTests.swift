import LecternSQLite
import Testing

@Suite("Columns by name")
struct ColumnNameTests {
    @Test("every reader takes a column's name as well as its index")
    func readsByName() throws {
        let db = try Connection.inMemory()
        let statement = try db.makeStatement("""
            SELECT 'swift-101' AS slug, 4900 AS price_minor, 2.5 AS hours, x'00ff' AS cover,
                   NULL AS archived_at, 'EUR' AS currency
            """)
        #expect(try statement.step())
        #expect(statement.text("slug") == "swift-101")
        #expect(statement.int64("price_minor") == 4900)
        #expect(statement.int("price_minor") == 4900)
        #expect(statement.double("hours") == 2.5)
        #expect(statement.blob("cover") == [0, 0xFF])
        #expect(statement.isNull("archived_at"))
        #expect(statement.optionalInt64("archived_at") == nil)
        #expect(statement.optionalText("archived_at") == nil)
        #expect(statement.optionalDouble("hours") == 2.5)
        #expect(statement.optionalText("currency") == "EUR")
        #expect(statement.value("price_minor") == .integer(4900))
    }

    @Test("columnIndex(named:) matches the exact name first, then ignoring ASCII case; the leftmost of two wins")
    func indexes() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE c (id INTEGER PRIMARY KEY, Title TEXT); INSERT INTO c VALUES (1, 'one');")
        let statement = try db.makeStatement("SELECT c.id, c.Title, 'x' AS title, 2 AS id, 3 AS Ü FROM c")
        #expect(statement.columnIndex(named: "id") == 0)
        #expect(statement.columnIndex(named: "Title") == 1)
        #expect(statement.columnIndex(named: "title") == 2)
        #expect(statement.columnIndex(named: "TITLE") == 1)
        #expect(statement.columnIndex(named: "ID") == 0)
        #expect(statement.columnIndex(named: "Ü") == 4)
        // SQLite folds only ASCII letters.
        #expect(statement.columnIndex(named: "ü") == nil)
        #expect(statement.columnIndex(named: "missing") == nil)
        #expect(try statement.step())
        #expect(statement.text("Title") == "one")
        #expect(statement.text("title") == "x")
    }

    @Test("a cached statement reads by name across runs and arguments")
    func cachedByName() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE p (name TEXT, price_minor INTEGER); INSERT INTO p VALUES ('a', 10), ('b', 20);")
        let sql = "SELECT name, price_minor FROM p WHERE price_minor > ? ORDER BY price_minor"
        for (floor, names) in [(0, ["a", "b"]), (15, ["b"]), (25, [])] {
            let rows = try db.cachedStatement(sql).query([floor]) { "\($0.text("name")) \($0.int64("price_minor"))" }
            #expect(rows.map { String($0.prefix(1)) } == names)
        }
    }

    @Test("after a schema change, SELECT * is compiled again and its new column is found by name")
    func schemaChange() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1);")
        let statement = try db.cachedStatement("SELECT * FROM t")
        #expect(try statement.queryFirst { $0.int("a") } == 1)
        #expect(statement.columnIndex(named: "b") == nil)
        try db.execute("ALTER TABLE t ADD COLUMN b TEXT DEFAULT 'new'")
        #expect(try statement.queryFirst { $0.text("b") } == "new")
        #expect(statement.columnIndex(named: "b") == 1)
    }
}
