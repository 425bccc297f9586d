import Foundation
import Testing

/// Issue 12: one sale in CNY and one in USD are never one total. Every command that shows money names
/// the currency beside it and keeps a figure per currency, in every format.
@Suite("lectern with two currencies")
struct CurrencyCommandTests {
    /// Ada (share 0.7) sells py-101 (USD 49.90) and py-cn (CNY 99.00, requires py-101); Mei (share 0.6)
    /// sells hz-1 (CNY 199.00). January: u1 buys py-101 and py-cn, u2 buys hz-1. February: u2 gets 50.00
    /// back, u3 buys py-101.
    /// USD: 2 orders, gross 99.80, net 99.80. CNY: 2 orders, gross 298.00, refunded 50.00, net 248.00.
    func twoCurrencies() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.ok(["creator", "add", "Ada", "--share", "0.7"])
        try lectern.ok(["creator", "add", "Mei", "--share", "0.6"])
        try lectern.ok(["course", "add", "py-101", "--title", "Python", "--domain", "software-engineering", "--price", "49.90",
                        "--creator", "Ada", "--status", "published"])
        try lectern.ok(["course", "add", "py-cn", "--title", "Python in Chinese", "--domain", "software-engineering", "--price", "99",
                        "--currency", "CNY", "--creator", "Ada", "--status", "published", "--requires", "py-101"])
        try lectern.ok(["course", "add", "hz-1", "--title", "Finance", "--domain", "finance", "--price", "199", "--currency", "CNY",
                        "--creator", "Mei", "--status", "published"])
        try lectern.ok(["user", "add", "u1", "--channel", "social_video"])
        try lectern.ok(["user", "add", "u2", "--channel", "search"])
        try lectern.ok(["user", "add", "u3", "--channel", "search"])
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-101", "--at", "2025-01-02"])
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-cn", "--at", "2025-01-03"])
        try lectern.ok(["record", "purchase", "--user", "u2", "--course", "hz-1", "--at", "2025-01-04"])
        try lectern.ok(["record", "refund", "--user", "u2", "--course", "hz-1", "--amount", "50", "--at", "2025-02-10"])
        try lectern.ok(["record", "purchase", "--user", "u3", "--course", "py-101", "--at", "2025-02-11"])
        return lectern
    }

    /// What adding the currencies would print: net, gross, payouts, platform part, average price.
    static let mixed = ["347.80", "397.80", "228.56", "119.24", "99.45"]

    /// `text` has a line holding every one of `words` (words split at spaces and the punctuation of
    /// csv, json and md).
    static func hasLine(_ text: String, _ words: [String]) -> Bool {
        text.split(separator: "\n").contains { line in
            Set(words).isSubset(of: Set(line.split(whereSeparator: { " ,|:{}\"".contains($0) }).map(String.init)))
        }
    }

    @Test func everyMoneyReportHasATotalPerCurrencyInEveryFormat() throws {
        let lectern = try twoCurrencies()
        // (report, the words of its per-currency total or money rows)
        let expected: [(String, [[String]])] = [
            ("sales", [["total", "CNY", "2", "298.00", "1", "50.00", "248.00", "149.00"], ["total", "USD", "2", "99.80", "0", "49.90"]]),
            ("creators", [["total", "CNY", "2", "248.00", "158.70", "89.30"], ["total", "USD", "1", "99.80", "69.86", "29.94"],
                          ["Ada", "CNY", "99.00", "69.30", "29.70"], ["Ada", "USD", "99.80", "69.86", "29.94"]]),
            ("channels", [["search", "CNY", "149.00"], ["search", "USD", "49.90"], ["social_video", "CNY", "99.00"],
                          ["social_video", "USD", "49.90"]]),
            ("learners", [["CNY", "1", "1", "149.00"], ["CNY", "1", "0", "99.00"], ["USD", "1", "0", "49.90"]]),
        ]
        for (report, rows) in expected {
            for format in ["table", "csv", "json", "md"] {
                let text = try lectern.ok(["report", report, "--format", format])
                for words in rows { #expect(Self.hasLine(text, words), "report \(report) --format \(format): no line with \(words)\n\(text)") }
                for sum in Self.mixed { #expect(!text.contains(sum), "report \(report) --format \(format) adds currencies: \(sum)") }
            }
        }
        let sales = try parseJSON(try lectern.ok(["report", "sales", "--format", "json"])) as! [[String: Any]]
        let totals = sales.filter { $0["month"] as? String == "total" }
        #expect(totals.map { $0["currency"] as? String } == ["CNY", "USD"])
        #expect(totals.map { $0["net"] as? Double } == [248, 99.8])
        #expect(totals.map { $0["gross"] as? Double } == [298, 99.8])
        // By course: each course in its own currency.
        let courses = try parseJSON(try lectern.ok(["report", "sales", "--by", "course", "--format", "json"])) as! [[String: Any]]
        #expect(courses.map { "\($0["course"] as! String) \($0["currency"] as! String)" }
                == ["hz-1 CNY", "py-101 USD", "py-cn CNY", "total CNY", "total USD"])
        // Payouts reconcile with sales in each currency.
        let creators = try parseJSON(try lectern.ok(["report", "creators", "--format", "json"])) as! [[String: Any]]
        let payoutTotals = creators.filter { $0["creator"] as? String == "total" }
        #expect(payoutTotals.map { $0["net"] as? Double } == totals.map { $0["net"] as? Double })
    }

    @Test func allReportsAndTheHTMLPageKeepCurrenciesApart() throws {
        let lectern = try twoCurrencies()
        let all = try lectern.ok(["report", "all", "--format", "md"])
        #expect(Self.hasLine(all, ["total", "CNY", "248.00"]) && Self.hasLine(all, ["total", "USD", "99.80"]))
        let json = try parseJSON(try lectern.ok(["report", "all", "--format", "json"])) as! [String: Any]
        let sales = json["sales"] as! [[String: Any]]
        #expect(sales.filter { $0["month"] as? String == "total" }.map { $0["currency"] as? String } == ["CNY", "USD"])
        let file = lectern.path("report.html")
        try lectern.ok(["report", "all", "--format", "html", "--out", file])
        let html = try String(contentsOfFile: file, encoding: .utf8)
        for piece in ["248.00 <span class=\"cur\">CNY</span>", "99.80 <span class=\"cur\">USD</span>",
                      "<td>total</td><td>CNY</td>", "<td>total</td><td>USD</td>",
                      "Net and gross revenue by month (CNY)", "Net and gross revenue by month (USD)"] {
            #expect(html.contains(piece), "the page has no \(piece)")
        }
        for sum in Self.mixed { #expect(!html.contains(sum), "the page adds currencies: \(sum)") }
    }

    @Test func statsUserAndPathKeepAFigurePerCurrency() throws {
        let lectern = try twoCurrencies()
        let stats = try parseJSON(try lectern.ok(["stats", "--format", "json"])) as! [String: Any]
        let domains = stats["domains"] as! [[String: Any]]
        #expect(domains.map { "\($0["domain"] as! String) \($0["currency"] as! String)" }
                == ["finance CNY", "software-engineering CNY", "software-engineering USD"])
        #expect(domains.map { $0["net_revenue"] as? Double } == [149, 99, 99.8])
        let best = stats["best_sellers"] as! [[String: Any]]
        #expect(best.map { "\($0["course"] as! String) \($0["currency"] as! String)" } == ["hz-1 CNY", "py-cn CNY", "py-101 USD"])
        #expect(best.map { $0["net_revenue"] as? Double } == [149, 99, 99.8])
        #expect(try lectern.ok(["stats"]).contains("CNY"))

        let u1 = try parseJSON(try lectern.ok(["user", "show", "u1", "--format", "json"])) as! [String: Any]
        #expect(u1["net_spend"] as? [String: Double] == ["CNY": 99, "USD": 49.9])
        let shown = try lectern.ok(["user", "show", "u1"]).split(separator: "\n").first { $0.hasPrefix("net_spend:") }
        #expect(shown?.hasSuffix(" 99.00 CNY, 49.90 USD") == true, "\(String(describing: shown))")
        let profile = try parseJSON(try lectern.ok(["user", "profile", "u1", "--format", "json"])) as! [String: Any]
        #expect(profile["net_spend"] as? [String: Double] == ["CNY": 99, "USD": 49.9])

        // u2 still needs py-101 (USD) for py-cn (CNY): a price per currency, never one sum.
        let path = try lectern.ok(["path", "--user", "u2", "--goal", "py-cn"])
        #expect(path.contains("2 courses, 99.00 CNY and 49.90 USD in all"), "\(path)")
        #expect(!path.contains("148.90"))
        let rows = try parseJSON(try lectern.ok(["path", "--user", "u2", "--goal", "py-cn", "--format", "json"])) as! [[String: Any]]
        let totals = rows.filter { $0["step"] as? String == "total" }
        #expect(totals.map { $0["currency"] as? String } == ["CNY", "USD"])
        #expect(totals.map { $0["price"] as? Double } == [99, 49.9])

        let activity = try lectern.ok(["activity", "--format", "csv"])
        #expect(activity.contains(",u2,hz-1,refund,CNY,50.00,"))
        #expect(activity.contains(",u1,py-101,purchase,USD,49.90,"))
    }
}
