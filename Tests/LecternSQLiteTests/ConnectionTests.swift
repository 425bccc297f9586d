import Foundation
import LecternSQLite
import Synchronization
import Testing

@Suite("Connection")
struct ConnectionTests {
    // MARK: Opening

    @Test("an in-memory database is private, enforces foreign keys and keeps its journal in memory")
    func openInMemory() throws {
        let db = try Connection.inMemory()
        #expect(db.isInMemory)
        #expect(db.path == ":memory:")
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.queryFirst("PRAGMA journal_mode") { $0.text(0) } == "memory")

        try db.execute("CREATE TABLE t (x INTEGER)")
        try db.run("INSERT INTO t (x) VALUES (?)", [41])
        // A second in-memory connection sees its own, empty database.
        let other = try Connection.inMemory()
        #expect(try other.scalarInt("SELECT count(*) FROM sqlite_schema") == 0)
        #expect(try db.scalarInt("SELECT x + 1 FROM t") == 42)
    }

    @Test("a file database uses WAL, synchronous=NORMAL and foreign keys")
    func openFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("lectern.sqlite")
        let db = try Connection(path: path)
        #expect(!db.isInMemory)
        #expect(db.path == path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try db.queryFirst("PRAGMA journal_mode") { $0.text(0) } == "wal")
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        // NORMAL is 1 (OFF 0, FULL 2, EXTRA 3).
        #expect(try db.scalarInt("PRAGMA synchronous") == 1)
        #expect(db.busyTimeoutMilliseconds == 5_000)
    }

    @Test("options turn foreign keys off and set the busy timeout")
    func options() throws {
        var options = Connection.Options()
        options.foreignKeys = false
        options.busyTimeoutMilliseconds = 123
        let db = try Connection(path: ":memory:", options: options)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 0)
        #expect(db.busyTimeoutMilliseconds == 123)
    }

    /// A writer that takes the lock again 2 ms after each commit (as a training writing its cache
    /// does) never keeps out a connection that waits: it retries every millisecond and gets in.
    @Test("a waiting writer gets in through a short gap between another's transactions")
    func busyWaitCatchesShortGaps() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("lectern.sqlite")
        let setup = try Connection(path: path)
        try setup.execute("CREATE TABLE t (x INTEGER)")
        let stop = LockFlag()
        let holder = Thread {
            guard let db = try? Connection(path: path) else { return }
            while !stop.isSet {
                try? db.transaction(.immediate) {
                    try db.run("INSERT INTO t VALUES (1)")
                    Thread.sleep(forTimeInterval: 0.05)  // holds the write lock for 50 ms
                }
                Thread.sleep(forTimeInterval: 0.002)
            }
        }
        holder.start()
        defer { stop.set() }
        Thread.sleep(forTimeInterval: 0.1)
        var options = Connection.Options()
        options.busyTimeoutMilliseconds = 400
        let waiter = try Connection(path: path, options: options)
        let started = ContinuousClock.now
        for _ in 0..<20 {
            try waiter.run("INSERT INTO t VALUES (2)")  // each within 400 ms, or it throws
            Thread.sleep(forTimeInterval: 0.03)
        }
        let held = try waiter.scalarInt("SELECT count(*) FROM t WHERE x = 1") ?? 0
        #expect(try waiter.scalarInt("SELECT count(*) FROM t WHERE x = 2") == 20)
        // The other writer was busy all along: about one 52 ms cycle per 50 ms of this loop.
        #expect(held >= 8, "the holder committed \(held) times in \(ContinuousClock.now - started)")
    }

    @Test("foreign keys are enforced by default")
    func foreignKeysEnforced() throws {
        let db = try Connection.inMemory()
        try db.execute("""
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));
            """)
        let error = #expect(throws: SQLiteError.self) {
            try db.run("INSERT INTO child (parent_id) VALUES (?)", [7])
        }
        #expect(error?.extendedCode == 787)
        #expect(try db.scalarInt("SELECT count(*) FROM child") == 0)
    }

    @Test("a file that is not a database is refused with SQLITE_NOTADB")
    func notADatabase() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("notes.sqlite")
        let text = String(repeating: "These are not the pages you are looking for. ", count: 40)
        try text.write(toFile: path, atomically: true, encoding: .utf8)

        let error = #expect(throws: SQLiteError.self) { _ = try Connection(path: path) }
        #expect(error?.isNotADatabase == true)
        #expect(error?.primaryCode == 26)
        // The file is left as it was.
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test("create: false refuses a missing file and does not create it")
    func createFalse() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("missing.sqlite")
        var options = Connection.Options()
        options.create = false
        let error = #expect(throws: SQLiteError.self) { _ = try Connection(path: path, options: options) }
        #expect(error?.primaryCode == 14) // SQLITE_CANTOPEN
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a read-only connection reads but cannot write")
    func readOnly() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("ro.sqlite")
        let writer = try Connection(path: path)
        try writer.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (5);")

        var options = Connection.Options()
        options.readOnly = true
        let reader = try Connection(path: path, options: options)
        #expect(try reader.scalarInt("SELECT x FROM t") == 5)
        let error = #expect(throws: SQLiteError.self) { try reader.run("INSERT INTO t (x) VALUES (?)", [6]) }
        #expect(error?.primaryCode == 8) // SQLITE_READONLY
        #expect(try writer.scalarInt("SELECT count(*) FROM t") == 1)
    }

    // MARK: Locks

    @Test("a write waits only the busy timeout for another connection's write lock, then fails with isBusy")
    func busyTimeout() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("busy.sqlite")
        let holder = try Connection(path: path)
        try holder.execute("CREATE TABLE t (x INTEGER)")
        var options = Connection.Options()
        options.busyTimeoutMilliseconds = 50
        let impatient = try Connection(path: path, options: options)

        try holder.execute("BEGIN IMMEDIATE")
        let error = #expect(throws: SQLiteError.self) {
            try impatient.run("INSERT INTO t (x) VALUES (?)", [1])
        }
        #expect(error?.isBusy == true)
        #expect(error?.primaryCode == 5) // SQLITE_BUSY
        // Reading is not blocked by a writer in WAL mode.
        #expect(try impatient.scalarInt("SELECT count(*) FROM t") == 0)
        try holder.execute("COMMIT")

        // Once the lock is released the same write succeeds.
        try impatient.run("INSERT INTO t (x) VALUES (?)", [1])
        #expect(try holder.scalarInt("SELECT count(*) FROM t") == 1)
    }

    // MARK: Running SQL

    @Test("execute runs several statements; run, query and queryFirst bind parameters")
    func runningSQL() throws {
        let db = try Connection.inMemory()
        try db.execute("""
            CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
            INSERT INTO t (name) VALUES ('a');
            INSERT INTO t (name) VALUES ('b');
            """)
        #expect(db.lastInsertRowID == 2)
        try db.run("INSERT INTO t (name) VALUES (?)", ["c"])
        #expect(db.lastInsertRowID == 3)
        #expect(db.changes == 1)
        try db.run("UPDATE t SET name = upper(name) WHERE id >= ?", [2])
        #expect(db.changes == 2)

        let names = try db.query("SELECT name FROM t WHERE id > ? ORDER BY id", [0]) { $0.text(0) }
        #expect(names == ["a", "B", "C"])
        #expect(try db.queryFirst("SELECT name FROM t WHERE id = ?", [2]) { $0.text(0) } == "B")
        #expect(try db.queryFirst("SELECT name FROM t WHERE id = ?", [99]) { $0.text(0) } == nil)
        #expect(try db.scalarInt("SELECT max(id) FROM t WHERE id < ?", [0]) == nil)
        #expect(try db.scalarInt("SELECT sum(id) FROM t") == 6)
    }

    @Test("a query can be run again after it stopped half-way")
    func queryAgainAfterPartialRead() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3);")
        let sql = "SELECT x FROM t ORDER BY x"
        #expect(try db.queryFirst(sql) { $0.int(0) } == 1)
        #expect(try db.query(sql) { $0.int(0) } == [1, 2, 3])
        #expect(try db.queryFirst(sql) { $0.int(0) } == 1)
    }

    @Test("an error in execute carries the code, SQLite's message and the SQL")
    func executeError() throws {
        let db = try Connection.inMemory()
        let sql = "CREATE TABLE t (x INTEGER); SELECT * FROM no_such_table;"
        let error = #expect(throws: SQLiteError.self) { try db.execute(sql) }
        #expect(error?.extendedCode == 1)
        #expect(error?.message.contains("no_such_table") == true)
        #expect(error?.sql == sql)
        // The statement before the failing one ran (execute is not a transaction).
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE name = 't'") == 1)
    }

    // MARK: The SQLite version

    @Test("an SQLite older than 3.37 is refused with the version needed and the one found",
          arguments: [(3_036_000, "3.36.0"), (3_031_001, "3.31.1"), (3_008_011, "3.8.11")])
    func oldSQLiteRefused(number: Int32, spelled: String) throws {
        let error = #expect(throws: SQLiteError.self) { try Connection.checkSQLiteVersion(number) }
        #expect(error?.message == "SQLite 3.37 or newer is needed for STRICT tables; this system has \(spelled)")
        #expect(error?.primaryCode == 14)  // SQLITE_CANTOPEN
    }

    @Test("SQLite 3.37.0 and newer are accepted", arguments: [Int32(3_037_000), 3_037_002, 3_040_001, 3_050_000])
    func newSQLiteAccepted(number: Int32) throws {
        try Connection.checkSQLiteVersion(number)
    }

    @Test("this system's SQLite is new enough, and a STRICT table works")
    func thisSQLite() throws {
        let parts = Connection.sqliteVersion.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count == 3)
        #expect(parts.lexicographicallyPrecedes([3, 37, 0]) == false)
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (x INTEGER) STRICT")
        #expect(throws: SQLiteError.self) { try db.run("INSERT INTO t (x) VALUES ('not a number')") }
    }
}

/// A flag set once by one thread and read by another.
final class LockFlag: Sendable {
    private let value = Atomic(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
