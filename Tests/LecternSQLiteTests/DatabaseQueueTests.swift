import Dispatch
import LecternSQLite
import Synchronization
import Testing

@Suite("DatabaseQueue")
struct DatabaseQueueTests {
    @Test("many threads writing at once lose no row and break no transaction")
    func concurrentWrites() throws {
        let directory = try TemporaryDirectory()
        let queue = try DatabaseQueue(path: directory.path("queue.sqlite"))
        try queue.write { try $0.execute("CREATE TABLE t (worker INTEGER NOT NULL, n INTEGER NOT NULL)") }
        let workers = 8, insertsEach = 200
        let failures = Mutex<[String]>([])

        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for n in 0..<insertsEach {
                do {
                    try queue.write { db in
                        try db.run("INSERT INTO t (worker, n) VALUES (?, ?)", [worker, n])
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }

        #expect(failures.withLock { $0 }.isEmpty)
        #expect(try queue.read { try $0.scalarInt("SELECT count(*) FROM t") } == Int64(workers * insertsEach))
        // Every worker wrote each of its numbers exactly once.
        let perWorker = try queue.read { db in
            try db.query("SELECT worker, count(DISTINCT n) FROM t GROUP BY worker ORDER BY worker") { ($0.int(0), $0.int(1)) }
        }
        #expect(perWorker.map(\.0) == Array(0..<workers))
        #expect(perWorker.allSatisfy { $0.1 == insertsEach })
    }

    @Test("write is a transaction: a throwing closure leaves nothing behind")
    func writeRollsBack() throws {
        struct Planned: Error {}
        let queue = try DatabaseQueue(path: ":memory:")
        try queue.write { try $0.execute("CREATE TABLE t (x INTEGER)") }
        #expect(throws: Planned.self) {
            try queue.write { db in
                try db.run("INSERT INTO t (x) VALUES (?)", [1])
                throw Planned()
            }
        }
        #expect(try queue.read { try $0.scalarInt("SELECT count(*) FROM t") } == 0)
        #expect(queue.read { $0.isInTransaction } == false)
    }

    @Test("a queue wraps an existing connection")
    func wrapsConnection() throws {
        let connection = try Connection.inMemory()
        try connection.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (3);")
        let queue = DatabaseQueue(connection)
        #expect(try queue.read { try $0.scalarInt("SELECT x FROM t") } == 3)
    }
}
