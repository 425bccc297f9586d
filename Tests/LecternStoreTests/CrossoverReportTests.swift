import Foundation
import LecternStore
import Testing
import LecternTestSupport

/// The domain crossover on a hand-built platform whose every figure is worked out below, on SQLite and
/// on PostgreSQL.
@Suite("Crossover report")
struct CrossoverReportTests {
    static let day: Int64 = 86_400

    /// Courses d1, d2 (data, 10.00 USD), f1 (finance, 20.00 USD), f2 (finance, 30.00 EUR), m1 (music, 5.00 USD).
    /// a (search): d1 day 0, m1 day 4, f1 day 10, f2 day 20.
    /// b (social): d1 day 1, f1 day 31 refunded day 32 (does not count).
    /// c (search): f1 day 2, d2 day 6.
    /// d (direct): d2 day 5, m1 day 5 (the same second: not later), f2 day 25.
    /// e (search): forgotten after buying d1 day 0 and f1 day 1.
    func makePlatform(in db: Database) throws -> Database {
        let creator = try makeCreator(in: db)
        var courses: [String: Course] = [:]
        for (slug, domain, price, currency) in [("d1", "data", 1_000, "USD"), ("d2", "data", 1_000, "USD"), ("f1", "finance", 2_000, "USD"),
                                                ("f2", "finance", 3_000, "EUR"), ("m1", "music", 500, "USD")] as [(String, String, Int64, String)] {
            courses[slug] = try CourseRepository(db).create(Course(slug: slug, title: slug, domain: domain, priceMinor: price, currency: currency,
                                                                   creatorID: creator.id, status: .published, createdAt: newYear2025))
        }
        let events = InteractionRepository(db)
        for (user, channel, bought) in [
            ("a", "search", [("d1", Interaction.Kind.purchase, 0), ("m1", .purchase, 4), ("f1", .purchase, 10), ("f2", .purchase, 20)]),
            ("b", "social", [("d1", .purchase, 1), ("f1", .purchase, 31), ("f1", .refund, 32)]),
            ("c", "search", [("f1", .purchase, 2), ("d2", .purchase, 6)]),
            ("d", "direct", [("d2", .purchase, 5), ("m1", .purchase, 5), ("f2", .purchase, 25)]),
            ("e", "search", [("d1", .purchase, 0), ("f1", .purchase, 1)]),
        ] as [(String, String, [(String, Interaction.Kind, Int64)])] {
            let learner = try makeLearner(in: db, externalID: user, channel: channel)
            for (course, kind, day) in bought {
                _ = try events.record(Interaction(userID: learner.id, courseID: courses[course]!.id, kind: kind,
                                                  occurredAt: newYear2025 + day * Self.day))
            }
        }
        _ = try LearnerRepository(db).forget(externalID: "e")
        return db
    }

    /// Starts: data a, b, d (3); finance c (1). data -> finance: a after 10 days, d after 20 (median 15), net
    /// 20.00 USD (a's f1) and 60.00 EUR (f2 twice); data -> music: a after 4 days; finance -> data: c after 4 days.
    @Test(arguments: TestEngine.allCases)
    func everyFlowByHand(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let result = try CrossoverReport(try makePlatform(in: db)).crossover(ReportFilter())
        #expect(result.domains == ["data", "finance", "music"])
        #expect(result.starts == ["data": 3, "finance": 1])
        #expect(result.rows.map { "\($0.from)>\($0.to)" } == ["data>finance", "data>music", "finance>data"])
        let toFinance = result.rows[0]
        #expect(toFinance.learners == 3 && toFinance.crossed == 2 && toFinance.medianDays == 15)
        #expect(toFinance.net == [Money.Amount(currency: "EUR", minor: 6_000), Money.Amount(currency: "USD", minor: 2_000)])
        #expect(toFinance.channels == [ChannelCount(channel: "direct", learners: 1), ChannelCount(channel: "search", learners: 1)])
        #expect(result.rows[1].crossed == 1 && result.rows[1].medianDays == 4 && result.rows[1].net == [Money.Amount(currency: "USD", minor: 500)])
        #expect(result.rows[2].learners == 1 && result.rows[2].share == 1 && result.rows[2].medianDays == 4)
        #expect(result.rows[2].net == [Money.Amount(currency: "USD", minor: 1_000)])
    } }

    /// From day 2 only c (finance, day 2) and d (data, day 5) start; a channel keeps its learners only.
    @Test(arguments: TestEngine.allCases)
    func datesAndChannel(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        _ = try makePlatform(in: db)
        let since = try CrossoverReport(db).crossover(ReportFilter(since: newYear2025 + 2 * Self.day))
        #expect(since.starts == ["data": 1, "finance": 1])
        #expect(since.rows.map { "\($0.from)>\($0.to) \($0.crossed)" } == ["data>finance 1", "finance>data 1"])
        #expect(since.rows[0].medianDays == 20)
        // Before day 20, a's f2 (day 20) and d's f2 (day 25) are not yet bought.
        let until = try CrossoverReport(db).crossover(ReportFilter(until: newYear2025 + 20 * Self.day))
        #expect(until.rows[0].net == [Money.Amount(currency: "USD", minor: 2_000)] && until.rows[0].crossed == 1)
        let search = try CrossoverReport(db).crossover(ReportFilter(channel: "search"))
        #expect(search.starts == ["data": 1, "finance": 1])
        #expect(search.rows.allSatisfy { $0.channels.map(\.channel) == ["search"] })
    } }
}
