import Foundation
import LecternSQLite
import Testing

@Suite("lectern user forget")
struct ForgetCommandTests {
    /// Zed (unmistakable strings, so any trace shows in a dump) views, buys, completes and rates py-101,
    /// buys py-201 and gets it refunded, and takes part in an experiment; u1 and u2 stay.
    func withZed() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["course", "update", "py-301", "--status", "published"])
        try lectern.ok(["course", "add", "sql-101", "--title", "SQL Basics", "--domain", "data-science", "--price", "30",
                        "--creator", "1", "--status", "published", "--tags", "sql"])
        try lectern.ok(["user", "add", "zed-4711", "--name", "Zed Zimmermann", "--email", "zed.z@example.net",
                        "--country", "NO", "--interests", "python,data-science", "--channel", "partner", "--campaign", "zz-campaign"])
        for (kind, course, extra) in [("view", "py-101", [String]()), ("purchase", "py-101", []), ("complete", "py-101", []),
                                      ("rate", "py-101", ["--rating", "5"]), ("purchase", "py-201", []), ("refund", "py-201", [])] {
            try lectern.ok(["record", kind, "--user", "zed-4711", "--course", course, "--at", "2025-02-0\(kind.count % 9 + 1)"] + extra)
        }
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-101", "--at", "2025-01-05"])
        try lectern.ok(["record", "view", "--user", "u2", "--course", "py-201", "--at", "2025-01-06"])
        try lectern.ok(["record", "purchase", "--user", "u2", "--course", "sql-101", "--at", "2025-01-07"])
        try lectern.ok(["train", "--factors", "2", "--iterations", "3"])
        try lectern.ok(["experiment", "create", "zz-test", "--variant", "A=itemknn", "--variant", "B=popular", "--traffic", "50/50"])
        try lectern.ok(["recommend", "--user", "zed-4711"])
        return lectern
    }

    @Test func theLearnerIsGoneFromEveryTableAndTheAccountsAreUnchanged() throws {
        let lectern = try withZed()
        let sales = try lectern.ok(["report", "sales", "--format", "csv"])
        let payouts = try lectern.ok(["report", "creators", "--format", "csv"])
        let before = try lectern.snapshot()
        #expect(before.contains("zed.z@example.net") && before.contains("zz-campaign"))
        let zedID = try lectern.sql("SELECT id FROM users WHERE external_id = 'zed-4711'")
        #expect(try lectern.sql("SELECT count(*) FROM recommendations WHERE user_id = \(zedID)") != "0")
        #expect(try lectern.sql("SELECT count(*) FROM impressions WHERE user_id = \(zedID)") != "0")

        let summary = try parseJSON(try lectern.ok(["user", "forget", "zed-4711", "--format", "json"])) as! [String: Any]
        #expect(summary["interactions_deleted"] as? Int == 3)  // view, complete, rate
        #expect(summary["purchases_and_refunds_kept_anonymously"] as? Int == 3)
        #expect(summary["interests_deleted"] as? Int == 2)
        #expect((summary["cached_recommendations_deleted"] as? Int ?? 0) > 0)
        #expect((summary["impressions_deleted"] as? Int ?? 0) > 0)
        #expect((summary["factors_deleted"] as? Int ?? 0) == 1)

        // No trace of the person anywhere in the file.
        let after = try lectern.snapshot()
        for trace in ["zed-4711", "Zimmermann", "zed.z@example.net", "zz-campaign"] {
            #expect(!after.contains(trace), "\(trace) is still stored")
        }
        // No row in any table that holds learners still points at the id.
        for (table, column) in [("users", "id"), ("interactions", "user_id"), ("user_interests", "user_id"),
                                ("recommendations", "user_id"), ("impressions", "user_id"), ("user_segments", "user_id")] {
            #expect(try lectern.sql("SELECT count(*) FROM \(table) WHERE \(column) = \(zedID)") == "0", "\(table)")
        }
        #expect(try lectern.sql("SELECT count(*) FROM model_factors WHERE entity = 'user' AND entity_id = \(zedID)") == "0")
        // The money stays, so sales and payouts are exactly as before.
        #expect(try lectern.ok(["report", "sales", "--format", "csv"]) == sales)
        #expect(try lectern.ok(["report", "creators", "--format", "csv"]) == payouts)
        #expect(try lectern.sql("SELECT count(*) FROM interactions i JOIN users u ON u.id = i.user_id WHERE u.anonymous = 1") == "3")
        // And the learner is in no listing, export or learner report.
        try lectern.fails(["user", "show", "zed-4711"])
        try lectern.fails(["recommend", "--user", "zed-4711"])
        #expect(!(try lectern.ok(["user", "list"])).contains("forgotten"))
        let learners = try parseJSON(try lectern.ok(["report", "learners", "--format", "json", "--include-personal-data"])) as! [[String: Any]]
        #expect(learners.map { $0["external_id"] as? String } == ["u1", "u2"])
        #expect(!(try lectern.ok(["export", "users"])).contains("zed"))
        #expect(!(try lectern.ok(["export", "interactions"])).contains("zed"))
        #expect(!(try lectern.ok(["report", "all", "--format", "json"])).contains("zed"))
    }

    /// With another connection open on the database (as `lectern serve` keeps one), no byte of the
    /// person is left in the database file or its write-ahead log once `forget` returns: searched in
    /// the raw files.
    @Test func noByteOfThePersonIsLeftInTheFilesWhileAServerHasThemOpen() throws {
        let lectern = try withZed()
        let server = try Connection(path: lectern.databasePath)
        #expect(try server.scalarInt("SELECT count(*) FROM users") == 3)
        // Read by another process: closing a descriptor of the file in this one would drop the POSIX
        // locks `server` holds, and the next `lectern` would then think itself the last connection.
        func raw() throws -> Data {
            var bytes = Data()
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: lectern.databasePath + suffix) {
                let cat = Process()
                cat.executableURL = URL(fileURLWithPath: "/bin/cat")
                cat.arguments = [lectern.databasePath + suffix]
                let out = Pipe()
                cat.standardOutput = out
                try cat.run()
                bytes.append(out.fileHandleForReading.readDataToEndOfFile())
                cat.waitUntilExit()
            }
            return bytes
        }
        // A change while the server is open: the person's row now also sits in the write-ahead log.
        try lectern.ok(["user", "update", "zed-4711", "--name", "Zed Zimmermann-Berg"])
        let traces = ["zed-4711", "Zimmermann", "zed.z@example.net", "zz-campaign"]
        #expect(traces.allSatisfy { try! raw().range(of: Data($0.utf8)) != nil })
        let summary = try parseJSON(try lectern.ok(["user", "forget", "zed-4711", "--format", "json"])) as! [String: Any]
        #expect(summary["wiped_from_disk"] as? String == "yes")
        let bytes = try raw()
        for trace in traces { #expect(bytes.range(of: Data(trace.utf8)) == nil, "\(trace) is still in the files") }
        #expect(try server.scalarInt("SELECT count(*) FROM users WHERE external_id = 'zed-4711'") == 0)
    }

    /// A reader that keeps an old snapshot throughout: the learner is erased, and the command says
    /// plainly that the wipe of the old pages is pending.
    @Test func aReaderHoldingOldPagesLeavesTheWipePendingAndSaysSo() throws {
        let lectern = try withZed()
        let reader = try Connection(path: lectern.databasePath)
        try reader.execute("BEGIN")
        #expect(try reader.scalarInt("SELECT count(*) FROM users") == 3)
        let result = try lectern.run(["user", "forget", "zed-4711", "--format", "json"], environment: ["LECTERN_BUSY_TIMEOUT_MS": "200"])
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try parseJSON(result.stdout) as! [String: Any]
        #expect((summary["wiped_from_disk"] as? String)?.hasPrefix("pending") == true)
        try reader.execute("COMMIT")
        #expect(try lectern.sql("SELECT count(*) FROM users WHERE external_id = 'zed-4711'") == "0")
    }

    @Test func forgottenLearnersShareOneAnonymousHolder() throws {
        let lectern = try withZed()
        try lectern.ok(["user", "forget", "zed-4711"])
        try lectern.ok(["user", "forget", "u1"])
        #expect(try lectern.sql("SELECT count(*) FROM users WHERE anonymous = 1") == "1")
        #expect(try lectern.sql("SELECT count(*) FROM interactions i JOIN users u ON u.id = i.user_id WHERE u.anonymous = 1") == "4")
        // The anonymous holder is not a learner one can forget, show or train on.
        try lectern.fails(["user", "forget", "~forgotten"])
        try lectern.ok(["train", "--algorithm", "popular"])
        // Popularity lists go to the learners left (u2), never to the anonymous holder.
        #expect(try lectern.sql("SELECT group_concat(DISTINCT u.external_id) FROM recommendations r JOIN active_models a ON a.run_id = r.run_id JOIN users u ON u.id = r.user_id WHERE a.algorithm = 'popular'") == "u2")
    }

    @Test func anUnknownLearnerChangesNothing() throws {
        let lectern = try withZed()
        let before = try lectern.snapshot()
        let line = try lectern.fails(["user", "forget", "nobody"])
        #expect(line.contains("no learner 'nobody'"))
        #expect(try lectern.snapshot() == before)
    }
}
