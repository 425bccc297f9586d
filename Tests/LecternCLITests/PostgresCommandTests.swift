import Foundation
import LecternPostgres
import LecternStore
import LecternTestSupport
import Testing

/// `lectern init`, `db status` and `db migrate` on a postgres:// URL, and the refusal of the commands
/// not ported yet (PostgresTwinCommandTests runs those that are).
/// Skipped without LECTERN_TEST_PG (`bash scripts/pg-cluster.sh start` prints one); under
/// LECTERN_REQUIRE_PG=1 (CI) they run and fail instead.
@Suite("Commands on PostgreSQL", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct PostgresCommandTests {
    @Test("init makes an empty database Lectern's; db status lists it; db migrate finds nothing to do")
    func initStatusMigrate() throws {
        try TestPostgres.withDatabase { url in
            let lectern = try Lectern(initialized: false)
            let password = try PGConnectionURL(url).password
            let pending = try lectern.run(["db", "status", "--format", "csv"], database: url)
            #expect(pending.status == 0 && pending.stdout.contains("1,catalog_and_activity,pending,"))
            let created = try lectern.run(["init"], database: url)
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout.contains("Lectern database ready at") && created.stdout.contains("on PostgreSQL (schema version \(Migration.embeddedPostgres.last?.version ?? 0))"))
            let status = try lectern.run(["db", "status", "--format", "csv"], database: url)
            #expect(status.stdout.split(separator: "\n").dropFirst().allSatisfy { $0.contains(",applied,") })
            let migrate = try lectern.run(["db", "migrate"], database: url, environment: ["LECTERN_DB": url])
            #expect(migrate.status == 0 && migrate.stdout == "Schema is up to date.\n")
            if let password {
                for result in [created, status, migrate] { #expect(!result.stdout.contains(password) && !result.stderr.contains(password)) }
            }
        }
    }

    @Test("LECTERN_DB may hold the URL")
    func urlFromEnvironment() throws {
        try TestPostgres.withDatabase { url in
            let lectern = try Lectern(initialized: false)
            let process = Process()
            process.executableURL = Lectern.binary
            process.arguments = ["db", "migrate"]
            process.environment = ProcessInfo.processInfo.environment.merging(["LECTERN_DB": url]) { $1 }
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0 && text.hasPrefix("applied 1 catalog_and_activity\n"))
            _ = lectern
        }
    }

    @Test("a wrong password, an unreachable server, an unknown or foreign database: one error line, exit 8 or 6, no password")
    func badInput() throws {
        try TestPostgres.withDatabase { url in
            let lectern = try Lectern(initialized: false)
            let secret = "N0t-The-Pa55word"
            var wrong = try PGConnectionURL(url)
            wrong.password = secret
            let wrongURL = "postgres://\(wrong.user):\(secret)@\(wrong.host ?? "localhost"):\(wrong.port)/\(wrong.database)"
            let cases: [(String, Int32, String)] = [
                (wrongURL, 8, "error: PostgreSQL refused the login"),
                ("postgres://lectern:\(secret)@127.0.0.1:1/lectern", 8, "error: cannot reach the PostgreSQL server for lectern@127.0.0.1:1/lectern: "),
                (url.replacingOccurrences(of: "/lectern_test_", with: "/no_such_"), 8, "error: the PostgreSQL server has no database for"),
            ]
            for (target, code, prefix) in cases where wrong.socketDirectory == nil || !target.contains(secret) {
                let result = try lectern.run(["db", "migrate"], database: target)
                #expect(result.status == code, "\(result.stderr)")
                #expect(result.errorLines.count == 1 && result.stderr.hasPrefix(prefix), "\(result.stderr)")
                #expect(!result.stderr.contains(secret))
            }
            let admin = try PGConnection.connect(try PGConnectionURL(url))
            defer { admin.close() }
            try admin.execute("CREATE TABLE invoices (id BIGINT)")
            let foreign = try lectern.run(["init"], database: url)
            #expect(foreign.status == 6 && foreign.errorLines.count == 1 && foreign.stderr.contains("is not a Lectern database"))
            #expect(try admin.scalarInt("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 1)
        }
    }

    @Test("a connection lost mid-write (the server ends the session) rolls back: one error line, exit 8, nothing kept")
    func connectionLostMidWrite() throws {
        try TestPostgres.withDatabase { url in
            let lectern = try Lectern(initialized: false)
            for step in [["init"], ["creator", "add", "Ada", "--share", "0.7"],
                         ["course", "add", "c1", "--title", "C", "--domain", "data", "--price", "10", "--creator", "Ada", "--status", "published"],
                         ["user", "add", "u1"], ["record", "view", "--user", "u1", "--course", "c1", "--at", "2025-01-01"]] {
                let result = try lectern.run(step, database: url)
                #expect(result.status == 0, "\(step): \(result.stderr)")
            }
            // The session that inserts an event in March ends itself there, as an administrator's
            // pg_terminate_backend or a server restart would end it.
            let admin = try PGConnection.connect(try PGConnectionURL(url))
            defer { admin.close() }
            try admin.execute("""
                CREATE FUNCTION end_session() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_terminate_backend(pg_backend_pid()); RETURN NEW; END $$
                """)
            try admin.execute("""
                CREATE TRIGGER end_session BEFORE INSERT ON interactions
                FOR EACH ROW WHEN (NEW.occurred_at >= 1740787200) EXECUTE FUNCTION end_session()
                """)
            var rows = ["user,course,kind,occurred_at"]
            for day in 1...28 { rows.append("u1,c1,view,2025-02-\(String(format: "%02d", day))T10:00:00Z") }
            rows.append("u1,c1,enroll,2025-03-01T10:00:00Z")
            try lectern.write("events.csv", rows.joined(separator: "\n") + "\n")
            for command in [["import", "interactions", "events.csv"], ["record", "purchase", "--user", "u1", "--course", "c1", "--at", "2025-03-02"]] {
                let result = try lectern.run(command, database: url)
                #expect(result.status == 8, "\(command): \(result.stderr)")
                #expect(result.errorLines.count == 1 && result.stderr.hasPrefix("error: the connection to PostgreSQL was lost: "), "\(result.stderr)")
                #expect(result.stderr.contains("not committed"), "\(result.stderr)")
                #expect(!result.signaled)
            }
            #expect(try admin.scalarInt("SELECT count(*) FROM interactions") == 1)
        }
    }
}
