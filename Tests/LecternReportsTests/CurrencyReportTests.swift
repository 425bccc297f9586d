import Foundation
import LecternReports
import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// A platform selling in USD and CNY (issue 12): no report adds the two.
///
/// ada (share 0.7): py-101 (USD 49.90) and py-cn (CNY 99.00); mei (share 0.6): hz-1 (CNY 199.00).
/// alice (social_video) buys py-101 and py-cn; bruno (search) buys hz-1 and gets 50.00 back; chen
/// (search) buys py-101. All three are in the segment "everyone".
/// USD: 2 orders, gross 99.80, net 99.80. CNY: 2 orders, gross 298.00, 1 refund of 50.00, net 248.00.
/// Added together they would make 347.80 net (397.80 gross), which must appear nowhere.
struct TwoCurrencyShop {
    let db: Database
    let alice: Learner, bruno: Learner, chen: Learner

    init(_ db: Database) throws {
        self.db = db
        let t0: Int64 = 1_735_689_600  // 2025-01-01T00:00:00Z
        let day: Int64 = 86_400
        let ada = try CreatorRepository(db).create(Creator(name: "Ada", revenueShare: 0.7, createdAt: t0))
        let mei = try CreatorRepository(db).create(Creator(name: "Mei", revenueShare: 0.6, createdAt: t0))
        func course(_ slug: String, _ domain: String, _ price: Int64, _ currency: String, _ creator: Creator) throws -> Course {
            try CourseRepository(db).create(Course(slug: slug, title: "Course \(slug)", description: "", domain: domain,
                                                   difficulty: .beginner, format: .video, priceMinor: price, currency: currency,
                                                   creatorID: creator.id, hours: 2, status: .published, createdAt: t0))
        }
        let py101 = try course("py-101", "programming", 4990, "USD", ada)
        let pycn = try course("py-cn", "programming", 9900, "CNY", ada)
        let hz1 = try course("hz-1", "finance", 19_900, "CNY", mei)
        func learner(_ id: String, _ channel: String) throws -> Learner {
            try LearnerRepository(db).create(Learner(externalID: id, displayName: id, email: nil, country: "CN",
                                                     interests: [], channel: channel, campaign: nil, createdAt: t0))
        }
        let alice = try learner("alice", "social_video"), bruno = try learner("bruno", "search"), chen = try learner("chen", "search")
        (self.alice, self.bruno, self.chen) = (alice, bruno, chen)
        // A/B experiment: alice (A) was shown both of ada's courses, bruno (B) hz-1, before buying them.
        let experiment = try ExperimentStore(db).create(name: "spring", variants: [("A", .popular, 50), ("B", .hybrid, 50)],
                                                        windowDays: 30)
        try ExperimentStore(db).logImpressions(experimentID: experiment.id, variant: "A", userID: alice.id,
                                               courseIDs: [py101.id, pycn.id], runID: nil, at: t0)
        try ExperimentStore(db).logImpressions(experimentID: experiment.id, variant: "B", userID: bruno.id,
                                               courseIDs: [hz1.id], runID: nil, at: t0)
        let events = InteractionRepository(db)
        for (user, course, kind, value, at) in [
            (alice, py101, Interaction.Kind.purchase, Int64(4990), t0 + day),
            (alice, pycn, .purchase, 9900, t0 + 2 * day),
            (bruno, hz1, .purchase, 19_900, t0 + 3 * day),
            (bruno, hz1, .refund, 5000, t0 + 40 * day),
            (chen, py101, .purchase, 4990, t0 + 41 * day),
        ] {
            _ = try events.record(Interaction(userID: user.id, courseID: course.id, kind: kind, value: value, occurredAt: at))
        }
        // An organisation without a seat price (no seat revenue here): the org report has no money of its own to mix.
        try OrganisationRepository(db).create(Organisation(slug: "acme", name: "Acme", seats: 3, createdAt: t0))
        for learner in [alice, bruno] {
            try OrganisationRepository(db).addMember(OrgMember(externalID: learner.externalID, team: "team-a"), to: "acme", at: t0)
        }
        try db.run("INSERT INTO segments (name, learners, profile, built_at) VALUES ('everyone', 3, '[]', ?)", [t0])
        for learner in [alice, bruno, chen] {
            try db.run("INSERT INTO user_segments (user_id, segment_id) VALUES (?, 1)", [learner.id])
        }
    }

    var builder: ReportBuilder {
        var options = ReportOptions()
        options.org = "acme"
        return ReportBuilder(db, options: options)
    }
}

@Suite("Reports in two currencies")
struct CurrencyReportTests {
    static let formats: [(String, @Sendable (Listing) -> String)] = [
        ("table", { $0.rendered(.table) }), ("csv", { $0.rendered(.csv) }), ("json", { $0.rendered(.json) }), ("md", { $0.markdown() }),
    ]

    /// Every format prints each row on one line, so a row is found as a line holding all of `cells`.
    static func expectRow(_ listing: Listing, _ cells: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for (format, render) in formats {
            let lines = render(listing).split(separator: "\n").map { line in
                // Cells as words: `"net": 248.00,` and `| 248.00 |` hold the word 248.00.
                Set(line.split(whereSeparator: { " ,|:{}\"".contains($0) }).map(String.init))
            }
            #expect(lines.contains { Set(cells).isSubset(of: $0) }, "\(format): no row with \(cells)", sourceLocation: sourceLocation)
        }
    }

    /// What adding the two currencies would give: net, gross, payouts, the platform's part, average
    /// price and net per learner of the segment.
    static let mixed = ["347.80", "397.80", "228.56", "119.24", "99.45", "115.93"]

    @Test(arguments: TestEngine.allCases) func salesHaveARowAndATotalPerCurrency(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try TwoCurrencyShop(db)
            let months = try shop.builder.listing(.sales)
            #expect(months.columns.prefix(3) == ["month", "currency", "orders"])
            // January: alice's py-101 (USD) and py-cn, bruno's hz-1 (CNY). February: the refund (CNY), chen's py-101 (USD).
            Self.expectRow(months, ["2025-01", "CNY", "2", "298.00", "0", "0.00", "298.00", "149.00"])
            Self.expectRow(months, ["2025-01", "USD", "1", "49.90", "49.90"])
            Self.expectRow(months, ["2025-02", "CNY", "0", "1", "50.00", "-50.00"])
            Self.expectRow(months, ["2025-02", "USD", "1", "49.90"])
            Self.expectRow(months, ["total", "CNY", "2", "298.00", "1", "50.00", "248.00", "149.00"])
            Self.expectRow(months, ["total", "USD", "2", "99.80", "0", "0.00", "99.80", "49.90"])
            let json = try JSONSerialization.jsonObject(with: Data(months.rendered(.json).utf8)) as! [[String: Any]]
            let totals = json.filter { $0["month"] as? String == "total" }
            #expect(totals.map { $0["currency"] as? String } == ["CNY", "USD"])
            #expect(totals.map { $0["net"] as? Double } == [248, 99.8])
            var options = ReportOptions()
            options.salesGrouping = .domain
            let domains = try ReportBuilder(shop.db, options: options).listing(.sales)
            Self.expectRow(domains, ["programming", "CNY", "1", "99.00"])
            Self.expectRow(domains, ["programming", "USD", "2", "99.80"])
            Self.expectRow(domains, ["finance", "CNY", "1", "199.00", "50.00", "149.00"])
        }
    }

    @Test(arguments: TestEngine.allCases) func creatorPayoutsPerCurrencyReconcileWithSales(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try TwoCurrencyShop(db)
            let creators = try shop.builder.listing(.creators)
            #expect(creators.columns.prefix(2) == ["creator", "currency"])
            // ada: 99.80 USD x 0.7 = 69.86; 99.00 CNY x 0.7 = 69.30. mei: 149.00 CNY x 0.6 = 89.40.
            Self.expectRow(creators, ["Ada", "USD", "1", "2", "99.80", "0.70", "69.86", "29.94"])
            Self.expectRow(creators, ["Ada", "CNY", "1", "1", "99.00", "0.70", "69.30", "29.70"])
            Self.expectRow(creators, ["Mei", "CNY", "1", "1", "149.00", "0.60", "89.40", "59.60"])
            Self.expectRow(creators, ["total", "CNY", "2", "248.00", "158.70", "89.30"])
            Self.expectRow(creators, ["total", "USD", "1", "99.80", "69.86", "29.94"])
            #expect(creators.rows.filter { $0[0].display == "total" }.count == 2)
        }
    }

    @Test(arguments: TestEngine.allCases) func learnerLevelReportsSplitMoneyByCurrency(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try TwoCurrencyShop(db)
            let builder = shop.builder
            // Channels: learner counts once, net per currency. search: bruno 149.00 CNY, chen 49.90 USD.
            let channels = try builder.listing(.channels)
            Self.expectRow(channels, ["search", "2", "2", "2", "1.000", "0", "CNY", "149.00"])
            Self.expectRow(channels, ["search", "USD", "49.90"])
            Self.expectRow(channels, ["social_video", "1", "1", "1", "1.000", "CNY", "99.00"])
            Self.expectRow(channels, ["social_video", "USD", "49.90"])
            #expect(channels.rows.count == 4)
            // The one segment: 248.00 CNY / 3 = 82.67, 99.80 USD / 3 = 33.27.
            let segments = try builder.listing(.segments)
            Self.expectRow(segments, ["everyone", "3", "3", "CNY", "248.00", "82.67"])
            Self.expectRow(segments, ["everyone", "USD", "99.80", "33.27"])
            // Top spenders ranked within each currency: CNY bruno then alice; USD alice then chen (a tie, by id).
            let learners = try LearnerReport(shop.db).top(ReportFilter(), limit: 10)
            #expect(learners.map(\.currency) == ["CNY", "CNY", "USD", "USD"])
            #expect(learners.map(\.userID) == [shop.bruno.id, shop.alice.id, shop.alice.id, shop.chen.id])
            #expect(learners.map(\.netMinor) == [14_900, 9_900, 4_990, 4_990])
            #expect(try LearnerReport(shop.db).top(ReportFilter(), limit: 1).map(\.userID) == [shop.bruno.id, shop.alice.id])
            let listing = try builder.listing(.learners)
            Self.expectRow(listing, ["CNY", "1", "1", "149.00"])
            Self.expectRow(listing, ["USD", "1", "0", "49.90"])
            // Experiments: revenue per learner per currency; A's learner paid in both.
            let experiments = try builder.listing(.experiments)
            Self.expectRow(experiments, ["spring", "A", "popular", "1", "2", "CNY", "99.00"])
            Self.expectRow(experiments, ["spring", "A", "USD", "49.90"])
            Self.expectRow(experiments, ["spring", "B", "hybrid", "1", "1", "CNY", "199.00"])
            #expect(experiments.rows.count == 3)
        }
    }

    @Test(arguments: TestEngine.allCases) func noReportAddsTheTwoCurrencies(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try TwoCurrencyShop(db)
            var everything = try HTMLReport(shop.builder, source: "shop.db", generatedAt: 0).render()
            for kind in ReportKind.allCases {
                let listing = try shop.builder.listing(kind)
                for (_, render) in Self.formats { everything += render(listing) }
                if [.sales, .creators, .channels, .segments, .learners, .experiments].contains(kind) {
                    #expect(listing.columns.contains("currency"), "\(kind) has no currency column")
                    for (format, render) in Self.formats {
                        let text = render(listing)
                        #expect(text.contains("USD") && text.contains("CNY"), "\(kind) \(format) does not name both currencies")
                    }
                }
            }
            for sum in Self.mixed { #expect(!everything.contains(sum), "\(sum) is a sum of two currencies") }
        }
    }

    @Test(arguments: TestEngine.allCases) func htmlNamesBothCurrenciesBesideEveryTotal(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try TwoCurrencyShop(db)
            let html = try HTMLReport(shop.builder, source: "shop.db", generatedAt: 0).render()
            // Headline cards: net, average price and payouts on one line per currency.
            for line in ["248.00 <span class=\"cur\">CNY</span>", "99.80 <span class=\"cur\">USD</span>",
                         "149.00 <span class=\"cur\">CNY</span>", "49.90 <span class=\"cur\">USD</span>",
                         "158.70 <span class=\"cur\">CNY</span>", "69.86 <span class=\"cur\">USD</span>",
                         "gross 298.00 CNY", "platform keeps 89.30 CNY", "platform keeps 29.94 USD"] {
                #expect(html.contains(line), "no \(line)")
            }
            // A chart per currency, never one axis for both.
            for title in ["Net and gross revenue by month (CNY)", "Net and gross revenue by month (USD)", "Net revenue by domain (CNY)",
                          "Net revenue by domain (USD)", "Payout and platform part by creator (CNY)",
                          "Payout and platform part by creator (USD)", "Net revenue per learner by segment (CNY)",
                          "Net revenue per learner by segment (USD)"] {
                #expect(html.contains("<title>\(title)</title>"), "no chart \(title)")
            }
            // Total rows name their currency beside the amounts.
            #expect(html.contains("<tr class=\"total\"><td>total</td><td>CNY</td><td class=\"num\">2</td><td class=\"num\">298.00</td>"))
            #expect(html.contains("<tr class=\"total\"><td>total</td><td>USD</td><td class=\"num\">2</td><td class=\"num\">99.80</td>"))
            #expect(html.contains("never converted"))
        }
    }

    @Test(arguments: TestEngine.allCases) func oneCurrencyKeepsItsLayoutWithACurrencyColumn(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try Shop(db)
            let sales = try shop.builder().listing(.sales)
            #expect(sales.columns == ["month", "currency", "orders", "gross", "refunds", "refunded", "net", "average_price"])
            #expect(sales.rows.map { $0[1].display } == ["USD", "USD", "USD"])
            #expect(sales.rows.map { $0[0].display } == ["2025-01", "2025-02", "total"])
            let html = try HTMLReport(shop.builder(), source: "shop.db", generatedAt: 0).render()
            #expect(html.contains("69.90 <span class=\"cur\">USD</span>"))
            // Nothing sold: one total of zero, which needs no currency.
            try withDatabase(on: engine) { nothing in
                let empty = try ReportBuilder(nothing, options: ReportOptions()).listing(.sales)
                #expect(empty.rows.map { $0.map(\.display) } == [["total", "", "0", "0.00", "0", "0.00", "0.00", "0.00"]])
            }
        }
    }
}
