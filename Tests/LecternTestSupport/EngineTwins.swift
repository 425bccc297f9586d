import Foundation
import LecternStore
import Testing

/// The engines a twin test runs on: the same test body, once on SQLite and once on PostgreSQL
/// (`@Test(arguments: TestEngine.allCases)` with `withDatabase(on:)`).
public enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    public var testDescription: String { rawValue }
}

/// Runs `body` on a fresh database of `engine` with every migration applied: an in-memory SQLite
/// database, or a PostgreSQL database of its own, dropped after (`TestPostgres.withDatabase`).
///
/// Without `LECTERN_TEST_PG` the PostgreSQL case records a known issue that says so (a visible skip,
/// not a failure); with `LECTERN_REQUIRE_PG=1` and no server it fails.
public func withDatabase(on engine: TestEngine, _ body: (Database) throws -> Void) throws {
    try withDatabaseAndURL(on: engine) { db, _ in try body(db) }
}

/// `withDatabase(on:)` that also hands over where the database is (":memory:", or the PostgreSQL
/// database's URL), for a test that opens a second connection to it.
public func withDatabaseAndURL(on engine: TestEngine, _ body: (Database, _ url: String) throws -> Void) throws {
    switch engine {
    case .sqlite:
        try body(try LecternDatabase.inMemory(), ":memory:")
    case .postgresql:
        guard TestPostgres.isEnabled else {
            withKnownIssue("PostgreSQL twin skipped: set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run") {
                throw TestPostgres.Missing()
            }
            return
        }
        try TestPostgres.withDatabase { url in
            let db = try LecternDatabase.open(path: url)
            #expect(db.engine == .postgresql)
            try body(db, url)
        }
    }
}
