import LecternSQLite
import Testing

@Suite("Statement cache")
struct StatementCacheTests {
    private func makeDatabase(capacity: Int = 64) throws -> Connection {
        var options = Connection.Options()
        options.statementCacheCapacity = capacity
        let db = try Connection(path: ":memory:", options: options)
        try db.execute("CREATE TABLE t (x INTEGER NOT NULL UNIQUE)")
        return db
    }

    @Test("makeStatement and the run/query helpers taking SQL cache nothing")
    func madeStatementsAreNotCached() throws {
        let db = try makeDatabase()
        let sql = "SELECT count(*) FROM t"
        let made = try db.makeStatement(sql)
        #expect(try db.makeStatement(sql) !== made)
        try db.run("INSERT INTO t (x) VALUES (?)", [1])
        #expect(try db.scalarInt(sql) == 1)
        #expect(try db.query("SELECT x FROM t") { $0.int(0) } == [1])
        #expect(db.cachedStatementCount == 0)

        let cached = try db.cachedStatement(sql)
        #expect(cached !== made)
        #expect(db.cachedStatementCount == 1)
        #expect(try db.cachedStatement(sql) === cached)
    }

    @Test("a full cache evicts the least recently used statement and keeps the others")
    func evictsLeastRecentlyUsed() throws {
        let db = try makeDatabase(capacity: 3)
        let a = try db.cachedStatement("SELECT 'a'")
        let b = try db.cachedStatement("SELECT 'b'")
        let c = try db.cachedStatement("SELECT 'c'")
        // Using a again makes b the least recently used.
        #expect(try db.cachedStatement("SELECT 'a'") === a)
        let d = try db.cachedStatement("SELECT 'd'")
        #expect(db.cachedStatementCount == 3)
        // a, c and d stay (asking for them changes which is oldest: now a, c, d in that order).
        #expect(try db.cachedStatement("SELECT 'a'") === a)
        #expect(try db.cachedStatement("SELECT 'c'") === c)
        #expect(try db.cachedStatement("SELECT 'd'") === d)
        // b was evicted: asking again prepares a new one, which evicts a, the oldest now.
        let newB = try db.cachedStatement("SELECT 'b'")
        #expect(newB !== b)
        #expect(db.cachedStatementCount == 3)
        #expect(try db.cachedStatement("SELECT 'c'") === c)
        #expect(try db.cachedStatement("SELECT 'd'") === d)
        #expect(try db.cachedStatement("SELECT 'b'") === newB)
        #expect(try db.cachedStatement("SELECT 'a'") !== a)
        // An evicted statement its caller still holds keeps working.
        #expect(try b.queryFirst { $0.text(0) } == "b")
    }

    @Test("more distinct queries than the cache holds still give the right answers")
    func overflowAnswersRight() throws {
        let db = try makeDatabase(capacity: 2)
        for round in 0..<3 {
            for n in 1...5 {
                let statement = try db.cachedStatement("SELECT ? * \(n)")
                #expect(try statement.scalarInt([round + 1]) == Int64((round + 1) * n))
                #expect(db.cachedStatementCount <= 2)
            }
        }
    }

    @Test("a capacity of 0 caches nothing")
    func noCache() throws {
        let db = try makeDatabase(capacity: 0)
        let first = try db.cachedStatement("SELECT 1")
        #expect(try db.cachedStatement("SELECT 1") !== first)
        #expect(db.cachedStatementCount == 0)
        #expect(try first.scalarInt() == 1)
    }

    @Test("a statement whose step fails leaves the cache; its holder may still use it")
    func failedStepLeavesCache() throws {
        let db = try makeDatabase()
        let sql = "INSERT INTO t (x) VALUES (?)"
        let insert = try db.cachedStatement(sql)
        try insert.run([1])
        #expect(try db.cachedStatement(sql) === insert)
        let error = #expect(throws: SQLiteError.self) { try insert.run([1]) }
        #expect(error?.isUniqueViolation == true)
        #expect(db.cachedStatementCount == 0)

        let fresh = try db.cachedStatement(sql)
        #expect(fresh !== insert)
        try fresh.run([2])
        try insert.run([3])
        #expect(try db.query("SELECT x FROM t ORDER BY x") { $0.int(0) } == [1, 2, 3])
        // The failed statement's later failure does not drop the fresh one.
        #expect(throws: SQLiteError.self) { try insert.run([2]) }
        #expect(try db.cachedStatement(sql) === fresh)
    }

    @Test("a statement whose bind fails leaves the cache")
    func failedBindLeavesCache() throws {
        let db = try makeDatabase()
        let sql = "SELECT ?"
        let statement = try db.cachedStatement(sql)
        let error = #expect(throws: SQLiteError.self) { try statement.bind(2, 7) }
        #expect(error?.primaryCode == 25)  // SQLITE_RANGE
        #expect(error?.sql == sql)
        #expect(db.cachedStatementCount == 0)
        #expect(try db.cachedStatement(sql) !== statement)
    }

    @Test("a statement outlives its connection safely: it keeps the database open")
    func statementOutlivesConnection() throws {
        var db: Connection? = try makeDatabase()
        try db?.run("INSERT INTO t (x) VALUES (41)")
        let statement = try #require(try db?.cachedStatement("SELECT x + 1 FROM t"))
        db = nil
        #expect(try statement.scalarInt() == 42)
    }

    @Test("SQL holding two statements is refused; a trailing semicolon or comment is not a statement")
    func oneStatementOnly() throws {
        let db = try makeDatabase()
        let error = #expect(throws: SQLiteError.self) {
            _ = try db.makeStatement("INSERT INTO t (x) VALUES (1); DELETE FROM t")
        }
        #expect(error?.primaryCode == 21)  // SQLITE_MISUSE
        #expect(throws: SQLiteError.self) { try db.run("SELECT 1; SELECT 2;") }
        #expect(throws: SQLiteError.self) { _ = try db.cachedStatement("SELECT 1; nonsense") }
        #expect(db.cachedStatementCount == 0)
        try db.run("INSERT INTO t (x) VALUES (1);  \n")
        try db.run("INSERT INTO t (x) VALUES (2); -- the second row")
        try db.run("INSERT INTO t (x) VALUES (3) /* the third */ ;")
        #expect(try db.scalarInt("SELECT count(*) FROM t") == 3)
    }
}
