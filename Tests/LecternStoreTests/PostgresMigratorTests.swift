import Foundation
import LecternPostgres
@testable import LecternStore
import Testing
import LecternTestSupport

/// The SQLite Migrator's rules on PostgreSQL (PostgresMigrator), through `LecternDatabase.openPostgres`.
@Suite("PostgreSQL migrator", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct PostgresMigratorTests {
    static func tableNames(_ db: PGConnection) throws -> [String] {
        try db.query("SELECT tablename::text AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1").map { try $0.text("name") }
    }

    @Test("an empty database is made Lectern's: every migration applied once, with its checksum")
    func migratesAnEmptyDatabase() throws {
        try TestPostgres.withDatabase { url in
            let db = try LecternDatabase.openPostgres(url: url, migrate: false)
            defer { db.close() }
            #expect(try db.status().allSatisfy { $0.appliedAt == nil })
            let applied = try db.migrate(now: 1_700_000_000)
            #expect(applied.map(\.version) == Migration.embeddedPostgres.map(\.version))
            #expect(try db.migrate().isEmpty)
            let states = try db.status()
            #expect(states.count == Migration.embeddedPostgres.count && states.allSatisfy { $0.appliedAt == 1_700_000_000 && $0.checksumMatches })
            #expect(db.serverVersion >= 130_000)
        }
    }

    @Test("another application's database is refused, and nothing is written to it")
    func refusesForeignDatabases() throws {
        try TestPostgres.withDatabase { url in
            let other = try PGConnection.connect(try PGConnectionURL(url))
            defer { other.close() }
            try other.execute("CREATE TABLE orders (id BIGINT PRIMARY KEY)")
            let error = #expect(throws: StoreError.self) { try LecternDatabase.openPostgres(url: url) }
            #expect(error?.code == .foreignDatabase)
            #expect(error?.message.contains("is not a Lectern database") == true)
            #expect(try Self.tableNames(other) == ["orders"])
            // A ledger of the same name that is not Lectern's (Rails keeps one) is refused too.
            try other.execute("DROP TABLE orders")
            try other.execute("CREATE TABLE schema_migrations (version TEXT PRIMARY KEY)")
            let again = #expect(throws: StoreError.self) { try LecternDatabase.openPostgres(url: url) }
            #expect(again?.message.contains("another application's") == true)
            #expect(try Self.tableNames(other) == ["schema_migrations"])
        }
    }

    @Test("an edited applied migration, or a newer schema, stops everything before any change")
    func refusesTamperedAndNewer() throws {
        try TestPostgres.withMigratedDatabase { db, url in
            try db.execute("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 3")
            let tampered = #expect(throws: StoreError.self) { try LecternDatabase.openPostgres(url: url) }
            #expect(tampered?.code == .tamperedMigration)
            #expect(tampered?.message.contains("migration 3 (evaluations) has changed") == true)
            let status = try LecternDatabase.openPostgres(url: url, migrate: false)
            #expect(try status.status().first { $0.version == 3 }?.checksumMatches == false)
            status.close()
            try db.execute("UPDATE schema_migrations SET checksum = $1 WHERE version = 3", [.text(Migration.embeddedPostgres[2].checksum)])
            try db.execute("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (99, 'future', 'x', 0)")
            let newer = #expect(throws: StoreError.self) { try LecternDatabase.openPostgres(url: url) }
            #expect(newer?.code == .newerSchema)
            #expect(newer?.message.contains("schema version 99, newer than this lectern supports (\(Migration.embeddedPostgres.count))") == true)
        }
    }

    @Test("a failing migration leaves no trace, and the ones before it stay applied")
    func failingMigrationRollsBack() throws {
        try TestPostgres.withDatabase { url in
            let next = Migration.embeddedPostgres.count + 1
            let broken = Migration(fileName: "\(next)_broken.sql", sql: "CREATE TABLE half (id BIGINT); SELECT no_such_function();")!
            let db = try PGConnection.connect(try PGConnectionURL(url))
            defer { db.close() }
            let migrator = PostgresMigrator(migrations: Migration.embeddedPostgres + [broken])
            #expect(throws: PGError.self) { try migrator.migrate(db) }
            #expect(try !Self.tableNames(db).contains("half"))
            #expect(try db.scalarInt("SELECT max(version) FROM schema_migrations") == Int64(next - 1))
        }
    }

    @Test("two migrators at once take turns: each migration is applied once")
    func concurrentMigrators() throws {
        try TestPostgres.withDatabase { url in
            let results = UnsafeResults()
            DispatchQueue.concurrentPerform(iterations: 2) { slot in
                do {
                    let db = try LecternDatabase.openPostgres(url: url, migrate: false)
                    defer { db.close() }
                    results.set(slot, try db.migrate().count)
                } catch {
                    results.set(slot, -1)
                }
            }
            // Each takes the lock per migration, so under load they may share the work (8 and 10):
            // neither fails, and together they applied each migration once.
            #expect(results.values.allSatisfy { $0 >= 0 }, "\(results.values)")
            #expect(results.values.reduce(0, +) == Migration.embeddedPostgres.count, "\(results.values)")
            let db = try PGConnection.connect(try PGConnectionURL(url))
            defer { db.close() }
            #expect(try db.scalarInt("SELECT count(DISTINCT version) FROM schema_migrations") == Int64(Migration.embeddedPostgres.count))
        }
    }
}

/// Two slots written from two threads, each its own.
private final class UnsafeResults: @unchecked Sendable {
    private let lock = NSLock()
    private var storage = [Int](repeating: -2, count: 2)
    func set(_ slot: Int, _ value: Int) { lock.lock(); storage[slot] = value; lock.unlock() }
    var values: [Int] { lock.lock(); defer { lock.unlock() }; return storage }
}
