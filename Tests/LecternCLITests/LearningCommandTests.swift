import Foundation
import Testing

@Suite("lectern user profile, segments, path")
struct LearningCommandTests {
    /// The small catalog with py-301 published: py-101 (software-engineering, beginner, 49.90) <- py-201
    /// (data-science, intermediate, 79.00) <- py-301 (software-engineering, advanced, 99.00).
    func catalog() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["course", "update", "py-301", "--status", "published"])
        return lectern
    }

    @Test func profileWeighsBehaviourAndDeclaredInterests() throws {
        let lectern = try catalog()
        for kind in ["view", "purchase", "complete"] {
            try lectern.ok(["record", kind, "--user", "u1", "--course", "py-101"])
        }
        // A half-life of a billion days is no decay. py-101 gets 1 (view) + 5 (purchase) + 5 (complete) = 11;
        // u1 declared "python", a tag: +2. Tags python 13/24 and beginner 11/24; one domain, weight 1.
        let profile = try parseJSON(try lectern.ok(["user", "profile", "u1", "--half-life", "1000000000", "--format", "json"])) as! [String: Any]
        let domains = profile["domains"] as! [[String: Any]], tags = profile["tags"] as! [[String: Any]]
        #expect(domains.map { $0["name"] as? String } == ["software-engineering"])
        #expect(domains[0]["weight"] as? Double == 1)
        #expect(tags.map { $0["name"] as? String } == ["python", "beginner"])
        #expect(tags.map { $0["weight"] as? Double } == [0.5417, 0.4583])
        #expect(profile["net_spend"] as? [String: Double] == ["USD": 49.9])
        #expect(profile["completion_rate"] as? Double == 1)
        #expect(profile["views"] as? Int == 1 && profile["purchases"] as? Int == 1)
        #expect(profile["segment"] is NSNull)
        let table = try lectern.ok(["user", "profile", "u1"])
        #expect(table.contains("completion rate:    1.000") && table.contains("software-engineering"))
        try lectern.fails(["user", "profile", "nobody"])
    }

    @Test func segmentsSplitLearnersByWhatTheyDoAndFilterReports() throws {
        let lectern = try catalog()
        for user in ["u3", "u4"] { try lectern.ok(["user", "add", user]) }
        for user in ["u1", "u3"] { try lectern.ok(["record", "purchase", "--user", user, "--course", "py-101", "--at", "2025-01-02"]) }
        for user in ["u2", "u4"] { try lectern.ok(["record", "purchase", "--user", user, "--course", "py-201", "--at", "2025-01-03"]) }
        let before = try lectern.snapshot()
        #expect(try lectern.fails(["segments", "build", "--k", "0"]).contains("--k must be 1 to 4"))
        #expect(try lectern.fails(["segments", "build", "--k", "5"]).contains("--k must be 1 to 4"))
        #expect(try lectern.snapshot() == before)

        let built = try parseJSON(try lectern.ok(["segments", "build", "--k", "2", "--format", "json"])) as! [[String: Any]]
        #expect(built.map { $0["learners"] as? Int } == [2, 2])
        let names = built.map { $0["segment"] as! String }
        let data = names.first { $0.hasPrefix("data-science") }!
        #expect(names.contains { $0.hasPrefix("software-engineering") })
        #expect(try lectern.sql("SELECT group_concat(u.external_id) FROM user_segments us JOIN users u ON u.id = us.user_id JOIN segments s ON s.id = us.segment_id WHERE s.name = '\(data)' ORDER BY u.external_id") == "u2,u4")
        // The same data and seed give the same segments.
        let again = try parseJSON(try lectern.ok(["segments", "build", "--k", "2", "--format", "json"])) as! [[String: Any]]
        #expect(again.map { $0["segment"] as? String } == names)
        #expect(try lectern.sql("SELECT count(*) FROM segments") == "2")
        // Reports for one segment: only u2's and u4's purchases of py-201.
        let sales = try parseJSON(try lectern.ok(["report", "sales", "--segment", data, "--format", "json"])) as! [[String: Any]]
        #expect(sales.last?["orders"] as? Int == 2 && sales.last?["gross"] as? Double == 158)
        #expect(try lectern.fails(["report", "sales", "--segment", "nope"]).contains("no segment 'nope'"))
        // The segments report: u2 and u4 paid 79.00 each for py-201 and completed nothing.
        try lectern.ok(["record", "complete", "--user", "u4", "--course", "py-201", "--at", "2025-02-01"])
        let segments = try parseJSON(try lectern.ok(["report", "segments", "--format", "json"])) as! [[String: Any]]
        let row = segments.first { $0["segment"] as? String == data }!
        #expect(row["learners"] as? Int == 2 && row["paying"] as? Int == 2)
        #expect(row["net"] as? Double == 158 && row["net_per_learner"] as? Double == 79)
        #expect(row["completion_rate"] as? Double == 0.5)  // u4 completed, u2 did not
        let profile = try parseJSON(try lectern.ok(["user", "profile", "u4", "--format", "json"])) as! [String: Any]
        #expect(profile["segment"] as? String == data)
    }

    @Test func experimentsCanBeLimitedToASegment() throws {
        let lectern = try catalog()
        for user in ["u1"] { try lectern.ok(["record", "purchase", "--user", user, "--course", "py-101"]) }
        try lectern.ok(["record", "purchase", "--user", "u2", "--course", "py-201"])
        try lectern.ok(["segments", "build", "--k", "2"])
        let segment = try lectern.sql("SELECT s.name FROM segments s JOIN user_segments us ON us.segment_id = s.id JOIN users u ON u.id = us.user_id WHERE u.external_id = 'u1'")
        try lectern.ok(["train", "--algorithm", "popular"])
        try lectern.ok(["train", "--algorithm", "hybrid"])
        #expect(try lectern.fails(["experiment", "create", "x", "--variant", "A=popular", "--variant", "B=hybrid", "--segment", "nope"]).contains("no segment"))
        try lectern.ok(["experiment", "create", "seg-test", "--variant", "A=popular", "--variant", "B=hybrid", "--segment", segment])
        try lectern.ok(["recommend", "--user", "u1"])
        try lectern.ok(["recommend", "--user", "u2"])
        // Only u1 is in the segment, so only u1's lists are logged.
        #expect(try lectern.sql("SELECT group_concat(DISTINCT u.external_id) FROM impressions i JOIN users u ON u.id = i.user_id") == "u1")
        #expect(try lectern.ok(["experiment", "list"]).contains(segment))
    }

    @Test func pathToAGoalInPrerequisiteOrder() throws {
        let lectern = try catalog()
        var rows = try parseJSON(try lectern.ok(["path", "--user", "u1", "--goal", "py-301", "--format", "json"])) as! [[String: Any]]
        #expect(rows.map { $0["course"] as? String } == ["py-101", "py-201", "py-301", nil])
        #expect(rows.last?["price"] as? Double == 227.9)  // 49.90 + 79.00 + 99.00
        #expect(rows.last?["currency"] as? String == "USD")
        try lectern.ok(["record", "complete", "--user", "u1", "--course", "py-101"])
        rows = try parseJSON(try lectern.ok(["path", "--user", "u1", "--goal", "py-301", "--format", "json"])) as! [[String: Any]]
        #expect(rows.map { $0["course"] as? String } == ["py-201", "py-301", nil])
        #expect(rows.map { $0["why"] as? String }.prefix(2) == ["needed for py-301", "the goal"])
        try lectern.ok(["record", "complete", "--user", "u1", "--course", "py-301"])
        #expect(try lectern.ok(["path", "--user", "u1", "--goal", "py-301"]).contains("Nothing left"))
        let table = try lectern.ok(["path", "--user", "u2", "--goal", "py-201"])
        #expect(table.contains("2 courses, 128.90 USD in all"))
    }

    @Test func pathThroughADomainPullsInPrerequisitesFromElsewhere() throws {
        let lectern = try catalog()
        // software-engineering: py-101 (beginner), py-301 (advanced, needs py-201 from data-science).
        let rows = try parseJSON(try lectern.ok(["path", "--user", "u2", "--domain", "software-engineering", "--format", "json"])) as! [[String: Any]]
        #expect(rows.map { $0["course"] as? String } == ["py-101", "py-201", "py-301", nil])
        #expect(rows[1]["why"] as? String == "needed for py-301")
    }

    @Test(arguments: [
        (["path", "--user", "u1"], "either --goal"),
        (["path", "--user", "u1", "--goal", "py-101", "--domain", "x"], "either --goal"),
        (["path", "--user", "nobody", "--goal", "py-101"], "no learner"),
        (["path", "--user", "u1", "--goal", "nope"], "nope"),
        (["path", "--user", "u1", "--domain", "underwater-basket-weaving"], "no course in domain"),
        (["path", "--user", "u1", "--goal", "py-201", "--per-level", "0"], "--per-level"),
    ] as [([String], String)])
    func badPathsAreRefused(arguments: [String], expected: String) throws {
        let lectern = try catalog()
        let line = try lectern.fails(arguments)
        #expect(line.contains(expected), "got: \(line)")
    }

    @Test func anArchivedOrDraftGoalOrPrerequisiteIsUnreachable() throws {
        let lectern = try catalog()
        try lectern.ok(["course", "update", "py-301", "--status", "draft"])
        #expect(try lectern.fails(["path", "--user", "u1", "--goal", "py-301"]).contains("not published"))
        try lectern.ok(["course", "archive", "py-101"])
        let line = try lectern.fails(["path", "--user", "u2", "--goal", "py-201"])
        #expect(line.contains("py-101") && line.contains("not available"), "got: \(line)")
    }
}
