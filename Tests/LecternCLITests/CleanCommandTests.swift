import Foundation
import Testing

@Suite("lectern clean")
struct CleanCommandTests {
    /// Courses and learners created on 2025-01-01, and 37 events: a view repeated 20 s later, a
    /// purchase repeated 30 s later, a view of the draft d1, a view in 2099, and b's 31 views of c2 in
    /// 31 seconds (a bot).
    func withEvents() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.ok(["creator", "add", "Ada Lovelace", "--share", "0.7"])
        try lectern.ok(["import", "courses", try lectern.write("courses.csv", """
            slug,title,domain,price_minor,creator,status,created_at
            c1,Course One,data-science,1000,Ada Lovelace,published,2025-01-01
            c2,Course Two,data-science,1000,Ada Lovelace,published,2025-01-01
            d1,Draft One,data-science,1000,Ada Lovelace,draft,2025-01-01

            """)])
        try lectern.ok(["import", "users", try lectern.write("users.csv", "external_id,created_at\na,2025-01-01\nb,2025-01-01\n")])
        var events = """
            user,course,kind,value,channel,occurred_at,key
            a,c1,view,,,2025-02-01T10:00:00Z,
            a,c1,view,,,2025-02-01T10:00:20Z,
            a,c1,purchase,1000,,2025-02-01T11:00:00Z,
            a,c1,purchase,1000,,2025-02-01T11:00:30Z,
            a,d1,view,,,2025-02-02T10:00:00Z,
            a,c2,view,,,2099-01-01T00:00:00Z,

            """
        for second in 0..<31 { events += "b,c2,view,,,2025-03-01T09:00:\(second < 10 ? "0" : "")\(second)Z,\n" }
        try lectern.ok(["import", "interactions", try lectern.write("events.csv", events)])
        #expect(try lectern.sql("SELECT count(*) FROM interactions") == "37")
        return lectern
    }

    func summary(_ text: String) throws -> [String: Any] {
        try parseJSON(text) as! [String: Any]
    }

    @Test func aDryRunReportsEveryRuleAndChangesNothing() throws {
        let lectern = try withEvents()
        let before = try lectern.snapshot()
        let report = try summary(try lectern.ok(["clean", "--dry-run", "--format", "json"]))
        #expect(report["dry_run"] as? Bool == true)
        #expect(report["flagged"] as? Int == 35)
        #expect(report["would_remove"] as? Int == 34)
        #expect(report["money_kept"] as? Int == 1)
        #expect(report["bot_learners"] as? Int == 1)
        #expect(report["earliest"] as? String == "2024-01-02T00:00:00Z")  // 2025-01-01 minus 365 days
        let rules = Dictionary(uniqueKeysWithValues: (report["rules"] as! [[String: Any]]).map { ($0["rule"] as! String, $0["flagged"] as! Int) })
        #expect(rules == ["unknown-entity": 0, "draft-course": 1, "anonymous-learner": 0, "out-of-range": 1, "before-signup": 0,
                          "before-course": 0, "bot": 31, "duplicate": 2])
        let sample = report["sample"] as! [[String: Any]]
        #expect(sample.count == 1 + 1 + 5 + 2)  // at most 5 per rule
        let purchase = sample.first { $0["kind"] as? String == "purchase" }
        #expect(purchase?["reason"] as? String == "duplicate")
        #expect(purchase?["action"] as? String == "kept (money)")
        #expect(purchase?["time"] as? String == "2025-02-01T11:00:30Z")
        #expect(sample.first { $0["reason"] as? String == "out-of-range" }?["learner"] as? String == "a")

        let table = try lectern.ok(["clean", "--dry-run"])
        #expect(table.hasPrefix("Dry run: would remove 34 of 35 flagged interactions; nothing changed."))
        #expect(table.contains("1 flagged purchase or refund kept for the accounts; --include-money removes them."))
        #expect(try lectern.snapshot() == before)
    }

    @Test func cleaningRemovesWhatTheDryRunShowedAndASecondRunFindsNothingNew() throws {
        let lectern = try withEvents()
        let output = try lectern.ok(["clean"])
        #expect(output.hasPrefix("Removed 34 of 35 flagged interactions."))
        #expect(try lectern.sql("SELECT kind || ' ' || occurred_at FROM interactions ORDER BY id")
                == "view 1738404000\npurchase 1738407600\npurchase 1738407630")
        let second = try summary(try lectern.ok(["clean", "--format", "json"]))
        #expect(second["flagged"] as? Int == 1)
        #expect(second["removed"] as? Int == 0)
        #expect(second["money_kept"] as? Int == 1)
        let withMoney = try summary(try lectern.ok(["clean", "--include-money", "--format", "json"]))
        #expect(withMoney["removed"] as? Int == 1)
        let after = try lectern.snapshot()
        let third = try summary(try lectern.ok(["clean", "--include-money", "--format", "json"]))
        #expect(third["flagged"] as? Int == 0)
        #expect(try lectern.snapshot() == after)
    }

    @Test func thresholdsComeFromTheOptions() throws {
        let lectern = try withEvents()
        // 31 events in 31 s are no burst when 31 are allowed. With a 10 s window b's views at seconds
        // 0, 11 and 22 are kept and the other 28 are duplicates; a's repeats, 20 s and 30 s later, are not.
        let report = try summary(try lectern.ok(["clean", "--dry-run", "--burst-limit", "31", "--duplicate-window", "10",
                                                 "--format", "json"]))
        let rules = Dictionary(uniqueKeysWithValues: (report["rules"] as! [[String: Any]]).map { ($0["rule"] as! String, $0["flagged"] as! Int) })
        #expect(rules["bot"] == 0)
        #expect(rules["duplicate"] == 28)
        let early = try summary(try lectern.ok(["clean", "--dry-run", "--earliest", "2025-02-02", "--daily-limit", "30",
                                               "--format", "json"]))
        let earlyRules = Dictionary(uniqueKeysWithValues: (early["rules"] as! [[String: Any]]).map { ($0["rule"] as! String, $0["flagged"] as! Int) })
        #expect(earlyRules["out-of-range"] == 5)  // a's four events of 2025-02-01 and the one in 2099
        #expect(earlyRules["bot"] == 31)
    }

    @Test func backDatedHistoryIsBeforeSignupUnlessTheCheckIsOff() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["user", "add", "zoe", "--at", "2025-06-01"])
        try lectern.ok(["record", "view", "--user", "zoe", "--course", "py-101", "--at", "2025-02-01"])
        let checked = try summary(try lectern.ok(["clean", "--dry-run", "--earliest", "2020-01-01", "--format", "json"]))
        let sample = checked["sample"] as! [[String: Any]]
        #expect(sample.map { $0["reason"] as? String } == ["before-signup"])
        #expect(sample.first?["learner"] as? String == "zoe")
        let unchecked = try summary(try lectern.ok(["clean", "--no-creation-check", "--earliest", "2020-01-01", "--format", "json"]))
        #expect(unchecked["flagged"] as? Int == 0)
        #expect(try lectern.sql("SELECT count(*) FROM interactions") == "1")
    }

    @Test func badOptionsChangeNothing() throws {
        let lectern = try withEvents()
        let before = try lectern.snapshot()
        let burst = try lectern.run(["clean", "--burst-limit", "0"])
        #expect(burst.status == 4)
        #expect(burst.stderr.hasPrefix("error: the burst limit needs at least 1 event"))
        #expect(try lectern.fails(["clean", "--earliest", "someday"]).contains("invalid --earliest 'someday'"))
        #expect(try lectern.fails(["clean", "--earliest", "2099-01-01"]).contains("after now"))
        #expect(try lectern.run(["clean", "--sample", "-1"]).status == 64)
        #expect(try lectern.snapshot() == before)
    }
}
