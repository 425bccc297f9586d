import Foundation
import Testing

@Suite("lectern evaluate")
struct EvaluateCommandTests {
    /// 40 learners in two taste groups over 8 items: a learner of group g touches items 4g...4g+3
    /// in order, one per day; the last one is what a temporal or leave-last split holds out.
    static func interactionsFile(_ lectern: Lectern, separator: String = ",", name: String = "events.csv") throws -> String {
        var lines = ["user\(separator)item\(separator)weight\(separator)timestamp"]
        for user in 0..<40 {
            let group = user % 2
            for step in 0..<4 {
                let item = group * 4 + (step + user / 2) % 4
                lines.append("u\(user)\(separator)i\(item)\(separator)1\(separator)\(1_700_000_000 + 86_400 * step)")
            }
        }
        return try lectern.write(name, lines.joined(separator: "\n") + "\n")
    }

    @Test func anExternalFileIsEvaluatedWithoutACatalog() throws {
        let lectern = try Lectern()
        let file = try Self.interactionsFile(lectern)
        let out = try lectern.ok(["evaluate", "--interactions", file, "--split", "leave-last", "--algorithm", "itemknn,popular",
                                  "--k", "3", "--format", "json", "--metrics", "precision,hit_rate"])
        let rows = try parseJSON(out) as! [[String: Any]]
        #expect(rows.map { $0["algorithm"] as? String } == ["itemknn", "popular"])
        // Item-kNN learns the two groups: the held-out item is among the group's 3 others.
        #expect(rows[0]["hit_rate"] as? Double == 1)
        #expect(rows[0]["precision"] as? Double == 1)
        #expect((rows[1]["hit_rate"] as? Double ?? 1) < 1)
    }

    @Test func aSplitMadeElsewhereIsTakenAsIs() throws {
        let lectern = try Lectern()
        let train = try lectern.write("train.tsv", "user\titem\nu1\ta\nu1\tb\nu2\ta\nu2\tb\nu2\tc\nu3\ta\n")
        let test = try lectern.write("test.tsv", "user\titem\nu1\tc\nu3\tb\nu3\tzz\n")
        let out = try lectern.ok(["evaluate", "--train", train, "--test", test, "--algorithm", "itemknn", "--k", "1"])
        #expect(out.contains("2 learners, 2 test pairs (1 dropped by the protocol)"))
    }

    @Test func theDatabaseIsEvaluatedAndTheResultsStored() throws {
        let lectern = try Lectern()
        let dir = lectern.path("p")
        try lectern.ok(["generate", "--seed", "5", "--creators", "4", "--courses", "30", "--users", "120",
                        "--interactions", "4000", "--out", dir])
        for entity in ["creators", "courses", "users", "interactions"] { try lectern.ok(["import", entity, "\(dir)/\(entity).csv"]) }
        let out = try lectern.ok(["evaluate", "--split", "kfold", "--folds", "3", "--factors", "8", "--iterations", "3",
                                  "--algorithm", "itemknn,hybrid"])
        #expect(out.contains("mean±sd over 3 folds"))
        // Issue 18: JSON and CSV give each metric's mean, sd, min and max over the folds, as the table does.
        let args = ["evaluate", "--split", "kfold", "--folds", "3", "--factors", "8", "--iterations", "3", "--algorithm", "itemknn"]
        let rows = try parseJSON(try lectern.ok(args + ["--format", "json"])) as! [[String: Any]]
        let first = try #require(rows.first)
        let (mean, sd, low, high) = (first["ndcg"] as? Double, first["ndcg_sd"] as? Double, first["ndcg_min"] as? Double, first["ndcg_max"] as? Double)
        let figures = try #require(mean.flatMap { m in sd.flatMap { s in low.flatMap { l in high.map { (m, s, l, $0) } } } })
        #expect(figures.2 <= figures.0 && figures.0 <= figures.3 && figures.1 >= 0, "\(figures)")
        let csv = try lectern.ok(args + ["--format", "csv"])
        #expect(csv.split(separator: "\n").first?.contains("ndcg,ndcg_sd,ndcg_min,ndcg_max") == true)
        let stored = try lectern.snapshot()
        #expect(stored.contains("INSERT INTO evaluation_results"))
        #expect(stored.contains("'hybrid'"))
    }

    /// Issue 18: on a generated platform with dismissals, `evaluate --dismissals` compares lists that
    /// use them with lists that ignore them; without dismissals it says there is nothing to compare.
    @Test func dismissalsAreComparedOnAPlatformThatHasThem() throws {
        let lectern = try Lectern()
        let dir = lectern.path("p")
        try lectern.ok(["generate", "--seed", "5", "--creators", "4", "--courses", "30", "--users", "150",
                        "--interactions", "6000", "--dismissals", "0.5", "--out", dir])
        let plain = try lectern.fails(["evaluate", "--dismissals", "--algorithm", "itemknn"])
        #expect(plain.hasPrefix("error: "), "\(plain)")
        try lectern.ok(["init"])
        for entity in ["creators", "courses", "users", "interactions"] { try lectern.ok(["import", entity, "\(dir)/\(entity).csv"]) }
        let rows = try parseJSON(try lectern.ok(["evaluate", "--dismissals", "--algorithm", "itemknn,popular", "--factors", "4",
                                                 "--iterations", "2", "--format", "json"])) as! [[String: Any]]
        #expect(rows.map { $0["algorithm"] as? String } == ["itemknn", "popular"])
        for row in rows {
            #expect((row["learners"] as? Int ?? 0) > 0)
            for column in ["later_dismissed_using", "later_dismissed_ignoring", "purchase_ndcg_using", "purchase_ndcg_ignoring"] {
                let value = try #require(row[column] as? Double, "\(column)")
                #expect((0...1).contains(value), "\(column) \(value)")
            }
        }
        let table = try lectern.ok(["evaluate", "--dismissals", "--algorithm", "itemknn", "--factors", "4", "--iterations", "2"])
        #expect(table.contains("in the training part") && table.contains("LATER_DISMISSED_USING"), "\(table)")

        let other = try Lectern()
        try other.ok(["init"])
        let none = other.path("q")
        try other.ok(["generate", "--seed", "5", "--creators", "4", "--courses", "30", "--users", "60", "--interactions", "1500",
                      "--out", none])
        for entity in ["creators", "courses", "users", "interactions"] { try other.ok(["import", entity, "\(none)/\(entity).csv"]) }
        let nothing = try other.fails(["evaluate", "--dismissals", "--algorithm", "itemknn"])
        #expect(nothing.contains("no dismissal"), "\(nothing)")
    }

    /// --tune shows each algorithm's NDCG on validation and marks the best there as served; --lists
    /// writes the lists that were scored, which give back the NDCG `evaluate` printed.
    @Test func tuningShowsValidationAndListsAreWritten() throws {
        let lectern = try Lectern()
        let file = try Self.interactionsFile(lectern)
        let listsPath = lectern.path("lists.csv")
        let out = try lectern.ok(["evaluate", "--interactions", file, "--split", "leave-last", "--algorithm", "itemknn,popular,ease",
                                  "--k", "3", "--tune", "2", "--metrics", "ndcg", "--format", "json", "--lists", listsPath])
        let rows = try parseJSON(out) as! [[String: Any]]
        let validation = rows.map { $0["validation_ndcg@3"] as? Double }
        #expect(validation.allSatisfy { $0 != nil }, "\(rows)")
        #expect(rows.filter { $0["served"] as? String == "yes" }.count == 1)
        let best = validation.compactMap { $0 }.max()!
        let served = rows.first { $0["served"] as? String == "yes" }!
        #expect(served["validation_ndcg@3"] as? Double == best)
        // Each row names the parameters tuning chose, recency included for the neighbour models.
        let parameters = rows.map { $0["parameters"] as? String ?? "" }
        #expect(parameters.allSatisfy { $0.hasPrefix("{") }, "\(parameters)")
        #expect(parameters[0].contains("recency_half_life") && parameters[2].contains("recency_half_life") && parameters[2].contains("lambda"))

        // Leave-last holds out each learner's 4th item; its 3 training items are never listed.
        let lines = try String(contentsOfFile: listsPath, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines[0] == "algorithm,k,user,rank,item")
        var lists: [String: [String: [String]]] = [:]
        for line in lines.dropFirst() {
            let f = line.split(separator: ",").map(String.init)
            #expect(f[1] == "3")
            lists[f[0], default: [:]][f[2], default: []].append(f[4])
            #expect(lists[f[0]]![f[2]]!.count == Int(f[3]))
        }
        #expect(Set(lists.keys) == ["itemknn", "popular", "ease"])
        #expect(lists["itemknn"]!.count == 40)
        // NDCG@3 of the written lists, one relevant item each, is the NDCG printed.
        for row in rows {
            let algorithm = row["algorithm"] as! String
            var total = 0.0
            for user in 0..<40 {
                let group = user % 2
                let heldOut = "i\(group * 4 + (3 + user / 2) % 4)"
                let list = lists[algorithm]!["u\(user)"] ?? []
                if let place = list.firstIndex(of: heldOut) { total += 1 / log2(Double(place + 2)) }
            }
            #expect(abs(total / 40 - (row["ndcg"] as! Double)) < 1e-4, "\(algorithm)")
        }
        #expect(try lectern.fails(["evaluate", "--interactions", file, "--split", "kfold", "--lists", listsPath]).contains("one split"))
        #expect(try lectern.fails(["evaluate", "--lists", listsPath]).contains("--lists needs --interactions FILE or --train FILE --test FILE"))
    }

    @Test(arguments: [
        (["--k", "0"], "at least 1"),
        (["--algorithm", "magic"], "unknown algorithm"),
        (["--metrics", "accuracy"], "unknown metric"),
        (["--split", "temporal", "--cutoff", "2100-01-01"], "the test part is empty"),
        (["--split", "temporal", "--cutoff", "1990-01-01"], "no learner is left"),
        (["--train", "only.csv"], "go together"),
    ] as [([String], String)])
    func badInputIsRefused(arguments: [String], expected: String) throws {
        let lectern = try Lectern()
        let file = try Self.interactionsFile(lectern)
        let line = try lectern.fails(["evaluate", "--interactions", file] + arguments)
        #expect(line.contains(expected), "got: \(line)")
    }

    /// On a file from elsewhere (no catalog) the catalog metrics are n/a, not 0.
    @Test func catalogMetricsAreNotAvailableOnOutsideData() throws {
        let lectern = try Lectern()
        let file = try Self.interactionsFile(lectern)
        let table = try lectern.ok(["evaluate", "--interactions", file, "--algorithm", "popular", "--split", "random"])
        #expect(table.contains("n/a"), "\(table)")
        let rows = try parseJSON(try lectern.ok(["evaluate", "--interactions", file, "--algorithm", "popular", "--split", "random",
                                                 "--format", "json"])) as! [[String: Any]]
        #expect(rows[0]["diversity_domain"] is NSNull && rows[0]["gini_creator"] is NSNull && rows[0]["ndcg"] is Double)
    }

    @Test func aMalformedFileIsReportedByLine() throws {
        let lectern = try Lectern()
        let file = try lectern.write("bad.csv", "user,item,weight\nu1,a,1\nu2,b,heavy\n")
        #expect(try lectern.fails(["evaluate", "--interactions", file]).contains("line 3"))
        let header = try lectern.write("bad2.csv", "learner,item\nu1,a\n")
        #expect(try lectern.fails(["evaluate", "--interactions", header]).contains("unknown column 'learner'"))
        // A headerless TSV is told what header it needs.
        let headerless = try lectern.write("plain.tsv", "u1\ta\t5\nu2\ta\t3\n")
        #expect(try lectern.fails(["evaluate", "--train", headerless, "--test", headerless])
            .contains("needs a header line first: user<TAB>item[<TAB>weight][<TAB>timestamp]"))
    }
}
