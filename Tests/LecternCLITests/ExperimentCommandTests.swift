import Foundation
import Testing

@Suite("lectern experiment")
struct ExperimentCommandTests {
    @Test func variantsAreServedLoggedAndAttributed() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["course", "update", "py-301", "--status", "published"])
        try lectern.ok(["course", "add", "sql-101", "--title", "SQL Basics", "--domain", "data-science", "--price", "30",
                        "--creator", "1", "--status", "published", "--tags", "sql"])
        for (user, course) in [("u1", "py-101"), ("u2", "py-101"), ("u2", "py-201"), ("u2", "sql-101")] {
            try lectern.ok(["record", "purchase", "--user", user, "--course", course, "--at", "2025-01-02"])
        }
        try lectern.ok(["train", "--factors", "2", "--iterations", "3"])
        try lectern.ok(["experiment", "create", "spring", "--variant", "A=itemknn", "--variant", "B=popular", "--traffic", "50/50"])

        let shown = try lectern.ok(["recommend", "--user", "u1", "--format", "json"])
        let list = try parseJSON(shown) as! [[String: Any]]
        #expect(!list.isEmpty)
        let table = try lectern.ok(["recommend", "--user", "u1"])
        #expect(table.contains("experiment variant"))
        // The learner views the first course shown (a click) and buys it (a conversion), within the window.
        let course = list[0]["course"] as! String
        try lectern.ok(["record", "view", "--user", "u1", "--course", course])
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", course, "--amount", "12"])

        let report = try parseJSON(try lectern.ok(["experiment", "report", "spring", "--format", "json"])) as! [[String: Any]]
        let exposed = report.first { ($0["learners"] as? Int ?? 0) > 0 }!
        #expect(exposed["impressions"] as? Int == list.count * 2)  // two `recommend` calls
        #expect((exposed["clicks"] as? Int ?? 0) >= 1)
        #expect(exposed["converters"] as? Int == 1)
        #expect(exposed["revenue_per_learner"] as? Double == 12)

        try lectern.ok(["experiment", "stop", "spring"])
        try lectern.ok(["recommend", "--user", "u1"])
        let after = try parseJSON(try lectern.ok(["experiment", "report", "spring", "--format", "json"])) as! [[String: Any]]
        #expect(after.map { $0["impressions"] as? Int } == report.map { $0["impressions"] as? Int })  // frozen
    }

    @Test func anEventAfterTheWindowDoesNotCount() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["record", "purchase", "--user", "u2", "--course", "py-101", "--at", "2025-01-02"])
        try lectern.ok(["train", "--algorithm", "popular"])
        try lectern.ok(["experiment", "create", "late", "--variant", "A=popular", "--variant", "B=popular", "--window-days", "1"])
        let list = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--format", "json"])) as! [[String: Any]]
        let course = list[0]["course"] as! String
        let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400))
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", course, "--at", later])
        let report = try parseJSON(try lectern.ok(["experiment", "report", "late", "--format", "json"])) as! [[String: Any]]
        #expect(report.allSatisfy { $0["converters"] as? Int == 0 && $0["clicks"] as? Int == 0 })
    }

    @Test(arguments: [
        (["experiment", "create", "x", "--variant", "A=itemknn", "--variant", "B=als", "--traffic", "60/60"], "add up to 100"),
        (["experiment", "create", "x", "--variant", "A=itemknn"], "at least two"),
        (["experiment", "create", "x", "--variant", "A=magic", "--variant", "B=als"], "A=itemknn"),
        (["experiment", "report", "nope"], "no experiment"),
        (["experiment", "stop", "nope"], "no experiment"),
    ] as [([String], String)])
    func badInputIsRefused(arguments: [String], expected: String) throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        let before = try lectern.snapshot()
        let line = try lectern.fails(arguments)
        #expect(line.contains(expected), "got: \(line)")
        #expect(try lectern.snapshot() == before)
    }
}
