import LecternSQLite
import Testing

@Suite("SQLiteError")
struct SQLiteErrorTests {
    /// A table with one rule of each kind, and a parent row to refer to.
    private func makeDatabase() throws -> Connection {
        let db = try Connection.inMemory()
        try db.execute("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            INSERT INTO parent (id) VALUES (1);
            CREATE TABLE secrets (
                id        INTEGER PRIMARY KEY,
                code      TEXT NOT NULL UNIQUE,
                pin       TEXT CHECK (length(pin) <= 4),
                parent_id INTEGER REFERENCES parent (id)
            );
            """)
        return db
    }

    // Extended result codes are SQLITE_CONSTRAINT (19) | (n << 8), from sqlite3.h:
    // CHECK n=1 -> 275, FOREIGNKEY n=3 -> 787, PRIMARYKEY n=6 -> 1555, UNIQUE n=8 -> 2067.

    @Test("a unique violation is 2067 and never shows the value that clashed")
    func uniqueViolation() throws {
        let db = try makeDatabase()
        let secret = "hunter2-s3cr3t-unique"
        let sql = "INSERT INTO secrets (code) VALUES (?)"
        try db.run(sql, [secret])
        let error = #expect(throws: SQLiteError.self) { try db.run(sql, [secret]) }
        let unwrapped = try #require(error)
        #expect(unwrapped.extendedCode == 2067)
        #expect(unwrapped.primaryCode == 19)
        #expect(unwrapped.isConstraintViolation)
        #expect(unwrapped.isUniqueViolation)
        #expect(!unwrapped.isCheckViolation && !unwrapped.isForeignKeyViolation)
        #expect(unwrapped.message.contains("UNIQUE constraint failed: secrets.code"))
        #expect(unwrapped.sql == sql)
        #expect(unwrapped.codeName == "constraint failed")
        #expect(unwrapped.description.contains("2067"))
        #expect(unwrapped.description.contains(sql))
        #expect(!unwrapped.description.contains(secret))
        #expect(!String(reflecting: unwrapped).contains(secret))
    }

    @Test("a check violation is 275 and never shows the value that broke it")
    func checkViolation() throws {
        let db = try makeDatabase()
        let secret = "PIN-918273645"
        let error = #expect(throws: SQLiteError.self) {
            try db.run("INSERT INTO secrets (code, pin) VALUES (?, ?)", ["a", secret])
        }
        #expect(error?.extendedCode == 275)
        #expect(error?.isCheckViolation == true)
        #expect(error?.message.contains("CHECK constraint failed") == true)
        #expect(error?.description.contains(secret) == false)
        #expect(error?.description.contains("INSERT INTO secrets (code, pin) VALUES (?, ?)") == true)
    }

    @Test("a foreign key violation is 787")
    func foreignKeyViolation() throws {
        let db = try makeDatabase()
        let error = #expect(throws: SQLiteError.self) {
            try db.run("INSERT INTO secrets (code, parent_id) VALUES (?, ?)", ["b", 424_242])
        }
        #expect(error?.extendedCode == 787)
        #expect(error?.isForeignKeyViolation == true)
        #expect(error?.isUniqueViolation == false)
        #expect(error?.description.contains("424242") == false)
    }

    @Test("a primary key clash is 1555 and counts as a unique violation")
    func primaryKeyViolation() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE k (name TEXT PRIMARY KEY) WITHOUT ROWID")
        try db.run("INSERT INTO k (name) VALUES (?)", ["x"])
        let error = #expect(throws: SQLiteError.self) { try db.run("INSERT INTO k (name) VALUES (?)", ["x"]) }
        #expect(error?.extendedCode == 1555)
        #expect(error?.isUniqueViolation == true)
    }

    @Test("the named constants match the codes SQLite documents")
    func constants() {
        #expect(SQLiteError.constraintCheck == 275)
        #expect(SQLiteError.constraintForeignKey == 787)
        #expect(SQLiteError.constraintPrimaryKey == 1555)
        #expect(SQLiteError.constraintTrigger == 1811)
        #expect(SQLiteError.constraintUnique == 2067)
    }

    @Test("busy and locked both count as busy; the primary code is the low byte")
    func predicates() {
        #expect(SQLiteError(extendedCode: 5, message: "").isBusy)
        #expect(SQLiteError(extendedCode: 6, message: "").isBusy)          // SQLITE_LOCKED
        #expect(SQLiteError(extendedCode: 517, message: "").isBusy)        // SQLITE_BUSY_SNAPSHOT
        #expect(!SQLiteError(extendedCode: 19, message: "").isBusy)
        #expect(SQLiteError(extendedCode: 26, message: "").isNotADatabase)
        #expect(SQLiteError(extendedCode: 517, message: "").primaryCode == 5)
        let plain = SQLiteError(extendedCode: 1, message: "boom")
        #expect(plain.sql == nil)
        #expect(plain.description == "SQLite error 1 (SQL logic error): boom")
    }
}
