import Foundation
import LecternPostgres
import LecternSQLite
@testable import LecternStore
import Testing
import LecternTestSupport

/// Issue 16: the PostgreSQL migrations yield SQLite's schema. Both engines are migrated and read back
/// from their catalogs; the only differences allowed are `EngineDifferences`' (docs/engines.md).
/// Skipped without LECTERN_TEST_PG (see Tests/LecternTestSupport/TestPostgres.swift); failing under LECTERN_REQUIRE_PG=1.
@Suite("Engine schema parity", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct EngineSchemaTests {
    @Test("every SQLite migration has a PostgreSQL twin with the same number and name")
    func sameMigrations() {
        #expect(Migration.embeddedPostgres.map(\.version) == Migration.embedded.map(\.version))
        #expect(Migration.embeddedPostgres.map(\.name) == Migration.embedded.map(\.name))
    }

    @Test("after every migration, the PostgreSQL schema is SQLite's but for the documented differences")
    func sameSchemaAtEveryVersion() throws {
        try TestPostgres.withDatabase { url in
            let postgres = try PGConnection.connect(try PGConnectionURL(url))
            defer { postgres.close() }
            for version in Migration.embedded.map(\.version) {
                let sqlite = try LecternSQLite.Connection(path: ":memory:")
                try Migrator(migrations: Migration.embedded.filter { $0.version <= version }).migrate(sqlite)
                try PostgresMigrator(migrations: Migration.embeddedPostgres.filter { $0.version <= version }).migrate(postgres)
                var expected = try EngineSchema(sqlite: sqlite)
                var actual = try EngineSchema(postgres: postgres)
                for trigger in EngineDifferences.postgresOnlyTriggers.keys where actual.triggers.contains(trigger) {
                    actual.triggers.remove(trigger)
                }
                expected.triggers.subtract(EngineDifferences.postgresOnlyTriggers.keys)
                let differences = expected.differences(from: actual, names: ("SQLite", "PostgreSQL"))
                #expect(differences.isEmpty, "after migration \(version):\n\(differences.joined(separator: "\n"))")
                #expect(expected.tables.count > 5 && !expected.triggers.isEmpty || version < 8)
            }
        }
    }

    @Test("the catalogs are read in full: keys, expression and partial indexes, generated ids, delete rules, CHECKs")
    func theReadersSeeEverything() throws {
        try TestPostgres.withMigratedDatabase { postgres, _ in
            let sqlite = try EngineSchema(sqlite: try LecternDatabase.inMemory().connection)
            let actual = try EngineSchema(postgres: postgres)
            for schema in [sqlite, actual] {
                #expect(schema.tables["org_licences"]?.indexes["org_licences_unique"]
                        == EngineSchema.Index(columns: ["org_id", "<expr>", "<expr>"], unique: true, partial: false))
                #expect(schema.tables["interactions"]?.indexes["interactions_by_key"]
                        == EngineSchema.Index(columns: ["idempotency_key"], unique: true, partial: true))
                #expect(schema.tables["courses"]?.columns.first { $0.name == "id" }?.generated == true)
                #expect(schema.tables["courses"]?.uniques == [["slug"]])
                #expect(schema.tables["org_members"]?.columns.first { $0.name == "user_id" }?.generated == false)
                #expect(schema.tables["courses"]?.columns.first { $0.name == "status" }?.defaultValue == "'draft'")
                #expect(schema.tables["course_tags"]?.foreignKeys.contains(
                    EngineSchema.ForeignKey(columns: ["tag_id"], table: "tags", referenced: ["id"], onDelete: "CASCADE")) == true)
                #expect(schema.tables["course_tags"]?.primaryKey == ["course_id", "tag_id"])
                #expect(schema.tables["current_recommendations"]?.kind == "view")
                #expect(schema.triggers.contains("interactions.interactions_refund_needs_purchase"))
                // slug, title, domain, difficulty, format, language, price_minor, currency, hours, status, family
                #expect(schema.tables["courses"]?.checks == 11)
                #expect(schema.tables["interactions"]?.checks == 3)  // kind, value by kind, reason by kind
                #expect(schema.tables.count == 41)  // 40 tables and the view current_recommendations
            }
        }
    }

    @Test("the comparison notices a difference")
    func theComparisonCanFail() throws {
        try TestPostgres.withMigratedDatabase { postgres, _ in
            let sqlite = try LecternDatabase.inMemory()
            try postgres.execute("ALTER TABLE courses ALTER COLUMN description DROP DEFAULT")
            try postgres.execute("CREATE INDEX courses_by_title ON courses (title)")
            try postgres.execute("DROP TRIGGER catalog_version_tag_rename ON tags")
            try postgres.execute("ALTER TABLE tags ADD CHECK (id > 0)")
            let differences = try EngineSchema(sqlite: sqlite.connection)
                .differences(from: try EngineSchema(postgres: postgres), names: ("SQLite", "PostgreSQL"))
            #expect(differences.contains { $0.hasPrefix("courses columns") && $0.contains("description text NOT NULL DEFAULT ''") })
            #expect(differences.contains { $0.hasPrefix("courses indexes") && $0.contains("courses_by_title") })
            #expect(differences.contains("trigger tags.catalog_version_tag_rename: only in SQLite"))
            #expect(differences.contains("tags CHECK constraints:\n  SQLite: 1\n  PostgreSQL: 2"))
        }
    }

    @Test("each documented difference is real: the PostgreSQL schema has it")
    func documentedDifferencesExist() throws {
        try TestPostgres.withMigratedDatabase { postgres, _ in
            let actual = try EngineSchema(postgres: postgres)
            for trigger in EngineDifferences.postgresOnlyTriggers.keys {
                #expect(actual.triggers.contains(trigger), "\(trigger) is documented but not in the schema")
            }
        }
    }
}
