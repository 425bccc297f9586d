import Foundation
import LecternPostgres
import LecternTestSupport
import Testing

/// Issue 16's end-to-end run: two `lectern serve` nodes and one `lectern train` on one cluster, and a
/// hot standby made with `pg_basebackup` (LECTERN_TEST_PG_STANDBY, from `scripts/pg-cluster.sh
/// standby`) that answers node B's reads (`--read-db`). The standby's replay is paused while a
/// purchase is posted to node A, so B can only keep read-your-writes by sending that learner's read
/// to the primary, and can only refuse a key revoked meanwhile by reading keys on the primary.
///
/// Only this suite uses the standby (pausing its replay would stall any other), and its tests run
/// one at a time.
@Suite("lectern serve --read-db on a hot standby", .serialized,
       .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct PostgresStandbyCommandTests {
    /// The standby's URL (its `postgres` database) from LECTERN_TEST_PG_STANDBY.
    static let standbyURL = ProcessInfo.processInfo.environment["LECTERN_TEST_PG_STANDBY"].flatMap { $0.isEmpty ? nil : $0 }

    struct MissingStandby: Error, CustomStringConvertible {
        var description: String { "LECTERN_TEST_PG is set but LECTERN_TEST_PG_STANDBY is not: run bash scripts/pg-cluster.sh standby" }
    }

    @Test("a purchase on node A is gone from node B's list while B's standby is paused; a key revoked meanwhile is refused by B; train's new run reaches B")
    func twoNodesTrainAndStandby() async throws {
        guard let standbyServer = Self.standbyURL else { throw MissingStandby() }
        let (url, drop) = try TestPostgres.makeDatabase()
        defer { drop() }
        let standby = Self.sameDatabase(as: url, on: standbyServer)
        let lectern = try Lectern(initialized: false)
        try Self.loadPlatform(lectern, url)
        let token = try lectern.run(["apikey", "create", "--name", "storefront", "--scope", "write"], database: url)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // The other suites write to the primary meanwhile, and the standby replays on one core.
        try Self.waitForReplay(standby, of: url)

        let a = try PostgresServeCommandTests.Node.start(url)
        let b = try PostgresServeCommandTests.Node.start(url, ["--read-db", standby])
        defer { for node in [a, b] where node.process.isRunning { _ = node.stop() } }
        guard !a.port.isEmpty, !b.port.isEmpty else {
            let (status, _, log) = (b.port.isEmpty ? b : a).stop()
            Issue.record("\(b.port.isEmpty ? "B" : "A") did not start (exit \(status)): \(log)")
            return
        }
        let learner = "u000007"
        let before = try await Self.list(b, learner, token)
        let bought = try #require(before.first)
        #expect(try await Self.list(a, learner, token) == before, "both nodes give one list")

        let replica = try PGConnection.connect(try PGConnectionURL(standby))
        defer { replica.close() }
        _ = try replica.execute("SELECT pg_wal_replay_pause()")
        do {
            defer { _ = try? replica.execute("SELECT pg_wal_replay_resume()") }
            let purchase: [String: Any] = ["user": learner, "course": bought, "kind": "purchase", "amount_minor": 4_900]
            #expect(try await a.send("POST", "/v1/interactions", token: token, json: purchase) == 201)
            // The standby has not replayed the purchase, so B's answer below came from the primary.
            let purchases = """
                SELECT count(*) FROM interactions AS i JOIN users AS u ON u.id = i.user_id JOIN courses AS c ON c.id = i.course_id
                WHERE u.external_id = $1 AND c.slug = $2 AND i.kind = 'purchase'
                """
            #expect(try replica.scalarInt(purchases, [.text(learner), .text(bought)]) == 0, "the standby's replay is not paused")
            let after = try await Self.list(b, learner, token)
            #expect(!after.contains(bought), "\(bought) was bought on A but B still recommends it: \(after)")
            #expect(after.count == before.count)
            let reads = try await Self.standbyReads(b, token)
            #expect(reads["standby", default: 0] >= 1, "B answered nothing from the standby: \(reads)")
            #expect(reads["primary_fresh", default: 0] >= 1, "B did not wait for the learner's events: \(reads)")
            // ...while a learner who bought nothing is still answered by the standby.
            let standbyBefore = reads["standby", default: 0]
            _ = try await Self.list(b, "u000008", token)
            #expect(try await Self.standbyReads(b, token)["standby", default: 0] > standbyBefore)

            #expect(try lectern.run(["apikey", "revoke", "storefront"], database: url).status == 0)
            #expect(try await a.send("GET", "/v1/courses", token: token) == 401)
            #expect(try await b.send("GET", "/v1/courses", token: token) == 401, "B accepted a key revoked on the primary")
        }
        let reader = try lectern.run(["apikey", "create", "--name", "reader", "--scope", "read"], database: url)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // The standby ends B's sessions (as a restart or an administrator would): B's next read still
        // answers, from a new standby session or from the primary, and is counted as one or the other.
        let database = try PGConnectionURL(standby).database
        _ = try replica.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
                                [.text(database)])
        let counted = { (reads: [String: Int]) in reads["standby", default: 0] + reads["primary_fallback", default: 0] }
        let readsBefore = try await Self.standbyReads(b, reader)
        #expect(try await Self.list(b, "u000009", reader).isEmpty == false, "B failed a read when the standby dropped its sessions")
        let readsAfter = try await Self.standbyReads(b, reader)
        // The list's read, and /metrics' own (it reads the active runs before it counts).
        #expect(counted(readsAfter) == counted(readsBefore) + 2, "\(readsBefore) then \(readsAfter)")

        let trained = try lectern.run(["train", "--algorithm", "als"], database: url)
        #expect(trained.status == 0, "\(trained.stderr)")
        let newest = try #require(try await Self.runIDs(a, reader).max(), "A names no model")
        #expect(try await Self.runIDs(b, reader).max() ?? 0 <= newest)
        #expect(try await Self.waitForRun(b, newest, reader), "B never saw train's second run \(newest)")
        #expect(try await !Self.list(b, learner, reader).contains(bought))
        #expect(try await !Self.list(a, learner, reader).contains(bought))

        // A command that writes (a report keeps its rollups) says the standby is read-only, in one line.
        let onStandby = try lectern.run(["report", "sales"], database: standby)
        #expect(onStandby.status == 8 && onStandby.stdout.isEmpty, "\(onStandby.stderr)")
        #expect(onStandby.stderr.hasPrefix("error: the database is read-only (a hot standby?)") && onStandby.stderr.split(separator: "\n").count == 1,
                "\(onStandby.stderr)")

        let password = try PGConnectionURL(url).password
        for node in [a, b] {
            let (status, stdout, log) = node.stop()
            #expect(status == 0, "\(log)")
            if let password { #expect(!stdout.contains(password) && !log.contains(password)) }
        }
    }

    @Test("--read-db refuses an SQLite database, another database of the primary, and a server it cannot reach, with one line")
    func refusals() throws {
        let (url, drop) = try TestPostgres.makeDatabase()
        defer { drop() }
        let (other, dropOther) = try TestPostgres.makeDatabase()
        defer { dropOther() }
        let lectern = try Lectern()
        #expect(try lectern.run(["init"], database: url).status == 0)
        #expect(try lectern.run(["init"], database: other).status == 0)
        let cases: [([String], Int32, String)] = [
            (["serve", "--port", "0", "--read-db", url], 64, "error: --read-db needs PostgreSQL"),
            (["serve", "--port", "0", "--read-db", other], 6, "is not a copy of"),
            (["serve", "--port", "0", "--read-db", "postgres://lectern@127.0.0.1:1/nowhere"], 8, "error: cannot reach the PostgreSQL server"),
        ]
        for (index, (arguments, code, message)) in cases.enumerated() {
            let result = try lectern.run(arguments, database: index == 0 ? nil : url)
            #expect(result.status == code, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains(message), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1 && result.stdout.isEmpty, "\(result.stderr)")
        }
    }

    // MARK: Helpers

    /// A small generated platform, imported and trained (ALS) on `url`.
    static func loadPlatform(_ lectern: Lectern, _ url: String) throws {
        let folder = lectern.path("platform")
        let generated = try lectern.run(["generate", "--out", folder, "--creators", "6", "--courses", "40", "--users", "300",
                                         "--interactions", "6000", "--months", "3"])
        #expect(generated.status == 0, "\(generated.stderr)")
        #expect(try lectern.run(["init"], database: url).status == 0)
        for table in ["creators", "courses", "users", "interactions"] {
            let imported = try lectern.run(["import", table, "\(folder)/\(table).csv"], database: url)
            #expect(imported.status == 0, "\(table): \(imported.stderr)")
        }
        let trained = try lectern.run(["train", "--algorithm", "als"], database: url)
        #expect(trained.status == 0, "\(trained.stderr)")
    }

    /// The slugs of `learner`'s ALS list on `node`.
    static func list(_ node: PostgresServeCommandTests.Node, _ learner: String, _ token: String) async throws -> [String] {
        let (status, data) = try await node.fetch("GET", "/v1/users/\(learner)/recommendations?algorithm=als&limit=10", token: token)
        #expect(status == 200, "\(String(decoding: data, as: UTF8.self))")
        let body = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (body?["items"] as? [[String: Any]] ?? []).compactMap { $0["slug"] as? String }
    }

    /// `lectern_standby_reads_total` by `answered_by`, from the node's /metrics.
    static func standbyReads(_ node: PostgresServeCommandTests.Node, _ token: String) async throws -> [String: Int] {
        let (_, data) = try await node.fetch("GET", "/metrics", token: token)
        var counts: [String: Int] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("lectern_standby_reads_total{") {
            let parts = line.split(separator: "\"")
            if parts.count >= 3, let value = Int(parts[2].dropFirst(2)) { counts[String(parts[1])] = value }
        }
        return counts
    }

    /// The active runs' ids `node`'s /readyz names.
    static func runIDs(_ node: PostgresServeCommandTests.Node, _ token: String) async throws -> [Int] {
        let (_, data) = try await node.fetch("GET", "/readyz", token: token)
        let body = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return (body?["models"] as? [[String: Any]] ?? []).compactMap { $0["run_id"] as? Int }
    }

    /// Whether `node`'s /readyz names run `id` within 10 seconds.
    static func waitForRun(_ node: PostgresServeCommandTests.Node, _ id: Int, _ token: String) async throws -> Bool {
        for _ in 0..<100 {
            if try await runIDs(node, token).contains(id) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// `database`'s URL with its database name put on `server`'s URL.
    static func sameDatabase(as database: String, on server: String) -> String {
        let name = database.split(separator: "?", maxSplits: 1)[0].split(separator: "/").last ?? ""
        return TestPostgres.replacingDatabase(in: server, with: String(name))
    }

    /// Waits (120 s at most) for the standby to have replayed everything the primary had written
    /// when this was called, the creation of `url`'s database included.
    static func waitForReplay(_ standby: String, of url: String) throws {
        let primary = try PGConnection.connect(try PGConnectionURL(url))
        defer { primary.close() }
        let position = try primary.scalarText("SELECT pg_current_wal_insert_lsn()::text") ?? "0/0"
        let server = try PGConnection.connect(try PGConnectionURL(standbyURL ?? standby))
        defer { server.close() }
        for _ in 0..<1_200 {
            if try server.scalarInt("SELECT (pg_last_wal_replay_lsn() >= $1::pg_lsn)::int", [.text(position)]) == 1 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        Issue.record("the standby did not replay \(position) within 120 s")
    }
}
