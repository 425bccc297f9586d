import Foundation
import Testing

/// `lectern bundles`, `lectern partners` and `lectern report crossover` through the real binary.
@Suite("lectern bundles, partners and report crossover")
struct MarketingCommandTests {
    /// SeedData imported once (creators, courses, learners, events); the tests only read it.
    static let seeded: Lectern = {
        let lectern = try! Lectern()
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SeedData").standardizedFileURL
        for entity in ["creators", "courses", "users", "interactions"] {
            let result = try! lectern.run(["import", entity, seed.appendingPathComponent("\(entity).csv").path])
            precondition(result.status == 0, result.stderr)
        }
        return lectern
    }()

    func rows(_ arguments: [String]) throws -> [[String: Any]] {
        try parseJSON(try Self.seeded.ok(arguments + ["--format", "json"])) as! [[String: Any]]
    }

    @Test func bundlesOnSeedDataPassTheirGuardsStrongestFirst() throws {
        let bundles = try rows(["bundles", "--limit", "50"])
        #expect(bundles.count == 50)
        let bounds = bundles.map { $0["lift_low"] as! Double }
        #expect(bounds == bounds.sorted(by: >))
        #expect(bundles.allSatisfy { ($0["learners"] as! Int) >= 10 && ($0["lift_low"] as! Double) > 1 })
        // Pairs and triples both appear; a triple's parts are two courses and one.
        #expect(bundles.contains { ($0["courses"] as! String).components(separatedBy: " + ").count == 3 })
        #expect(bundles.contains { $0["path"] as? String == "yes" })
        let crossing = try rows(["bundles", "--cross-domain"])
        #expect(crossing.allSatisfy { ($0["domains"] as! String).contains(", ") })
        let some = try #require(bundles.first { ($0["courses"] as! String).components(separatedBy: " + ").count == 2 })
        let slug = (some["courses"] as! String).components(separatedBy: " + ")[0]
        #expect(try rows(["bundles", "--course", slug]).allSatisfy { ($0["courses"] as! String).components(separatedBy: " + ").contains(slug) })
    }

    /// The bundle price is the sum of the courses' prices (read with `course show`) less the discount.
    @Test func discountPricesABundle() throws {
        let bundles = try rows(["bundles", "--discount", "20", "--limit", "5"])
        let first = try #require(bundles.first)
        var sum = 0
        for slug in (first["courses"] as! String).components(separatedBy: " + ") {
            let course = try parseJSON(try Self.seeded.ok(["course", "show", slug, "--format", "json"])) as! [String: Any]
            sum += course["price_minor"] as! Int
        }
        #expect(Int(((first["bundle_price"] as! Double) * 100).rounded()) == Int((Double(sum) * 0.8).rounded()))
        #expect((first["expected_revenue"] as! Double) > 0 && first["currency"] as? String == "USD")
    }

    /// Three learners who took both of two courses nobody else took: a lift of 14, and no bundle under the
    /// defaults; only --min-learners 3 lets it through.
    @Test func threeLearnersNeverMakeABundle() throws {
        let lectern = try Lectern()
        try lectern.ok(["creator", "add", "Ada", "--share", "0.7"])
        for slug in ["a", "b", "c"] {
            try lectern.ok(["course", "add", slug, "--title", slug, "--domain", "data", "--price", "10", "--creator", "Ada", "--status", "published"])
        }
        var users = "external_id\n", events = "user,course,kind,occurred_at\n"
        for n in 1...42 {
            users += "u\(n)\n"
            events += n <= 3 ? "u\(n),a,purchase,2025-01-01T00:00:00Z\nu\(n),b,purchase,2025-01-02T00:00:00Z\n"
                : "u\(n),c,enroll,2025-01-01T00:00:00Z\n"
        }
        try lectern.ok(["import", "users", try lectern.write("users.csv", users)])
        try lectern.ok(["import", "interactions", try lectern.write("events.csv", events)])
        #expect(try lectern.ok(["bundles", "--format", "csv"]).split(separator: "\n").count == 1)
        let lowered = try parseJSON(try lectern.ok(["bundles", "--min-learners", "3", "--format", "json"])) as! [[String: Any]]
        #expect(lowered.map { $0["courses"] as? String } == ["a + b"] && lowered.first?["lift"] as? Double == 14)
    }

    @Test func partnersOnSeedData() throws {
        let partners = try rows(["partners", "--limit", "10"])
        #expect(!partners.isEmpty)
        let first = partners.filter { $0["lift_low"] is Double }
        #expect(first.map { $0["lift_low"] as! Double } == first.map { $0["lift_low"] as! Double }.sorted(by: >))
        #expect(first.allSatisfy { ($0["shared"] as! Int) >= 10 && ($0["shared"] as! Int) <= min($0["audience_a"] as! Int, $0["audience_b"] as! Int) })
        let name = first[0]["creator_a"] as! String
        let mine = try rows(["partners", "--creator", name])
        #expect(mine.allSatisfy { $0["creator_a"] as? String == name || $0["creator_b"] as? String == name || $0["lift_low"] == nil })
    }

    @Test func crossoverOnSeedData() throws {
        let flows = try rows(["report", "crossover"])
        #expect(flows.count > 20)
        for flow in flows where flow["learners"] is Int {
            let share = flow["share"] as! Double, crossed = flow["crossed"] as! Int, learners = flow["learners"] as! Int
            #expect(abs(share - Double(crossed) / Double(learners)) < 0.0006 && flow["from"] as? String != flow["to"] as? String)
        }
        let html = try Self.seeded.ok(["report", "crossover", "--format", "html"])
        #expect(html.contains("<section id=\"crossover\">") && html.contains("later bought in →") && html.contains("colour scale"))
        let all = try Self.seeded.ok(["report", "all", "--format", "json"])
        #expect(all.contains("\"crossover\": ["))
        let search = try rows(["report", "crossover", "--channel", "search", "--since", "2025-03-01"])
        #expect(search.count < flows.count)
    }

    @Test func badInputIsOneLine() throws {
        let lectern = Self.seeded
        for (arguments, status, text) in [
            (["bundles", "--discount", "150"], Int32(64), "--discount must be a percentage from 0 to 100"),
            (["bundles", "--discount", "-1"], 64, "--discount"),
            (["bundles", "--min-learners", "0"], 64, "--min-learners must be at least 1"),
            (["bundles", "--limit", "0"], 64, "--limit must be at least 1"),
            (["bundles", "--course", "no-such-course"], 3, "no-such-course"),
            (["partners", "--min-shared", "0"], 64, "--min-shared must be at least 1"),
            (["partners", "--creator", "Nobody Here"], 3, "Nobody Here"),
            (["report", "crossover", "--domain", "finance"], 64, "crossover takes --since, --until and --channel"),
        ] {
            let result = try lectern.run(arguments)
            #expect(result.status == status && result.errorLines.count == 1 && result.stderr.hasPrefix("error: "), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(text), "\(result.stderr)")
        }
        #expect(try lectern.ok(["bundles", "--help"]).contains("exp(-1.96"))
        #expect(try lectern.ok(["partners", "--help"]).contains("a_earned_via_b"))
    }
}
