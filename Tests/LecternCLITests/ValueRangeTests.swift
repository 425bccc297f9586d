import Foundation
import LecternSQLite
import LecternStore
import Testing

/// Times lie in 1970-01-01 .. 9999-12-31 and amounts in 0 .. 10^12 minor units, at every entry point
/// and in the schema; a database an older Lectern filled with values outside them works again.
@Suite("lectern value ranges")
struct ValueRangeTests {
    func seeded() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-101", "--at", "2025-03-01T10:00:00Z"])
        return lectern
    }

    static let header = "user,course,kind,value,occurred_at\n"

    @Test(arguments: [
        (["record", "view", "--user", "u1", "--course", "py-101", "--at=-9223372036854775000"], "--at must be a time such as"),
        (["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-03-01T09:00:00+99:99"], "--at must be a time such as"),
        (["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-03-01T09:00:00+15:00"], "--at must be a time such as"),
        (["record", "view", "--user", "u1", "--course", "py-101", "--at", "1969-12-31T23:59:59Z"], "--at must be a time such as"),
        (["record", "view", "--user", "u1", "--course", "py-101", "--at", "253402300800"], "--at must be a time such as"),
        (["record", "purchase", "--user", "u2", "--course", "py-101", "--amount", "46116860184273879.04"], "invalid --amount"),
        (["course", "add", "big-1", "--title", "T", "--domain", "x", "--price", "10000000000.01", "--creator", "1"], "invalid price"),
    ] as [([String], String)])
    func outOfRangeValuesAreInvalidInput(arguments: [String], expected: String) throws {
        let lectern = try seeded()
        let before = try lectern.snapshot()
        let result = try lectern.run(arguments)
        #expect(result.status == 4, "\(arguments): \(result.stderr)")
        #expect(result.errorLines.count == 1 && result.errorLines[0].hasPrefix("error: ") && result.stderr.contains(expected),
                "got: \(result.stderr)")
        #expect(try lectern.snapshot() == before)
    }

    @Test(arguments: [
        "u1,py-101,view,,-9223372036854775000\n",
        "u1,py-101,view,,2025-03-01T09:00:00+99:99\n",
        "u1,py-101,view,,1960-01-01\n",
        "u2,py-101,purchase,4611686018427387904,2025-03-01\n",
    ])
    func outOfRangeRowsAreRefusedByImport(row: String) throws {
        let lectern = try seeded()
        let before = try lectern.snapshot()
        let file = try lectern.write("events.csv", Self.header + "u2,py-101,view,,2025-03-02\n" + row)
        let result = try lectern.run(["import", "interactions", file])
        #expect(result.status == 4, "got \(result.status): \(result.stderr)")
        #expect(result.errorLines.count == 1 && result.stderr.contains("line 3"), "got: \(result.stderr)")
        #expect(try lectern.snapshot() == before)
    }

    @Test func theEdgesOfTheRangesAreAccepted() throws {
        let lectern = try seeded()
        try lectern.ok(["record", "view", "--user", "u2", "--course", "py-101", "--at", "1970-01-01T00:00:00Z"])
        try lectern.ok(["record", "view", "--user", "u2", "--course", "py-201", "--at", "9999-12-31T23:59:59Z"])
        try lectern.ok(["record", "view", "--user", "u2", "--course", "py-201", "--at", "2025-03-01T09:00:00+14:00"])
        try lectern.ok(["record", "purchase", "--user", "u2", "--course", "py-201", "--amount", "10000000000.00", "--at", "2025-03-02"])
        #expect(try lectern.ok(["activity", "--user", "u2", "--format", "csv"]).contains("9999-12-31T23:59:59Z"))
        try lectern.ok(["report", "sales"])
    }

    /// The schema refuses what the entry points refuse, for writers that skip them.
    @Test func theSchemaRefusesOutOfRangeRows() throws {
        let lectern = try seeded()
        let db = try Connection(path: lectern.databasePath)
        for sql in ["INSERT INTO interactions (user_id, course_id, kind, occurred_at) VALUES (1, 1, 'view', -1)",
                    "INSERT INTO interactions (user_id, course_id, kind, value, occurred_at) VALUES (2, 1, 'purchase', 1000000000001, 5)",
                    "UPDATE interactions SET occurred_at = 253402300800",
                    "UPDATE courses SET price_minor = 1000000000001",
                    "INSERT INTO users (external_id, created_at) VALUES ('z', -5)"] {
            #expect(throws: SQLiteError.self, "\(sql)") { try db.execute(sql) }
        }
    }

    /// A database an older Lectern (before migration 12) let extreme values into: the migration sets
    /// those events aside, and every command that used to trap on them works.
    @Test func extremeValuesFromAnOlderLecternAreSetAsideAndNothingTraps() throws {
        let lectern = try seeded()
        try lectern.ok(["record", "view", "--user", "u2", "--course", "py-201", "--at", "2025-03-03"])
        do {
            // Back to the schema of migration 11, then what an older Lectern accepted.
            let db = try Connection(path: lectern.databasePath)
            try db.execute("""
                DROP TABLE quarantined_interactions;
                DROP TRIGGER interactions_in_range; DROP TRIGGER interactions_stay_in_range;
                DROP TRIGGER courses_in_range; DROP TRIGGER courses_stay_in_range;
                DROP TRIGGER users_in_range; DROP TRIGGER users_stay_in_range; DROP TRIGGER creators_in_range;
                DELETE FROM schema_migrations WHERE version = 12;
                INSERT INTO interactions (user_id, course_id, kind, occurred_at) VALUES (2, 1, 'view', -9223372036854775000);
                INSERT INTO interactions (user_id, course_id, kind, value, occurred_at) VALUES (2, 1, 'purchase', 4611686018427387904, 1740787200);
                INSERT INTO interactions (user_id, course_id, kind, value, occurred_at) VALUES (2, 2, 'purchase', 4611686018427387904, 1740787200);
                UPDATE users SET created_at = 9223372036854775000 WHERE external_id = 'u2';
                """)
        }
        let html = lectern.path("report.html")
        for command in [["stats"], ["activity"], ["export", "interactions", "--out", lectern.path("out.csv")], ["train"],
                        ["report", "sales"], ["report", "creators"], ["report", "learners"], ["report", "channels"],
                        ["report", "all", "--format", "html", "--out", html], ["user", "profile", "u2"], ["clean", "--dry-run"]] {
            let result = try lectern.run(command)
            #expect(result.status == 0, "lectern \(command.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        // Three learners' events are too few to evaluate on: a documented refusal, not a trap.
        let evaluation = try lectern.run(["evaluate", "--split", "random", "--k", "5"])
        #expect(evaluation.status == 0 || (evaluation.status == 4 && evaluation.errorLines.count == 1), "\(evaluation.stderr)")
        let db = try Connection(path: lectern.databasePath)
        #expect(try db.scalarInt("SELECT count(*) FROM quarantined_interactions") == 3)
        #expect(try db.scalarInt("SELECT count(*) FROM interactions WHERE occurred_at NOT BETWEEN 0 AND 253402300799 OR value > 1000000000000") == 0)
        // Moved to the learner's first event, so that `clean` finds nothing before their sign-up.
        #expect(try db.scalarInt("SELECT created_at FROM users WHERE external_id = 'u2'") == Timestamp.parse("2025-03-03"))
        // The events that were fine are all still there, and the forgotten learner's set-aside ones go too.
        #expect(try db.scalarInt("SELECT count(*) FROM interactions") == 2)
        try lectern.ok(["user", "forget", "u2"])
        #expect(try db.scalarInt("SELECT count(*) FROM quarantined_interactions") == 0)
    }
}
