import Foundation
import Testing

@Suite("lectern tune")
struct TuneCommandTests {
    func platform() throws -> Lectern {
        let lectern = try Lectern()
        let dir = lectern.path("p")
        try lectern.ok(["generate", "--seed", "9", "--creators", "4", "--courses", "30", "--users", "120",
                        "--interactions", "4000", "--out", dir])
        for entity in ["creators", "courses", "users", "interactions"] { try lectern.ok(["import", entity, "\(dir)/\(entity).csv"]) }
        return lectern
    }

    @Test func theBestTrialIsSavedAndTrainingUsesIt() throws {
        let lectern = try platform()
        let out = try lectern.ok(["tune", "--algorithm", "popular", "--metric", "hit_rate@5", "--trials", "4", "--format", "json"])
        let trials = try parseJSON(out) as! [[String: Any]]
        #expect(trials.map { $0["trial"] as? Int } == [1, 2, 3, 4])
        let best = trials.max { ($0["hit_rate@5"] as? Double ?? -1) < ($1["hit_rate@5"] as? Double ?? -1) }!
        let bestParameters = try parseJSON(best["parameters"] as! String) as! [String: Any]
        let halfLife = bestParameters["half_life_days"] as! Double

        try lectern.ok(["train", "--algorithm", "popular"])
        var runs = try parseJSON(try lectern.ok(["models", "--format", "json"])) as! [[String: Any]]
        var used = try parseJSON(runs[0]["parameters"] as! String) as! [String: Any]
        #expect(used["half_life_days"] as? Double == halfLife)

        try lectern.ok(["train", "--algorithm", "popular", "--ignore-tuned"])
        runs = try parseJSON(try lectern.ok(["models", "--format", "json"])) as! [[String: Any]]
        used = try parseJSON(runs[0]["parameters"] as! String) as! [String: Any]
        #expect(used["half_life_days"] as? Double == 30)

        try lectern.ok(["train", "--algorithm", "popular", "--popularity-half-life", "7"])
        runs = try parseJSON(try lectern.ok(["models", "--format", "json"])) as! [[String: Any]]
        used = try parseJSON(runs[0]["parameters"] as! String) as! [String: Any]
        #expect(used["half_life_days"] as? Double == 7)  // an explicit option wins over the tuned value
    }

    @Test(arguments: ["ease", "rp3beta", "bpr"])
    func theNewAlgorithmsAreTunedAndTrainedFromTheirBest(algorithm: String) throws {
        let lectern = try platform()
        let out = try lectern.ok(["tune", "--algorithm", algorithm, "--metric", "ndcg@10", "--trials", "2", "--format", "json"])
        let trials = try parseJSON(out) as! [[String: Any]]
        #expect(trials.count == 2)
        let best = trials.max { ($0["ndcg@10"] as? Double ?? -1) < ($1["ndcg@10"] as? Double ?? -1) }!
        let tuned = try parseJSON(best["parameters"] as! String) as! [String: Any]
        let key = ["ease": "lambda", "rp3beta": "beta", "bpr": "learning_rate"][algorithm]!
        try lectern.ok(["train", "--algorithm", algorithm])
        let runs = try parseJSON(try lectern.ok(["models", "--format", "json"])) as! [[String: Any]]
        let used = try parseJSON(runs[0]["parameters"] as! String) as! [String: Any]
        #expect(runs[0]["algorithm"] as? String == algorithm)
        #expect(used[key] as? Double == tuned[key] as? Double)
        let evaluated = try lectern.ok(["evaluate", "--algorithm", algorithm, "--metrics", "ndcg"])
        #expect(evaluated.contains(algorithm))
    }

    @Test func evaluateCanTuneOnTheTrainingPartFirst() throws {
        let lectern = try platform()
        let out = try lectern.ok(["evaluate", "--algorithm", "popular", "--tune", "3", "--format", "json"])
        let rows = try parseJSON(out) as! [[String: Any]]
        #expect(rows.count == 1)
        #expect(rows[0]["ndcg"] as? Double != nil)
    }

    @Test(arguments: [
        (["tune", "--algorithm", "content"], "no parameters to tune"),
        (["tune", "--algorithm", "als", "--metric", "ndcg"], "ndcg@10"),
        (["tune", "--algorithm", "als", "--metric", "accuracy@10"], "ndcg@10"),
        (["tune", "--algorithm", "als", "--trials", "0"], "at least 1"),
        (["evaluate", "--tune=-1"], "negative"),
    ] as [([String], String)])
    func badInputIsRefused(arguments: [String], expected: String) throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        let line = try lectern.fails(arguments)
        #expect(line.contains(expected), "got: \(line)")
    }
}
