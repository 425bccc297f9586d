import Foundation
import LecternPostgres
import LecternStore

/// The PostgreSQL server the tests may use: `LECTERN_TEST_PG`, a URL to a superuser's database
/// (`bash scripts/pg-cluster.sh start` prints one; `bash .ci/run` exports it).
///
/// Without it the PostgreSQL suites are skipped (`.enabled(if: TestPostgres.isEnabled)`), and
/// `make test` says so in one line. With `LECTERN_REQUIRE_PG=1` (CI) they run anyway and fail at
/// their first step, so CI cannot skip them by accident.
public enum TestPostgres {
    public static let environment = ProcessInfo.processInfo.environment
    public static let url: String? = environment["LECTERN_TEST_PG"].flatMap { $0.isEmpty ? nil : $0 }
    public static let required = environment["LECTERN_REQUIRE_PG"] == "1"

    /// Whether the PostgreSQL suites run: a server is given, or one is required (and then they fail).
    public static var isEnabled: Bool { url != nil || required }

    public struct Missing: Error, CustomStringConvertible {
        public init() {}
        public var description: String { "LECTERN_REQUIRE_PG=1 but LECTERN_TEST_PG is not set: run `bash scripts/pg-cluster.sh start` and export its URL" }
    }

    /// Makes a fresh database with a random name, runs `body` with its URL, and drops it, so suites and
    /// tests run in parallel without seeing each other.
    public static func withDatabase<T>(_ body: (_ url: String) throws -> T) throws -> T {
        let (url, drop) = try makeDatabase()
        defer { drop() }
        return try body(url)
    }

    /// Makes a fresh database with a random name; returns its URL and what drops it (for a fixture
    /// that outlives one closure, such as a server's).
    public static func makeDatabase() throws -> (url: String, drop: () -> Void) {
        guard let url else { throw Missing() }
        let name = "lectern_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
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

    /// Migrates a fresh database to the newest schema and hands `body` a connection to it.
    public static func withMigratedDatabase<T>(_ body: (_ connection: PGConnection, _ url: String) throws -> T) throws -> T {
        try withDatabase { url in
            try LecternDatabase.openPostgres(url: url).close()
            let connection = try PGConnection.connect(try PGConnectionURL(url))
            defer { connection.close() }
            return try body(connection, url)
        }
    }

    /// `url` with its database (the path after the host) set to `name`.
    public static func replacingDatabase(in url: String, with name: String) -> String {
        let scheme = url.range(of: "://")!
        let rest = url[scheme.upperBound...]
        let query = rest.firstIndex(of: "?").map { String(rest[$0...]) } ?? ""
        let beforeQuery = rest.firstIndex(of: "?").map { rest[..<$0] } ?? rest[...]
        let authority = beforeQuery.firstIndex(of: "/").map { beforeQuery[..<$0] } ?? beforeQuery
        return String(url[..<scheme.upperBound]) + authority + "/" + name + query
    }

    /// The URL with its password replaced by `password` (for the tests of refused logins).
    public static func replacingPassword(in url: String, with password: String) throws -> String {
        var parsed = try PGConnectionURL(url)
        parsed.password = password
        let host = parsed.socketDirectory == nil ? (parsed.host ?? "localhost") : ""
        let socket = parsed.socketDirectory.map { "?host=\($0)&port=\(parsed.port)" } ?? ""
        let port = parsed.socketDirectory == nil ? ":\(parsed.port)" : ""
        return "postgres://\(parsed.user):\(password)@\(host)\(port)/\(parsed.database)\(socket)"
    }
}
