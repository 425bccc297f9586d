import Foundation
import LecternPostgres
import Testing

/// Which engine a server test runs on.
enum TestEngine: Sendable {
    case sqlite
    case postgres
}

/// The PostgreSQL server the tests may use: `LECTERN_TEST_PG`, as in LecternStoreTests'
/// PostgresTestSupport (`bash scripts/pg-cluster.sh start` prints one). Without it the PostgreSQL
/// suites are skipped, with the note their `.enabled(if:)` gives; with `LECTERN_REQUIRE_PG=1` (CI)
/// they run and fail at their first step.
enum TestPostgres {
    static let environment = ProcessInfo.processInfo.environment
    static let url: String? = environment["LECTERN_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }
    static let required = environment["LECTERN_REQUIRE_PG"] == "1"
    static var isEnabled: Bool { url != nil || required }

    struct Missing: Error, CustomStringConvertible {
        var description: String { "LECTERN_REQUIRE_PG=1 but LECTERN_TEST_PG is not set: run `bash scripts/pg-cluster.sh start` and export its URL" }
    }

    /// Makes a fresh database with a random name; returns its URL and what drops it.
    static func makeDatabase() throws -> (url: String, drop: () -> Void) {
        guard let url else { throw Missing() }
        let name = "lectern_srv_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let admin = try PGConnection.connect(try PGConnectionURL(url))
        defer { admin.close() }
        try admin.execute("CREATE DATABASE \(name) ENCODING 'UTF8' TEMPLATE template0")
        let drop = {
            guard let admin = try? PGConnection.connect(try PGConnectionURL(url)) else { return }
            _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            admin.close()
        }
        return (replacingDatabase(in: url, with: String(name)), drop)
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
