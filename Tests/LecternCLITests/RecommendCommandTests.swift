import Foundation
import Testing

@Suite("lectern train, recommend, similar")
struct RecommendCommandTests {
    /// The small catalog plus activity: u1 bought py-101, u2 bought py-101 and py-201, u3 viewed py-101.
    func trained() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["course", "update", "py-301", "--status", "published"])
        try lectern.ok(["course", "add", "sql-101", "--title", "SQL Basics", "--domain", "data-science", "--price", "30",
                        "--creator", "1", "--status", "published", "--tags", "sql,python"])
        try lectern.ok(["user", "add", "u3"])
        for (user, course) in [("u1", "py-101"), ("u2", "py-101"), ("u2", "py-201"), ("u2", "sql-101")] {
            try lectern.ok(["record", "view", "--user", user, "--course", course, "--at", "2025-01-01"])
            try lectern.ok(["record", "purchase", "--user", user, "--course", course, "--at", "2025-01-02"])
        }
        try lectern.ok(["record", "view", "--user", "u3", "--course", "py-101", "--at", "2025-01-03"])
        try lectern.ok(["train", "--factors", "4", "--iterations", "5", "--top", "5"])
        return lectern
    }

    @Test func trainingCachesEveryAlgorithmAndRecommendShowsReasons() throws {
        let lectern = try trained()
        let runs = try parseJSON(try lectern.ok(["models", "--format", "json"])) as! [[String: Any]]
        #expect(Set(runs.compactMap { $0["algorithm"] as? String }) == ["itemknn", "als", "popular", "content", "hybrid"])
        #expect(runs.allSatisfy { $0["active"] as? String == "*" })

        let list = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn", "--format", "json"])) as! [[String: Any]]
        #expect(list.map { $0["course"] as? String } == ["py-201", "sql-101"])
        #expect(list.first?["reason"] as? String == "because you bought Python Basics")
        #expect(list.map { $0["rank"] as? Int } == [1, 2])

        let table = try lectern.ok(["recommend", "--user", "u1", "--explain"])
        #expect(table.contains("hybrid recommendations for u1, cached by run"))
        #expect(!table.contains("py-101 "))  // bought
    }

    /// Issue 18: a list shortened at read time (here, its first course archived) numbered from 2.
    @Test func ranksCountFromOneAfterAReadTimeFilterInEveryFormat() throws {
        let lectern = try trained()
        let before = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn", "--format", "json"])) as! [[String: Any]]
        let first = try #require(before.first?["course"] as? String)
        try lectern.ok(["course", "archive", first])
        let after = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn", "--format", "json"])) as! [[String: Any]]
        #expect(!after.isEmpty)
        #expect(!after.contains { $0["course"] as? String == first })
        let ranks: [Int] = after.compactMap { $0["rank"] as? Int }
        #expect(ranks == Array(1...after.count))
        let csv = try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn", "--format", "csv"])
        let csvRanks: [String] = csv.split(separator: "\n").dropFirst().map { String($0.prefix { $0 != "," }) }
        #expect(csvRanks == ranks.map(String.init))
    }

    @Test func easeRP3betaAndBPRAreTrainedByNameWithTheirOptions() throws {
        let lectern = try trained()
        try lectern.ok(["train", "--algorithm", "ease", "--ease-lambda", "50", "--top", "5"])
        try lectern.ok(["train", "--algorithm", "rp3beta", "--rp3-alpha", "0.9", "--rp3-beta", "0.3", "--rp3-neighbors", "20", "--top", "5"])
        try lectern.ok(["train", "--algorithm", "bpr", "--bpr-factors", "4", "--bpr-iterations", "20", "--bpr-learning-rate", "0.05", "--top", "5"])
        let runs = try parseJSON(try lectern.ok(["models", "--format", "json"])) as! [[String: Any]]
        #expect(Set(runs.compactMap { $0["algorithm"] as? String }).isSuperset(of: ["ease", "rp3beta", "bpr", "itemknn"]))
        for algorithm in ["ease", "rp3beta"] {
            let list = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--algorithm", algorithm, "--format", "json"])) as! [[String: Any]]
            #expect(list.first?["course"] as? String == "py-201", "\(algorithm)")
            #expect(list.first?["reason"] as? String == "because you bought Python Basics", "\(algorithm)")
            // u3 only looked at py-101: "learners who took" it.
            let u3 = try parseJSON(try lectern.ok(["recommend", "--user", "u3", "--algorithm", algorithm, "--format", "json"])) as! [[String: Any]]
            #expect(u3.first?["reason"] as? String == "learners who took Python Basics also took this", "\(algorithm)")
        }
        let bpr = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--algorithm", "bpr", "--format", "json"])) as! [[String: Any]]
        #expect(!bpr.isEmpty && !bpr.contains { $0["course"] as? String == "py-101" })
        let error = try lectern.fails(["train", "--algorithm", "ease", "--ease-lambda", "0"])
        #expect(error.contains("EASE lambda must be a finite number > 0, got 0.0"))
    }

    @Test func aPurchaseAfterTrainingIsHonouredAtOnce() throws {
        let lectern = try trained()
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-201"])
        let list = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn", "--format", "json"])) as! [[String: Any]]
        #expect(!list.contains { $0["course"] as? String == "py-201" })
        let table = try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn"])
        #expect(table.contains("computed now"))
    }

    /// With --active-within, only learners active in the window get a cached list; the others are
    /// folded in on request and get the same courses as a full training would cache for them.
    @Test func activeWithinCachesOnlyRecentLearners() throws {
        let lectern = try trained()
        let full = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn", "--format", "json"])) as! [[String: Any]]
        // u3's view on 2025-01-03 is the newest event; u1 and u2 last acted on 2025-01-02.
        try lectern.ok(["train", "--factors", "4", "--iterations", "5", "--top", "5", "--active-within", "12h"])
        let cached = try lectern.sql("SELECT DISTINCT u.external_id FROM recommendations r JOIN active_models a ON a.run_id = r.run_id "
                                     + "JOIN users u ON u.id = r.user_id ORDER BY 1")
        #expect(cached.split(separator: "\n").map(String.init) == ["u3"])
        let table = try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn"])
        #expect(table.contains("computed now"))
        let folded = try parseJSON(try lectern.ok(["recommend", "--user", "u1", "--algorithm", "itemknn", "--format", "json"])) as! [[String: Any]]
        #expect(folded.map { $0["course"] as? String } == full.map { $0["course"] as? String })
    }

    @Test func aNewLearnerIsServed() throws {
        let lectern = try trained()
        try lectern.ok(["user", "add", "fresh", "--interests", "data-science"])
        let list = try parseJSON(try lectern.ok(["recommend", "--user", "fresh", "--format", "json"])) as! [[String: Any]]
        #expect(!list.isEmpty)
    }

    @Test func similarCourses() throws {
        let lectern = try trained()
        let similar = try parseJSON(try lectern.ok(["similar", "--course", "py-201", "--format", "json"])) as! [[String: Any]]
        #expect(similar.first?["course"] as? String == "sql-101")  // bought together by u2
        let content = try lectern.ok(["similar", "--course", "py-301", "--algorithm", "content"])
        #expect(content.contains("(content)"))
    }

    @Test(arguments: [
        (["train", "--k", "0"], "at least 1"),
        (["train", "--regularization=-1"], "regularization"),
        (["train", "--factors", "0"], "factor"),
        (["train", "--blend", "1,2"], "four numbers"),
        (["train", "--weighting", "jaccard"], "unknown weighting"),
        (["recommend", "--user", "ghost"], "no learner"),
        (["recommend", "--user", "u1", "--limit", "0"], "limit"),
        (["similar", "--course", "nope"], "no course"),
        (["recommend", "--user", "u1", "--algorithm", "magic"], "magic"),
        (["train", "--active-within", "soon"], "needs a duration such as 90d"),
        (["train", "--active-within", "99999999999999d"], "too long"),
        (["train", "--content-neighbors", "0"], "content neighbours"),
    ] as [([String], String)])
    func badInputLeavesTheCacheAlone(arguments: [String], expected: String) throws {
        let lectern = try trained()
        let before = try lectern.snapshot()
        let line = try lectern.fails(arguments)
        #expect(line.lowercased().contains(expected.lowercased()), "got: \(line)")
        #expect(try lectern.snapshot() == before)
    }

    @Test func trainingAnEmptyDatabaseIsAnError() throws {
        let lectern = try Lectern()
        try lectern.ok(["init"])
        #expect(try lectern.fails(["train"]).contains("nothing to train on"))
        #expect(try lectern.fails(["recommend", "--user", "x"]).contains("no learner"))
    }

    @Test func recommendBeforeTrainingSaysSo() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        #expect(try lectern.fails(["recommend", "--user", "u1"]).contains("lectern train"))
    }
}
