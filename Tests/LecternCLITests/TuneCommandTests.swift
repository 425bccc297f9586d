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

    /// The same platform with every event at one time (data sets without timestamps): tuning falls
    /// back to a seeded random holdout per learner and says so; with times it validates on the newest.
    @Test func tiedTimesFallBackToARandomHoldoutAndSaySo() throws {
        let lectern = try Lectern()
        let dir = lectern.path("p")
        try lectern.ok(["generate", "--seed", "9", "--creators", "4", "--courses", "30", "--users", "120",
                        "--interactions", "4000", "--out", dir])
        for entity in ["creators", "courses", "users"] { try lectern.ok(["import", entity, "\(dir)/\(entity).csv"]) }
        // Every event at one time; repeats of an event then collapse into one (that is its identity).
        let lines = try String(contentsOfFile: "\(dir)/interactions.csv", encoding: .utf8).split(separator: "\n")
        let columns = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let at = columns.firstIndex(of: "occurred_at")!
        let tied = lines.dropFirst().map { line -> String in
            var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[at] = "2025-06-01T00:00:00Z"
            return fields.joined(separator: ",")
        }
        try lectern.ok(["import", "interactions", try lectern.write("tied.csv", ([String(lines[0])] + tied).joined(separator: "\n") + "\n")])
        let table = try lectern.ok(["tune", "--algorithm", "als", "--trials", "2"])
        #expect(table.contains("Validation: a seeded random 20% of each learner's courses (all events have one time)"), "\(table)")
        let json = try lectern.run(["tune", "--algorithm", "popular", "--trials", "2", "--format", "json"])
        #expect(json.status == 0 && json.stderr.contains("validation: a seeded random 20%"), "\(json.stderr)")
        #expect((try parseJSON(json.stdout) as? [[String: Any]])?.count == 2)
        let evaluated = try lectern.ok(["evaluate", "--algorithm", "popular", "--split", "random", "--tune", "2"])
        #expect(evaluated.contains("Parameters tuned on a seeded random 20%"), "\(evaluated)")

        let timed = try platform()
        #expect(try timed.ok(["tune", "--algorithm", "popular", "--trials", "2"]).contains("Validation: the newest 20% of events by time"))
    }

    /// `tune --all` ranks every algorithm on one validation split and serves one by default.
    @Test func tuneAllRanksEveryAlgorithmAndServesTheBest() throws {
        let lectern = try platform()
        let result = try lectern.run(["tune", "--all", "--trials", "2", "--metric", "ndcg@10", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let rows = try parseJSON(result.stdout) as! [[String: Any]]
        #expect(Set(rows.compactMap { $0["algorithm"] as? String })
            == ["itemknn", "als", "popular", "content", "hybrid", "ease", "rp3beta", "bpr"])
        let values = rows.compactMap { $0["ndcg@10"] as? Double }
        #expect(values == values.sorted(by: >))
        // One is served: the best on validation, or the hybrid within one standard error of it (TuningService.served).
        let chosen = rows.filter { $0["served"] as? String == "yes" }.compactMap { $0["algorithm"] as? String }
        #expect(chosen == [rows[0]["algorithm"] as! String] || chosen == ["hybrid"], "\(chosen)")
        let best = chosen.first ?? ""
        #expect(try lectern.sql("SELECT value FROM settings WHERE name = 'served_algorithm'") == best)
        #expect(try lectern.sql("SELECT count(*) FROM tuned_parameters") == "7")  // all but content, which has nothing to tune
        // recommend without --algorithm serves it once trained.
        try lectern.ok(["train"])
        let learner = try lectern.sql("SELECT external_id FROM users u WHERE EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = u.id) LIMIT 1")
        let served = try lectern.ok(["recommend", "--user", learner])
        #expect(served.hasPrefix("\(best) recommendations for \(learner)"), "\(served.prefix(120))")
        #expect(try lectern.fails(["tune", "--all", "--algorithm", "als"]).contains("leave out --algorithm"))
        #expect(try lectern.fails(["tune"]).contains("or pass --all"))
    }

    @Test func tooLittleDataSaysWhatIsNeeded() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-03-01"])
        let line = try lectern.fails(["tune", "--algorithm", "popular", "--trials", "2"])
        #expect(line.contains("learners with at least two courses") && line.contains("1 learner(s) and 1 event(s)"), "\(line)")
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
