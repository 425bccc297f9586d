import Foundation
import LecternPostgres
import LecternStore
import Testing

// A copy of LecternStoreTests' EngineTwins.swift and the part of its PostgresTestSupport.swift that
// makes a database (a test module cannot import another): LecternServiceTests and LecternReportsTests
// each hold this same file.

/// The engines a twin test runs on: the same test body, once on SQLite and once on PostgreSQL
/// (`@Test(arguments: TestEngine.allCases)` with `withDatabase(on:)`).
enum TestEngine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgresql

    var testDescription: String { rawValue }
}

/// Runs `body` on a fresh database of `engine` with every migration applied: an in-memory SQLite
/// database, or a PostgreSQL database of its own, dropped after (`TestPostgres.withDatabase`).
///
/// Without `LECTERN_TEST_PG` the PostgreSQL case records a known issue that says so (a visible skip,
/// not a failure); with `LECTERN_REQUIRE_PG=1` and no server it fails.
func withDatabase(on engine: TestEngine, _ body: (Database) throws -> Void) throws {
    try withDatabaseAndURL(on: engine) { db, _ in try body(db) }
}

/// `withDatabase(on:)` that also hands over where the database is (":memory:", or the PostgreSQL
/// database's URL), for a test that opens a second connection to it.
func withDatabaseAndURL(on engine: TestEngine, _ body: (Database, _ url: String) throws -> Void) throws {
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

/// The PostgreSQL server the tests may use: `LECTERN_TEST_PG`, a URL to a superuser's database
/// (`bash scripts/pg-cluster.sh start` prints one). With `LECTERN_REQUIRE_PG=1` (CI) the PostgreSQL
/// runs fail without it instead of being skipped.
enum TestPostgres {
    static let environment = ProcessInfo.processInfo.environment
    static let url: String? = environment["LECTERN_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }
    static let required = environment["LECTERN_REQUIRE_PG"] == "1"
    static var isEnabled: Bool { url != nil || required }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "LECTERN_REQUIRE_PG=1 but LECTERN_TEST_PG is not set: run `bash scripts/pg-cluster.sh start` and export its URL" }
    }

    /// Makes a fresh database with a random name, runs `body` with its URL, and drops it.
    static func withDatabase<T>(_ body: (_ url: String) throws -> T) throws -> T {
        guard let url else { throw Missing() }
        let name = "lectern_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PGConnection.connect(try PGConnectionURL(url))
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name) ENCODING 'UTF8' TEMPLATE template0")
        defer { _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        return try body(replacingDatabase(in: url, with: String(name)))
    }

    /// `url` with its database (the path after the host) set to `name`.
    static func replacingDatabase(in url: String, with name: String) -> String {
        let scheme = url.range(of: "://")!
        let rest = url[scheme.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        let beforeQuery = rest.firstIndex(of: "?").map { rest[..<$0] } ?? rest[...]
        let authority = beforeQuery.firstIndex(of: "/").map { beforeQuery[..<$0] } ?? beforeQuery
        return String(url[..<scheme.upperBound]) + authority + "/" + name + query
    }
}
