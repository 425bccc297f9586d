import Foundation
import LecternSQLite
@testable import LecternStore
import Testing

@Suite("Migrator")
struct MigratorTests {
    /// "LCTR" read as a big-endian 32-bit number, worked out from the letters, not copied from the source.
    static let lecternApplicationID: Int64 = "LCTR".utf8.reduce(0) { $0 << 8 | Int64($1) }

    static let tables = ["course_prerequisites", "course_tags", "courses", "creators", "interactions",
                         "schema_migrations", "tags", "user_interests", "users"]

    /// A test-only migration numbered right after the embedded ones.
    static func extraMigration(_ sql: String = "CREATE TABLE reviews (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT;",
                               name: String = "add_reviews") -> Migration {
        let version = (Migration.embedded.last?.version ?? 0) + 1
        let number = String(version)
        let padded = String(repeating: "0", count: max(0, 4 - number.count)) + number
        return Migration(fileName: "\(padded)_\(name).sql", sql: sql)!
    }

    private func tableNames(_ db: Connection) throws -> [String] {
        try db.query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name") { $0.text(0) }
    }

    private func ledger(_ db: Connection) throws -> [(version: Int, name: String, checksum: String, appliedAt: Int64)] {
        try db.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version") {
            ($0.int(0), $0.text(1), $0.text(2), $0.int64(3))
        }
    }

    // MARK: Migration values

    @Test("a migration's version and name come from its file name")
    func parsesFileNames() throws {
        let migration = try #require(Migration(fileName: "0003_add_things.sql", sql: "SELECT 1;"))
        #expect(migration.version == 3)
        #expect(migration.name == "add_things")
        #expect(migration.sql == "SELECT 1;")
        #expect(Migration(fileName: "0012_no_suffix", sql: "")?.version == 12)
        #expect(Migration(fileName: "notes.sql", sql: "") == nil)
        #expect(Migration(fileName: "0000_zero.sql", sql: "") == nil)
        #expect(Migration(fileName: "12.sql", sql: "") == nil)
        #expect(Migration(fileName: "v1_start.sql", sql: "") == nil)
    }

    @Test("the checksum is 64-bit FNV-1a of the text, as 16 hex digits")
    func checksum() throws {
        // Published FNV-1a 64 test vectors (Fowler, Noll, Vo).
        #expect(Migration(fileName: "0001_a.sql", sql: "")!.checksum == "cbf29ce484222325")
        #expect(Migration(fileName: "0001_a.sql", sql: "a")!.checksum == "af63dc4c8601ec8c")
        #expect(Migration(fileName: "0001_a.sql", sql: "foobar")!.checksum == "85944171f73967e8")
    }

    @Test("the embedded migrations start at 1, have no gaps and include the first schema file")
    func embedded() {
        let versions = Migration.embedded.map(\.version)
        #expect(versions == Array(1...max(1, versions.count)))
        #expect(Migration.embedded.first?.name == "catalog_and_activity")
        #expect(Migration.embedded.first?.sql.contains("CREATE TABLE interactions") == true)
    }

    // MARK: Migrating

    @Test("a fresh database gets every migration, the ledger and Lectern's application id")
    func freshDatabase() throws {
        let db = try Connection.inMemory()
        let applied = try Migrator().migrate(db, now: 1_700_000_000)
        #expect(!applied.isEmpty)
        #expect(applied == Migration.embedded)
        #expect(try db.scalarInt("PRAGMA application_id") == Self.lecternApplicationID)
        #expect(Migrator.applicationID == Self.lecternApplicationID)
        #expect(Set(Self.tables).isSubset(of: Set(try tableNames(db))))
        let rows = try ledger(db)
        #expect(rows.map(\.version) == Migration.embedded.map(\.version))
        #expect(rows.map(\.name) == Migration.embedded.map(\.name))
        #expect(rows.map(\.checksum) == Migration.embedded.map(\.checksum))
        #expect(rows.allSatisfy { $0.appliedAt == 1_700_000_000 })
    }

    @Test("LecternDatabase.inMemory is migrated and enforces foreign keys")
    func inMemoryHelper() throws {
        let db = try makeDatabase()
        #expect(try db.scalarInt("PRAGMA application_id") == Self.lecternApplicationID)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try rowCount(db, "schema_migrations") == Migration.embedded.count)
    }

    @Test("migrating again applies nothing and changes nothing")
    func rerunIsNoOp() throws {
        let db = try Connection.inMemory()
        try Migrator().migrate(db, now: 1_700_000_000)
        let before = try ledger(db)
        let applied = try Migrator().migrate(db, now: 1_800_000_000)
        #expect(applied.isEmpty)
        let after = try ledger(db)
        #expect(after.map(\.version) == before.map(\.version))
        #expect(after.allSatisfy { $0.appliedAt == 1_700_000_000 })
    }

    @Test("status lists every migration as applied, with when, and a pending one without")
    func status() throws {
        let db = try Connection.inMemory()
        try Migrator().migrate(db, now: 1_700_000_123)
        let states = try Migrator().status(db)
        #expect(states.map(\.version) == Migration.embedded.map(\.version))
        #expect(states.map(\.name) == Migration.embedded.map(\.name))
        #expect(states.allSatisfy { $0.appliedAt == 1_700_000_123 && $0.checksumMatches })

        let extra = Self.extraMigration()
        let withExtra = try Migrator(migrations: Migration.embedded + [extra]).status(db)
        #expect(withExtra.count == Migration.embedded.count + 1)
        let pending = try #require(withExtra.last)
        #expect(pending.version == extra.version)
        #expect(pending.name == "add_reviews")
        #expect(pending.appliedAt == nil)
        #expect(pending.checksumMatches)
    }

    @Test("status of an empty database lists everything as pending and changes nothing")
    func statusOfEmptyDatabase() throws {
        let db = try Connection.inMemory()
        let states = try Migrator().status(db)
        #expect(states.count == Migration.embedded.count)
        #expect(states.allSatisfy { $0.appliedAt == nil })
        #expect(try tableNames(db).isEmpty)
        #expect(try db.scalarInt("PRAGMA application_id") == 0)
    }

    /// A database migrated up to `version`, holding a creator, courses x and y and learners u1 and u2:
    /// what an older Lectern left, for a later migration to carry over.
    static func catalogAtVersion(_ version: Int) throws -> Connection {
        let db = try Connection.inMemory()
        try db.execute("PRAGMA foreign_keys = ON")
        try Migrator(migrations: Migration.embedded.filter { $0.version <= version }).migrate(db, now: 100)
        try db.execute("""
            INSERT INTO creators (id, name, revenue_share, created_at) VALUES (1, 'C', 0.7, 0);
            INSERT INTO courses (id, slug, title, creator_id, domain, difficulty, format, price_minor, currency, status, created_at, updated_at)
            VALUES (1, 'x', 'Course X', 1, 'data', 'beginner', 'video', 100, 'EUR', 'published', 0, 0),
                   (2, 'y', 'Course Y', 1, 'data', 'beginner', 'video', 100, 'EUR', 'published', 0, 0);
            INSERT INTO users (id, external_id, created_at) VALUES (1, 'u1', 0), (2, 'u2', 0);
            """)
        return db
    }

    @Test("migration 11 keeps every cached list, neighbour and reason, and deleting a learner still clears their lists")
    func leanCacheKeepsRows() throws {
        let db = try Self.catalogAtVersion(10)
        try db.execute("""
            INSERT INTO model_runs (id, algorithm, learners, courses, interactions, started_at, finished_at) VALUES (7, 'itemknn', 2, 2, 0, 0, 0);
            INSERT INTO active_models (algorithm, run_id) VALUES ('itemknn', 7);
            INSERT INTO recommendations (run_id, user_id, rank, course_id, score, algorithm, reason, reason_kind, reason_course, reason_term)
            VALUES (7, 1, 1, 2, 0.9, 'itemknn', '', 2, 1, NULL), (7, 2, 1, 1, 0.8, 'itemknn', 'an old sentence', NULL, NULL, NULL);
            INSERT INTO course_neighbors (run_id, course_id, rank, neighbor_id, score) VALUES (7, 1, 1, 2, 0.5);
            """)
        try Migrator().migrate(db, now: 200)
        let rows = try db.query("SELECT user_id, course_id, score, algorithm, reason FROM current_recommendations ORDER BY user_id") {
            "\($0.int(0)) \($0.int(1)) \($0.double(2)) \($0.text(3)) \($0.text(4))"
        }
        #expect(rows == ["1 2 0.9 itemknn learners who took Course X also took this", "2 1 0.8 itemknn an old sentence"])
        #expect(try db.scalarInt("SELECT count(*) FROM course_neighbors WHERE run_id = 7") == 1)
        try db.execute("DELETE FROM users WHERE id = 1")
        #expect(try db.scalarInt("SELECT count(*) FROM recommendations WHERE user_id = 1") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM cache_erasures WHERE entity = 'user' AND entity_id = 1") == 1)
        try db.execute("DELETE FROM active_models; DELETE FROM model_runs WHERE id = 7")
        #expect(try db.scalarInt("SELECT count(*) FROM recommendations") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM course_neighbors") == 0)
    }

    @Test("migration 14 widens model_runs, tuned_parameters and experiment_variants, keeping every row, index, trigger and key")
    func moreAlgorithmsKeepRuns() throws {
        let db = try Self.catalogAtVersion(12)
        try db.execute("""
            INSERT INTO model_runs (id, algorithm, parameters, learners, courses, interactions, train_seconds, started_at, finished_at,
                                    last_interaction_id, data_until, state)
            VALUES (7, 'itemknn', '{"neighbors":50}', 2, 2, 3, 1.5, 10, 20, 3, 30, 'ready'),
                   (8, 'als', '{}', 2, 2, 3, 0, 10, 20, 3, NULL, 'ready'),
                   (9, 'popular', '{}', 2, 2, 3, 0, 10, 20, 3, NULL, 'writing');
            INSERT INTO active_models (algorithm, run_id) VALUES ('itemknn', 7), ('als', 8);
            INSERT INTO recommendations (run_id, user_id, rank, course_id, score, reason_kind, reason_course)
            VALUES (7, 1, 1, 2, 0.9, 2, 1), (7, 2, 1, 1, 0.8, 2, 2);
            INSERT INTO course_neighbors (run_id, course_id, rank, neighbor_id, score) VALUES (7, 1, 1, 2, 0.5);
            INSERT INTO model_factors (run_id, entity, entity_id, factors) VALUES (8, 'user', 1, x'0000803f');
            INSERT INTO course_popularity (run_id, course_id, score, domain_rank) VALUES (9, 1, 2.0, 1);
            INSERT INTO tuned_parameters (algorithm, parameters, metric, k, value, trials, tuned_at) VALUES ('als', '{"factors":8}', 'ndcg', 10, 0.25, 5, 50);
            INSERT INTO experiments (id, name, created_at) VALUES (3, 'exp', 0);
            INSERT INTO experiment_variants (experiment_id, name, algorithm, traffic, position) VALUES (3, 'A', 'itemknn', 50, 0), (3, 'B', 'als', 50, 1);
            """)
        let runs = "SELECT id, algorithm, parameters, learners, courses, interactions, train_seconds, started_at, finished_at, last_interaction_id, coalesce(data_until, -1), state FROM model_runs ORDER BY id"
        let before = try db.query(runs) { row in (0..<12).map { row.text($0) }.joined(separator: "|") }
        #expect(throws: (any Error).self) {
            try db.execute("INSERT INTO model_runs (algorithm, learners, courses, interactions, started_at, finished_at) VALUES ('ease', 0, 0, 0, 0, 0)")
        }
        try Migrator().migrate(db, now: 200)
        #expect(try db.query(runs) { row in (0..<12).map { row.text($0) }.joined(separator: "|") } == before)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.query("PRAGMA foreign_key_check") { $0.text(0) }.isEmpty)
        #expect(try db.scalarInt("SELECT count(*) FROM active_models") == 2)
        #expect(try db.scalarInt("SELECT count(*) FROM model_factors WHERE run_id = 8") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM course_popularity WHERE run_id = 9") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'model_runs_by_algorithm'") == 1)
        #expect(try db.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'model_runs%'") { $0.text(0) } == ["model_runs"])
        for algorithm in ["ease", "rp3beta", "bpr"] {
            try db.execute("INSERT INTO model_runs (algorithm, learners, courses, interactions, started_at, finished_at) VALUES ('\(algorithm)', 0, 0, 0, 0, 0)")
        }
        #expect(throws: (any Error).self) {
            try db.execute("INSERT INTO model_runs (algorithm, learners, courses, interactions, started_at, finished_at) VALUES ('slope-one', 0, 0, 0, 0, 0)")
        }
        #expect(try db.query("SELECT algorithm || ' ' || parameters || ' ' || value FROM tuned_parameters") { $0.text(0) } == ["als {\"factors\":8} 0.25"])
        try db.execute("INSERT INTO tuned_parameters (algorithm, parameters, metric, k, value, trials, tuned_at) VALUES ('rp3beta', '{}', 'ndcg', 10, 0.3, 2, 60)")
        #expect(try db.query("SELECT name || algorithm FROM experiment_variants ORDER BY position") { $0.text(0) } == ["Aitemknn", "Bals"])
        try db.execute("INSERT INTO experiment_variants (experiment_id, name, algorithm, traffic, position) VALUES (3, 'C', 'ease', 0, 2)")
        try db.execute("DELETE FROM experiments WHERE id = 3")
        #expect(try db.scalarInt("SELECT count(*) FROM experiment_variants") == 0)
        // The triggers made again: a deleted learner leaves the cache, a deleted run takes its rows,
        // and the foreign keys still cascade from runs.
        try db.execute("DELETE FROM users WHERE id = 1")
        #expect(try db.scalarInt("SELECT count(*) FROM recommendations WHERE user_id = 1") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM model_factors WHERE entity = 'user' AND entity_id = 1") == 0)
        try db.execute("DELETE FROM active_models WHERE run_id = 7; DELETE FROM model_runs WHERE id = 7")
        #expect(try db.scalarInt("SELECT count(*) FROM recommendations") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM course_neighbors") == 0)
        try db.execute("DELETE FROM model_runs WHERE id = 9")
        #expect(try db.scalarInt("SELECT count(*) FROM course_popularity") == 0)
    }

    @Test("an upgrade applies only the new migration")
    func upgrade() throws {
        let db = try Connection.inMemory()
        let first = try #require(Migration.embedded.first)
        #expect(try Migrator(migrations: [first]).migrate(db, now: 100) == [first])
        #expect(!(try tableNames(db).contains("reviews")))

        let extra = Self.extraMigration()
        let applied = try Migrator(migrations: Migration.embedded + [extra]).migrate(db, now: 200)
        #expect(applied == Array(Migration.embedded.dropFirst()) + [extra])
        #expect(try tableNames(db).contains("reviews"))
        let rows = try ledger(db)
        #expect(rows.first?.appliedAt == 100)
        #expect(rows.last?.version == extra.version)
        #expect(rows.last?.appliedAt == 200)
        #expect(rows.last?.checksum == extra.checksum)
    }

    @Test("a tampered checksum is refused and the database is left as it was")
    func tamperedChecksum() throws {
        let db = try Connection.inMemory()
        try Migrator().migrate(db, now: 100)
        try db.execute("UPDATE schema_migrations SET checksum = 'x' WHERE version = 1")

        let error = expectStoreError(.tamperedMigration, containing: "migration 1") {
            try Migrator(migrations: Migration.embedded + [Self.extraMigration()]).migrate(db, now: 200)
        }
        #expect(error?.message.contains("checksum x") == true)
        #expect(!(try tableNames(db).contains("reviews")))
        let rows = try ledger(db)
        #expect(rows.count == Migration.embedded.count)
        #expect(rows.first?.checksum == "x")
        let status = try Migrator().status(db)
        #expect(status.first { $0.version == 1 }?.checksumMatches == false)
        #expect(status.filter { $0.version != 1 }.allSatisfy { $0.checksumMatches })
    }

    @Test("a database from a newer Lectern is refused and nothing is changed")
    func newerSchema() throws {
        let db = try Connection.inMemory()
        try Migrator().migrate(db, now: 100)
        try db.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, 'future', 'abc', 300)")

        expectStoreError(.newerSchema, containing: "999") {
            try Migrator(migrations: Migration.embedded + [Self.extraMigration()]).migrate(db, now: 200)
        }
        #expect(!(try tableNames(db).contains("reviews")))
        #expect(try ledger(db).map(\.version) == Migration.embedded.map(\.version) + [999])
    }

    @Test("an applied migration this binary does not know is refused even below the newest version")
    func unknownAppliedMigration() throws {
        let db = try Connection.inMemory()
        let first = try #require(Migration.embedded.first)
        let second = try #require(Migration(fileName: "0002_second.sql", sql: "CREATE TABLE second (x INTEGER);"))
        let third = try #require(Migration(fileName: "0003_third.sql", sql: "CREATE TABLE third (x INTEGER);"))
        try Migrator(migrations: [first, second]).migrate(db)
        // This binary knows 1 and 3 but not the applied 2.
        expectStoreError(.newerSchema, containing: "migration 2") {
            try Migrator(migrations: [first, third]).migrate(db)
        }
        #expect(!(try tableNames(db).contains("third")))
    }

    @Test("a database holding another application's tables is refused and left alone")
    func foreignTables() throws {
        let db = try Connection.inMemory()
        try db.execute("CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (1);")
        expectStoreError(.foreignDatabase, containing: "not a Lectern database") { try Migrator().migrate(db) }
        #expect(try tableNames(db) == ["foo"])
        #expect(try db.scalarInt("PRAGMA application_id") == 0)
        expectStoreError(.foreignDatabase) { _ = try Migrator().status(db) }
    }

    @Test("an empty database with another application id is refused")
    func foreignApplicationID() throws {
        let db = try Connection.inMemory()
        try db.execute("PRAGMA application_id = 1234")
        expectStoreError(.foreignDatabase) { try Migrator().migrate(db) }
        #expect(try tableNames(db).isEmpty)
        #expect(try db.scalarInt("PRAGMA application_id") == 1234)
    }

    @Test("a failing migration leaves no trace of itself; the ones before it stay")
    func failingMigration() throws {
        let db = try Connection.inMemory()
        let bad = Self.extraMigration("CREATE TABLE half_done (x INTEGER); INSERT INTO no_such_table VALUES (1);",
                                      name: "broken")
        #expect(throws: (any Error).self) {
            try Migrator(migrations: Migration.embedded + [bad]).migrate(db, now: 100)
        }
        #expect(!db.isInTransaction)
        #expect(!(try tableNames(db).contains("half_done")))
        #expect(try ledger(db).map(\.version) == Migration.embedded.map(\.version))
        // Fixed, it applies on the next run.
        let fixed = Self.extraMigration("CREATE TABLE half_done (x INTEGER);", name: "broken")
        #expect(try Migrator(migrations: Migration.embedded + [fixed]).migrate(db, now: 200) == [fixed])
    }

    @Test("a failing first migration leaves an empty file: no ledger, no application id")
    func failingFirstMigration() throws {
        let db = try Connection.inMemory()
        let bad = try #require(Migration(fileName: "0001_broken.sql", sql: "CREATE TABLE a (x INTEGER); SELECT nonsense("))
        #expect(throws: (any Error).self) { try Migrator(migrations: [bad]).migrate(db) }
        #expect(try tableNames(db).isEmpty)
        #expect(try db.scalarInt("PRAGMA application_id") == 0)
    }

    // MARK: Foreign keys during migrations

    /// Teams and the players who refer to them, with a cascade: a schema of two tables for
    /// migrations that rebuild or empty the table referred to.
    static let teamsAndPlayers = Migration(fileName: "0001_teams.sql", sql: """
        CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT;
        CREATE TABLE players (
            id      INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE
        ) STRICT;
        """)!

    static func teamsWithPlayers() throws -> Connection {
        let db = try Connection.inMemory()
        try Migrator(migrations: [teamsAndPlayers]).migrate(db, now: 100)
        try db.execute("""
            INSERT INTO teams (id, name) VALUES (1, 'red'), (2, 'blue');
            INSERT INTO players (id, team_id) VALUES (10, 1), (11, 1), (12, 2);
            """)
        return db
    }

    @Test("a migration may rebuild a table others refer to: their rows stay, and the keys hold after")
    func rebuildKeepsReferringRows() throws {
        let db = try Self.teamsWithPlayers()
        // The 12 steps of https://www.sqlite.org/lang_altertable.html#otheralter: with foreign keys
        // on, DROP TABLE teams would delete every player through the cascade.
        let rebuild = try #require(Migration(fileName: "0002_team_names_not_empty.sql", sql: """
            CREATE TABLE teams_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK (name <> '')) STRICT;
            INSERT INTO teams_new (id, name) SELECT id, name FROM teams;
            DROP TABLE teams;
            ALTER TABLE teams_new RENAME TO teams;
            """))
        #expect(try Migrator(migrations: [Self.teamsAndPlayers, rebuild]).migrate(db, now: 200) == [rebuild])
        #expect(try db.query("SELECT id, team_id FROM players ORDER BY id") { "\($0.int(0)):\($0.int(1))" } == ["10:1", "11:1", "12:2"])
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.query("PRAGMA foreign_key_check") { $0.text(0) }.isEmpty)
        #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO teams (id, name) VALUES (3, '')") }
        #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO players (id, team_id) VALUES (13, 99)") }
        try db.execute("DELETE FROM teams WHERE id = 1")
        #expect(try db.query("SELECT id FROM players") { $0.int(0) } == [12])
    }

    @Test("a migration that would leave rows pointing nowhere fails, names the tables and leaves no trace")
    func brokenForeignKeysFail() throws {
        let db = try Self.teamsWithPlayers()
        // With foreign keys off, deleting a team does not cascade: its players would point nowhere.
        let orphaning = try #require(Migration(fileName: "0002_drop_red.sql", sql: "DELETE FROM teams WHERE id = 1;"))
        let error = expectStoreError(.conflict, containing: "migration 2 (drop_red) would break foreign keys") {
            try Migrator(migrations: [Self.teamsAndPlayers, orphaning]).migrate(db, now: 200)
        }
        #expect(error?.message.contains("2 rows of players refer to rows of teams that do not exist (first: rowid 10)") == true)
        #expect(!db.isInTransaction)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.query("SELECT name FROM teams ORDER BY id") { $0.text(0) } == ["red", "blue"])
        #expect(try db.scalarInt("SELECT count(*) FROM players") == 3)
        #expect(try ledger(db).map(\.version) == [1])
    }

    @Test("the real migrations leave no foreign key broken on a database that holds rows")
    func embeddedMigrationsKeepKeys() throws {
        let db = try Self.catalogAtVersion(1)
        try db.execute("""
            INSERT INTO tags (id, name) VALUES (1, 'swift');
            INSERT INTO course_tags (course_id, tag_id) VALUES (1, 1);
            INSERT INTO interactions (user_id, course_id, kind, value, occurred_at) VALUES (1, 1, 'purchase', 100, 10), (2, 2, 'view', NULL, 20);
            """)
        try Migrator().migrate(db, now: 200)
        #expect(try db.query("PRAGMA foreign_key_check") { $0.text(0) }.isEmpty)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM interactions") == 2)
        #expect(try db.scalarInt("SELECT count(*) FROM course_tags") == 1)
    }
}

@Suite("LecternDatabase")
struct LecternDatabaseTests {
    @Test("opening a new file creates and migrates it; opening it again works")
    func newFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("lectern.sqlite")
        do {
            let db = try LecternDatabase.open(path: path)
            #expect(try db.scalarInt("PRAGMA application_id") == MigratorTests.lecternApplicationID)
            try makeCreator(in: db)
        }
        let again = try LecternDatabase.open(path: path, mustExist: true)
        #expect(try rowCount(again, "creators") == 1)
        #expect(try again.queryFirst("PRAGMA journal_mode") { $0.text(0) } == "wal")
    }

    @Test("mustExist refuses a missing file as a file problem (io), with a hint, and creates nothing")
    func mustExist() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("missing.sqlite")
        expectStoreError(.io, containing: "lectern init --db \(path)") { _ = try LecternDatabase.open(path: path, mustExist: true) }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("a directory is refused with io")
    func directoryPath() throws {
        let directory = try TemporaryDirectory()
        expectStoreError(.io, containing: "is a directory") { _ = try LecternDatabase.open(path: directory.url.path) }
    }

    @Test("a file that is not SQLite is refused as foreign and left unchanged")
    func notSQLite() throws {
        let directory = try TemporaryDirectory()
        let text = String(repeating: "name,price\nswift,10\n", count: 50)
        let path = try directory.write("data.sqlite", text)
        expectStoreError(.foreignDatabase, containing: "not an SQLite database") { _ = try LecternDatabase.open(path: path) }
        #expect(try directory.read("data.sqlite") == Data(text.utf8))
    }

    @Test("another application's SQLite file is refused as foreign and its tables survive")
    func foreignFile() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("other.sqlite")
        do {
            let other = try Connection(path: path)
            try other.execute("CREATE TABLE foo (x INTEGER); INSERT INTO foo VALUES (7);")
        }
        expectStoreError(.foreignDatabase) { _ = try LecternDatabase.open(path: path) }
        let other = try Connection(path: path)
        #expect(try other.scalarInt("SELECT x FROM foo") == 7)
        #expect(try other.scalarInt("SELECT count(*) FROM sqlite_schema") == 1)
    }

    @Test("migrate: false checks a new file without creating any table")
    func openWithoutMigrating() throws {
        let directory = try TemporaryDirectory()
        let db = try LecternDatabase.open(path: directory.path("plain.sqlite"), migrate: false)
        #expect(try db.scalarInt("SELECT count(*) FROM sqlite_schema") == 0)
    }

    @Test("a locked database is reported as busy")
    func busy() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("locked.sqlite")
        let holder = try LecternDatabase.open(path: path)
        try holder.execute("BEGIN IMMEDIATE")
        defer { try? holder.execute("ROLLBACK") }
        var options = Connection.Options()
        options.busyTimeoutMilliseconds = 20
        let impatient = try Connection(path: path, options: options)
        // The repository wraps SQLite's busy error into a StoreError.
        expectStoreError(.busy, containing: "locked") {
            try CreatorRepository(impatient).create(Creator(name: "Late", revenueShare: 0.5))
        }
    }
}
