import Foundation
import LecternSQLite
import Testing

/// An error a test throws on purpose; each one is distinct, so a test can tell it got the same one back.
private struct Planned: Error, Equatable {
    let token = UUID()
}

@Suite("Transactions")
struct TransactionTests {
    private func makeDatabase() throws -> Connection {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE t (name TEXT NOT NULL UNIQUE)")
        return db
    }

    private func names(_ db: Connection) throws -> [String] {
        try db.query("SELECT name FROM t ORDER BY name") { $0.text(0) }
    }

    private func insert(_ name: String, _ db: Connection) throws {
        try db.run("INSERT INTO t (name) VALUES (?)", [name])
    }

    @Test("a transaction commits what its closure did and returns its result")
    func commits() throws {
        let db = try makeDatabase()
        let result = try db.transaction {
            #expect(db.isInTransaction)
            try insert("a", db)
            try insert("b", db)
            return 42
        }
        #expect(result == 42)
        #expect(!db.isInTransaction)
        #expect(try names(db) == ["a", "b"])
    }

    @Test("a closure that throws rolls everything back and the same error comes out")
    func rollsBack() throws {
        let db = try makeDatabase()
        try insert("kept", db)
        let planned = Planned()
        let error = #expect(throws: Planned.self) {
            try db.transaction {
                try insert("a", db)
                try insert("b", db)
                throw planned
            }
        }
        #expect(error == planned)
        #expect(!db.isInTransaction)
        #expect(try names(db) == ["kept"])
    }

    @Test("an SQLite error inside the closure rolls back the earlier statements")
    func rollsBackOnSQLiteError() throws {
        let db = try makeDatabase()
        let error = #expect(throws: SQLiteError.self) {
            try db.transaction(.deferred) {
                try insert("a", db)
                try insert("a", db)
            }
        }
        #expect(error?.extendedCode == 2067)
        #expect(!db.isInTransaction)
        #expect(try names(db).isEmpty)
    }

    @Test("a nested transaction is a savepoint: its failure undoes only its own work")
    func nestedFailureIsUndone() throws {
        let db = try makeDatabase()
        let planned = Planned()
        try db.transaction {
            try insert("outer-before", db)
            let error = #expect(throws: Planned.self) {
                try db.transaction {
                    try insert("inner", db)
                    throw planned
                }
            }
            #expect(error == planned)
            // Still inside the outer transaction, which goes on.
            #expect(db.isInTransaction)
            try insert("outer-after", db)
        }
        #expect(try names(db) == ["outer-after", "outer-before"])
    }

    @Test("a nested transaction that succeeds is kept when the outer one commits")
    func nestedSuccessIsKept() throws {
        let db = try makeDatabase()
        try db.transaction {
            try insert("outer", db)
            let inner = try db.transaction {
                try insert("inner", db)
                return "done"
            }
            #expect(inner == "done")
        }
        #expect(try names(db) == ["inner", "outer"])
    }

    @Test("when the outer transaction fails, a released inner savepoint is undone too")
    func outerFailureUndoesInner() throws {
        let db = try makeDatabase()
        #expect(throws: Planned.self) {
            try db.transaction {
                try db.transaction { try insert("inner", db) }
                try insert("outer", db)
                throw Planned()
            }
        }
        #expect(try names(db).isEmpty)
        #expect(!db.isInTransaction)
    }

    @Test("three levels deep: a failing middle level undoes its own inner level, nothing else")
    func threeLevels() throws {
        let db = try makeDatabase()
        try db.transaction {
            try insert("level1", db)
            #expect(throws: Planned.self) {
                try db.transaction {
                    try insert("level2", db)
                    try db.transaction { try insert("level3", db) }
                    throw Planned()
                }
            }
            try db.transaction { try insert("level2-again", db) }
        }
        #expect(try names(db) == ["level1", "level2-again"])
    }

    @Test("a savepoint outside a transaction behaves as one")
    func savepointAlone() throws {
        let db = try makeDatabase()
        #expect(throws: Planned.self) {
            try db.savepoint {
                try insert("gone", db)
                throw Planned()
            }
        }
        try db.savepoint { try insert("kept", db) }
        #expect(try names(db) == ["kept"])
        #expect(!db.isInTransaction)
    }

    @Test("an immediate transaction takes the write lock at once; a deferred one waits for its first write")
    func transactionKinds() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("kinds.sqlite")
        let db = try Connection(path: path)
        try db.execute("CREATE TABLE t (name TEXT NOT NULL UNIQUE)")
        var options = Connection.Options()
        options.busyTimeoutMilliseconds = 20
        let other = try Connection(path: path, options: options)

        try db.transaction(.immediate) {
            let error = #expect(throws: SQLiteError.self) { try insert("other", other) }
            #expect(error?.isBusy == true)
        }
        try db.transaction(.deferred) {
            // Nothing read or written yet: the other connection may still write.
            try insert("other", other)
        }
        #expect(try names(db) == ["other"])
    }
}
