import Foundation
import LecternPostgres
import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// `DatabaseCopy` (`lectern db copy`) on real files and a real PostgreSQL database: a SeedData-like
/// database, every table filled, goes to PostgreSQL and back to a new SQLite file, and every row of
/// every table comes back as it was; a target with data is refused, and a failure part-way leaves the
/// target empty.
@Suite("db copy between engines", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct DatabaseCopyTests {
    /// Rows for every table the SeedData import leaves empty, with values that try the copy's
    /// escaping: tabs, newlines, backslashes, `\N`, quotes, non-ASCII text, NULLs, blobs with every
    /// kind of byte, the extremes of 64-bit integers and doubles.
    static let everyTable = #"""
        -- Every table not filled by the SeedData import, with values that test the copy's escaping:
        -- tabs, newlines, backslashes, quotes, non-ASCII text, NULLs, blobs with every byte, extreme numbers.
        INSERT INTO tags (id, name) VALUES (9001, 'copy-test-tag'), (9002, 'テスト');
        INSERT INTO course_tags (course_id, tag_id, source, weight) VALUES (1, 9001, 'auto', 0.1), (2, 9002, 'editor', NULL);
        INSERT INTO model_runs (id, algorithm, parameters, learners, courses, interactions, load_seconds, train_seconds,
                                write_seconds, started_at, finished_at, last_interaction_id, data_until, state)
        VALUES (7, 'als', '{"factors": 8, "note": "tab\there\nnewline \\ backslash"}', 3, 3, 9, 0.1, 1e-300, 1.7976931348623157e308,
                1735689600, 1735689601, 3, NULL, 'ready'),
               (9, 'popular', '{}', 3, 3, 9, 0.0, 0.5, 0.25, 1735689700, 1735689701, 3, 1735689600, 'ready');
        INSERT INTO active_models (algorithm, run_id) VALUES ('als', 7), ('popular', 9);
        INSERT INTO course_popularity (run_id, course_id, score, domain_rank) VALUES (9, 1, 0.30000000000000004, 1), (9, 2, -0.0, 2);
        INSERT INTO model_factors (run_id, entity, entity_id, factors) VALUES (7, 'user', 1, X'00010203090A0D5C7F80FEFF'), (7, 'course', 2, X'');
        INSERT INTO recommendations (run_id, user_id, rank, course_id, score, reason_kind, reason_course, reason_term, reason)
        VALUES (7, 1, 1, 2, 0.123456789012345678, 1, 1, 'python', 'because of "py-101"'), (7, 1, 2, 3, 5e-324, NULL, NULL, NULL, NULL);
        INSERT INTO course_neighbors (run_id, course_id, rank, neighbor_id, score) VALUES (7, 1, 1, 2, 0.5), (7, 2, 1, 1, 0.5);
        INSERT INTO evaluations (id, created_at, source, protocol, learners, test_pairs) VALUES (4, 1735689600, 'seed', '{"split": "leave-last-out"}', 10, 10);
        INSERT INTO evaluation_results (evaluation_id, algorithm, parameters, training_seconds, k, metric, value, spread)
        VALUES (4, 'als', '{}', 0.5, 10, 'ndcg', 0.25, NULL);
        INSERT INTO tuned_parameters (algorithm, parameters, metric, k, value, trials, tuned_at) VALUES ('als', '{"factors": 16}', 'ndcg', 10, 0.3, 12, 1735689600);
        INSERT INTO experiments (id, name, status, window_days, created_at, stopped_at, segment) VALUES (3, 'als-vs-pop', 'running', 7.5, 1735689600, NULL, NULL);
        INSERT INTO experiment_variants (experiment_id, name, algorithm, traffic, position) VALUES (3, 'control', 'popular', 50, 0), (3, 'treatment', 'als', 50, 1);
        INSERT INTO impressions (id, experiment_id, variant, user_id, course_id, rank, run_id, shown_at) VALUES (11, 3, 'control', 1, 2, 1, 9, 1735689600);
        INSERT INTO settings (name, value) VALUES ('served_note', 'line one
        line two	tabbed \N not null');
        INSERT INTO dropped_tag_suggestions (course_id, tag, dropped_at) VALUES (1, 'dropped', 1735689600);
        INSERT INTO segments (id, name, learners, profile, built_at) VALUES (2, 'Night owls', 1, '{"hours": [22, 23]}', 1735689600);
        INSERT INTO user_segments (user_id, segment_id) VALUES (1, 2);
        INSERT INTO cache_erasures (seq, entity, entity_id) VALUES (5, 'user', 99);
        INSERT INTO quarantined_interactions (id, user_id, course_id, kind, value, channel, occurred_at, idempotency_key, reason)
        VALUES (777777, 1, 1, 'purchase', 5, NULL, 1735689600, NULL, 'out of range');
        INSERT INTO org_licences (org_id, domain, course_id) VALUES (1, NULL, 3);
        INSERT INTO campaigns (id, name, course_id, method, holdout, seed, created_at) VALUES (6, 'Spring', 1, 'als', 0.2, -9223372036854775808, 1735689600);
        INSERT INTO campaign_members (campaign_id, user_id, held_out, score) VALUES (6, 1, 0, 0.75), (6, 2, 1, 0.5);
        INSERT INTO api_keys (id, name, scope, token_hash, prefix, created_at, revoked_at, org_id)
        VALUES (12, 'reader', 'read', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'lk_aaaa', 1735689600, NULL, NULL),
               (13, 'org writer', 'write', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'lk_bbbb', 1735689600, 1735689700, 1);
        UPDATE catalog_version SET version = version + 1000;
        """#

    /// A SeedData-like SQLite database at `path`: SeedData's catalog, learners, organisations and the
    /// first `events` lines of its events, the report rollups refreshed, `everyTable`, and a refund
    /// whose purchase was deleted since (a row the refund trigger would refuse if it were new).
    static func makeSource(at path: String, events: Int = 20_000) throws -> Database {
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SeedData").standardizedFileURL
        let db = try LecternDatabase.open(path: path)
        let importer = Importer(db)
        let options = ImportOptions(skipInvalid: true)
        _ = try importer.importCreators(from: seed.appendingPathComponent("creators.csv").path, options: options)
        _ = try importer.importCourses(from: seed.appendingPathComponent("courses.csv").path, options: options)
        _ = try importer.importUsers(from: seed.appendingPathComponent("users.csv").path, options: options)
        _ = try importer.importOrganisations(from: seed.appendingPathComponent("organisations.csv").path, options: options)
        _ = try importer.importMembers(from: seed.appendingPathComponent("members.csv").path, options: options)
        _ = try importer.importAssignments(from: seed.appendingPathComponent("assignments.csv").path, options: options)
        let lines = try String(contentsOf: seed.appendingPathComponent("interactions.csv"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).prefix(events + 1)
        let events = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("events.csv").path
        try lines.joined(separator: "\n").write(toFile: events, atomically: true, encoding: .utf8)
        _ = try importer.importInteractions(from: events, options: options)
        _ = try ReportRollups(db).refresh()
        try db.execute(everyTable)
        try db.execute("""
            INSERT INTO interactions (id, user_id, course_id, kind, value, channel, occurred_at)
            VALUES (900001, 3, 4, 'purchase', 4400, 'web', 1735689600), (900002, 3, 4, 'refund', 4400, NULL, 1735689700);
            DELETE FROM interactions WHERE id = 900001;
            """)
        return db
    }

    /// Every row of every Lectern table of an SQLite database (the ledger aside), sorted, by table.
    static func contents(of db: Database) throws -> [String: [String]] {
        var tables: [String: [String]] = [:]
        let names = try db.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'schema_migrations'") { $0.text(0) }
        for name in names {
            tables[name] = try db.query("SELECT * FROM \(name)") { row in
                "\((0..<row.columnCount).map { row.value($0) })"
            }.sorted()
        }
        return tables
    }

    /// The same of a PostgreSQL database, its values read as SQLite's.
    static func contents(ofPostgres url: String, tables names: some Sequence<String>) throws -> [String: [String]] {
        let connection = try PGConnection.connect(try PGConnectionURL(url))
        defer { connection.close() }
        var tables: [String: [String]] = [:]
        for name in names {
            tables[name] = try connection.query("SELECT * FROM \(name)").map { row in
                "\(row.values.map(Self.sqliteValue))"
            }.sorted()
        }
        return tables
    }

    static func sqliteValue(_ value: PGValue) -> SQLValue {
        switch value {
        case .integer(let number): .integer(number)
        case .real(let number): .real(number)
        case .text(let text): .text(text)
        case .bytes(let bytes): .blob(bytes)
        case .boolean(let flag): .integer(flag ? 1 : 0)
        case .null: .null
        }
    }

    /// Rows in every Lectern table but the ledger, by table.
    static func rowCounts(_ db: Database) throws -> [String: Int] {
        let names = try db.query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name <> 'schema_migrations'") { $0.text(0) }
        return Dictionary(uniqueKeysWithValues: try names.map { ($0, try rowCount(db, $0)) })
    }

    @Test func sqliteToPostgresAndBackKeepsEveryRow() throws {
        let folder = try TemporaryDirectory()
        let source = try Self.makeSource(at: folder.path("shop.db"))
        let expected = try Self.contents(of: source)
        #expect(expected.count >= 39)
        for (table, rows) in expected {
            #expect(!rows.isEmpty, "\(table) is empty in the fixture: fill it in DatabaseCopyTests.everyTable")
        }
        try TestPostgres.withDatabase { url in
            let up = try DatabaseCopy.copy(from: folder.path("shop.db"), to: url)
            #expect(up.tables == expected.count)
            #expect(up.rows == expected.values.reduce(0) { $0 + $1.count })
            if let password = try PGConnectionURL(url).password { #expect(!up.target.contains(password)) }
            let onPostgres = try Self.contents(ofPostgres: url, tables: expected.keys)
            for table in expected.keys.sorted() {
                #expect(onPostgres[table] == expected[table], "\(table) differs on PostgreSQL")
            }

            let down = try DatabaseCopy.copy(from: url, to: folder.path("back.db"))
            #expect(down.rows == up.rows && down.netRevenue == up.netRevenue)
            let back = try Self.contents(of: try LecternDatabase.open(path: folder.path("back.db"), mustExist: true))
            #expect(back.keys.sorted() == expected.keys.sorted())
            for table in expected.keys.sorted() {
                #expect(back[table] == expected[table], "\(table) differs after the round trip")
            }

            // The copy is a working database: new ids follow the copied ones, and the triggers are back.
            let db = try LecternDatabase.open(path: url)
            let largest = try #require(try db.scalarInt("SELECT max(id) FROM creators"))
            let creator = try CreatorRepository(db).create(Creator(name: "After the copy", revenueShare: 0.5, createdAt: newYear2025))
            #expect(creator.id == largest + 1)
            #expect(try db.scalarInt("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'") == 0)
            // The catalog version is the source's: no trigger bumped it while the courses went in.
            #expect(try db.scalarInt("SELECT version FROM catalog_version") == (try source.scalarInt("SELECT version FROM catalog_version")))
        }
    }

    @Test(arguments: TestEngine.allCases)
    func refusesATargetWithData(_ engine: TestEngine) throws {
        let folder = try TemporaryDirectory()
        let source = try LecternDatabase.open(path: folder.path("source.db"))
        try makeCreator(in: source)
        try withTarget(engine, folder) { target in
            let db = try LecternDatabase.open(path: target)
            try makeCreator(in: db, name: "Already here")
            expectStoreError(.conflict, containing: "is not empty (rows in creators: 1)") {
                _ = try DatabaseCopy.copy(from: folder.path("source.db"), to: target)
            }
            #expect(try rowCount(db, "creators") == 1)
        }
    }

    /// A source row the target refuses (here: a learner's event whose learner is gone, written with
    /// foreign keys off) stops the copy; the target keeps nothing of it, a new file is removed.
    @Test(arguments: TestEngine.allCases)
    func aFailurePartWayLeavesTheTargetEmpty(_ engine: TestEngine) throws {
        let folder = try TemporaryDirectory()
        let source = try Self.makeSource(at: folder.path("shop.db"), events: 2_000)
        try source.execute("""
            PRAGMA foreign_keys = OFF;
            INSERT INTO interactions (id, user_id, course_id, kind, occurred_at) VALUES (990001, 424242, 1, 'view', 1735689600);
            PRAGMA foreign_keys = ON;
            """)
        if engine == .sqlite {
            expectStoreError(.notFound) { _ = try DatabaseCopy.copy(from: folder.path("shop.db"), to: folder.path("new.db")) }
            #expect(!FileManager.default.fileExists(atPath: folder.path("new.db")))
        }
        try withTarget(engine, folder) { target in
            let fresh = try Self.rowCounts(try LecternDatabase.open(path: folder.path("fresh.db")))
            let error = expectStoreError(.notFound) { _ = try DatabaseCopy.copy(from: folder.path("shop.db"), to: target) }
            #expect(error?.message.hasPrefix("copying interactions: ") == true, "\(error?.message ?? "")")
            let db = try LecternDatabase.open(path: target)
            for (table, rows) in fresh {
                #expect(try rowCount(db, table) == rows, "\(table)")
            }
            #expect(try db.scalarInt("SELECT version FROM catalog_version") == 0)
        }
    }

    /// Text PostgreSQL cannot hold (a NUL character) fails the copy at that table; nothing stays.
    @Test func textPostgreSQLCannotHoldRollsBack() throws {
        let folder = try TemporaryDirectory()
        let source = try Self.makeSource(at: folder.path("shop.db"), events: 500)
        try source.execute("UPDATE users SET display_name = 'a' || char(0) || 'b' WHERE id = 7")
        try TestPostgres.withDatabase { url in
            let error = expectStoreError(.io, containing: "copying users") {
                _ = try DatabaseCopy.copy(from: folder.path("shop.db"), to: url)
            }
            #expect(error?.message.contains("nothing was copied") == true)
            let db = try LecternDatabase.open(path: url)
            for table in ["creators", "courses", "users", "interactions", "api_keys"] {
                #expect(try rowCount(db, table) == 0, "\(table)")
            }
        }
    }

    @Test func refusesTheSameDatabaseAndAnOlderSource() throws {
        let folder = try TemporaryDirectory()
        let path = folder.path("shop.db")
        try makeCreator(in: try LecternDatabase.open(path: path))
        expectStoreError(.invalidInput, containing: "same database") { _ = try DatabaseCopy.copy(from: path, to: path) }
        expectStoreError(.invalidInput, containing: "same database") {
            _ = try DatabaseCopy.copy(from: path, to: folder.path("./shop.db"))
        }
        expectStoreError(.io, containing: "no database at") { _ = try DatabaseCopy.copy(from: folder.path("missing.db"), to: folder.path("x.db")) }
        #expect(!FileManager.default.fileExists(atPath: folder.path("x.db")))

        let old = try LecternDatabase.open(path: folder.path("old.db"), migrate: false)
        try Migrator(migrations: Array(Migration.embedded.prefix(5))).migrate(old)
        expectStoreError(.foreignDatabase, containing: "has schema version 5, older than this lectern's") {
            _ = try DatabaseCopy.copy(from: folder.path("old.db"), to: folder.path("y.db"))
        }
        #expect(!FileManager.default.fileExists(atPath: folder.path("y.db")))
        try TestPostgres.withDatabase { url in
            _ = try DatabaseCopy.copy(from: path, to: url)
            expectStoreError(.invalidInput, containing: "same database") { _ = try DatabaseCopy.copy(from: url, to: url) }
        }
    }

    /// Runs `body` with an empty, migrated target of `engine`: a file in `folder`, or a PostgreSQL database.
    func withTarget(_ engine: TestEngine, _ folder: TemporaryDirectory, _ body: (String) throws -> Void) throws {
        switch engine {
        case .sqlite:
            let path = folder.path("target-\(UUID().uuidString).db")
            _ = try LecternDatabase.open(path: path)
            try body(path)
        case .postgresql:
            try TestPostgres.withDatabase { url in
                try LecternDatabase.openPostgres(url: url).close()
                try body(url)
            }
        }
    }
}
