import Testing
@testable import LecternStore
import LecternTestSupport

/// Seat revenue in `report sales` and its split among creators in `report creators`, on a hand-built
/// platform whose answers were worked out by hand, on SQLite and on PostgreSQL.
///
/// Ada (share 0.7): ada-1 (USD 10.00, python); Bob (0.6): bob-1 (USD 10.00); Cy (0.5): cy-1 (GBP 10.00).
/// acme (USD) bought 4 seats at 25.00 on 2025-01-01 (100.00) and one more on 2025-02-10 (25.00);
/// m1, m2, m3 joined on 2025-01-02. beta (EUR) bought 2 seats at 50.00 on 2025-01-04 and has no members.
/// In January: m1 enrolled in ada-1 (and cy-1 before joining: not counted), m2 in bob-1 and m3 in cy-1,
/// so acme's 100.00 is split three ways: 33.34 to Ada (the smaller id takes the odd cent), 33.33 to Bob
/// and Cy; beta's 100.00 EUR is claimed by no one. x (not a member) enrolled in bob-1 and bought ada-1;
/// m2 bought ada-1 too: Ada's course net is 20.00 USD, and purchases weigh nothing.
struct SeatShop {
    let db: Database
    let ada: Creator, bob: Creator, cy: Creator
    static let day: Int64 = 86_400
    static let january = ReportFilter(since: newYear2025, until: newYear2025 + 31 * day)

    /// The platform in `db` (fresh, of either engine).
    init(in db: Database) throws {
        self.db = db
        let t0 = newYear2025, day = Self.day
        ada = try makeCreator(in: db, name: "Ada", revenueShare: 0.7)
        bob = try makeCreator(in: db, name: "Bob", revenueShare: 0.6)
        cy = try makeCreator(in: db, name: "Cy", revenueShare: 0.5)
        let ada1 = try makeCourse(in: db, slug: "ada-1", creator: ada, domain: "programming")
        let bob1 = try makeCourse(in: db, slug: "bob-1", creator: bob, domain: "data")
        let cy1 = try CourseRepository(db).create(Course(slug: "cy-1", title: "Cy", description: "", domain: "data", difficulty: .beginner,
                                                         format: .video, priceMinor: 1000, currency: "GBP", creatorID: cy.id, hours: 1,
                                                         status: .published, createdAt: t0))
        let organisations = OrganisationRepository(db)
        try organisations.create(Organisation(slug: "acme", name: "Acme", seats: 4, seatPriceMinor: 2500, createdAt: t0))
        try organisations.create(Organisation(slug: "beta", name: "Beta", seats: 2, seatPriceMinor: 5000, currency: "EUR", createdAt: t0 + 3 * day))
        var learners: [String: Learner] = [:]
        for id in ["m1", "m2", "m3", "x"] { learners[id] = try makeLearner(in: db, externalID: id) }
        let events = InteractionRepository(db)
        _ = try events.record(Interaction(userID: learners["m1"]!.id, courseID: cy1.id, kind: .enroll, occurredAt: t0 + 3_600))
        for id in ["m1", "m2", "m3"] {
            try organisations.addMember(OrgMember(externalID: id, team: "data"), to: "acme", at: t0 + day)
        }
        for (user, course, kind, at) in [("m1", ada1, Interaction.Kind.enroll, t0 + 2 * day), ("m2", bob1, .enroll, t0 + 2 * day),
                                         ("m3", cy1, .enroll, t0 + 3 * day), ("x", bob1, .enroll, t0 + 3 * day),
                                         ("x", ada1, .purchase, t0 + 4 * day), ("m2", ada1, .purchase, t0 + 4 * day),
                                         ("m1", ada1, .enroll, t0 + 5 * day)] {
            _ = try events.record(Interaction(userID: learners[user]!.id, courseID: course.id, kind: kind, occurredAt: at))
        }
        _ = try organisations.update("acme", seats: 5, at: t0 + 40 * day)
    }
}

@Suite("Seat revenue in sales and creator payouts")
struct SeatRevenueReportTests {
    func lines(_ rows: [SalesRow]) -> [String] {
        rows.map { "\($0.key) \($0.currency) \($0.orders) \(Money.format($0.grossMinor)) \(Money.format($0.netMinor))" }
    }

    @Test(arguments: TestEngine.allCases)
    func seatPurchasesAreALineOfTheirOwnInEveryGrouping(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let shop = try SeatShop(in: db)
        let report = SalesReport(shop.db)
        let (months, totals) = try report.sales(SeatShop.january, by: .month)
        #expect(lines(months) == ["2025-01 USD 2 20.00 20.00", "2025-01 (seats) EUR 1 100.00 100.00", "2025-01 (seats) USD 1 100.00 100.00"])
        #expect(months.map(\.isSeats) == [false, true, true])
        #expect(lines(totals) == ["total EUR 1 100.00 100.00", "total USD 3 120.00 120.00"])
        // All time: the February seat has a month of its own.
        #expect(lines(try report.sales(ReportFilter(), by: .month).rows).last == "2025-02 (seats) USD 1 25.00 25.00")
        let (courses, courseTotals) = try report.sales(SeatShop.january, by: .course)
        #expect(lines(courses) == ["ada-1 USD 2 20.00 20.00", "(seats) EUR 1 100.00 100.00", "(seats) USD 1 100.00 100.00"])
        #expect(courseTotals == totals)
        for grouping in [SalesReport.Grouping.day, .week, .domain, .creator] {
            let (rows, sums) = try report.sales(SeatShop.january, by: grouping)
            #expect(sums == totals, "\(grouping)")
            // Rows add up to the totals to the cent, per currency.
            for total in sums {
                #expect(rows.filter { $0.currency == total.currency }.map(\.netMinor).reduce(0, +) == total.netMinor)
            }
        }
        #expect(lines(try report.sales(SeatShop.january, by: .creator).rows).first == "Ada USD 2 20.00 20.00")
        // A filter on courses, creators or learners leaves seats out: they were bought for none of them.
        for filter in [ReportFilter(domain: "programming"), ReportFilter(creatorID: shop.ada.id), ReportFilter(channel: "direct")] {
            #expect(try report.sales(filter, by: .course).rows.allSatisfy { !$0.isSeats })
        }
    } }

    @Test(arguments: TestEngine.allCases)
    func creatorsShareSeatRevenueByConsumptionToTheCent(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let shop = try SeatShop(in: db)
        let earnings = try SalesReport(shop.db).creators(SeatShop.january)
        let shown = earnings.map {
            "\($0.name) \($0.currency ?? "-") \($0.courses) \(Money.format($0.netMinor)) \(Money.format($0.seatRevenueMinor)) "
                + "\(Money.format($0.payoutMinor)) \(Money.format($0.platformMinor))"
        }
        // Ada: (20.00 + 33.34) x 0.7 = 37.338; Bob: 33.33 x 0.6 = 19.998; Cy: 33.33 x 0.5 = 16.665 (half away from zero).
        // Cy sells in GBP only, so his USD seat revenue has a row of its own.
        #expect(shown == [
            "Ada USD 1 20.00 33.34 37.34 16.00",
            "Bob USD 1 0.00 33.33 20.00 13.33",
            "Cy GBP 1 0.00 0.00 0.00 0.00",
            "Cy USD 0 0.00 33.33 16.67 16.66",
            "(unused seats) EUR 0 0.00 100.00 0.00 100.00",
        ])
        // Every currency reconciles with sales to the cent: course net + seat revenue, payout + platform.
        let (_, totals) = try SalesReport(shop.db).sales(SeatShop.january, by: .month)
        for total in totals {
            let some = earnings.filter { $0.currency == total.currency }
            #expect(some.map(\.earnedMinor).reduce(0, +) == total.netMinor)
            #expect(some.map { $0.payoutMinor + $0.platformMinor }.reduce(0, +) == total.netMinor)
        }
        // One creator's row reads as in the full report; the unused seats belong to no creator.
        let bob = try SalesReport(shop.db).creators(ReportFilter(since: SeatShop.january.since, until: SeatShop.january.until,
                                                                 creatorID: shop.bob.id))
        #expect(bob.map { "\($0.name) \($0.seatRevenueMinor) \($0.payoutMinor)" } == ["Bob 3333 2000"])
        // Under --domain no seat revenue is split (sales shows none either).
        #expect(try SalesReport(shop.db).creators(ReportFilter(domain: "data")).allSatisfy { $0.seatRevenueMinor == 0 && !$0.isUnusedSeats })
    } }

    @Test func largestRemaindersAddUpExactly() {
        #expect(SalesReport.split(10_000, weights: [(1, 1), (2, 1), (3, 1)]) == [1: 3334, 2: 3333, 3: 3333])
        #expect(SalesReport.split(10_000, weights: [(3, 1), (2, 1), (1, 1)]) == [1: 3334, 2: 3333, 3: 3333])
        // 2/3 and 1/3 of 1.00: 66.67 and 33.33; one cent over two equal weights goes to the smaller key.
        #expect(SalesReport.split(100, weights: [(1, 2), (2, 1)]) == [1: 67, 2: 33])
        #expect(SalesReport.split(1, weights: [(5, 1), (3, 1)]) == [3: 1, 5: 0])
        #expect(SalesReport.split(0, weights: [(1, 4)]) == [1: 0])
        // amount x weight overflows 64 bits; the split is still exact.
        let big = SalesReport.split(1_000_000_000_000, weights: [(1, 9_000_000_000_000), (2, 1), (3, 2)])
        #expect(big.values.reduce(0, +) == 1_000_000_000_000 && big[2] == 0 && big[3] == 0)
        let cases: [[(key: Int64, weight: Int64)]] = [[(1, 1)], [(1, 3), (2, 5), (3, 7)], [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1)]]
        for amount in [Int64(1), 7, 99, 10_000, 123_457] {
            for weights in cases {
                #expect(SalesReport.split(amount, weights: weights).values.reduce(0, +) == amount)
            }
        }
    }
}
