import Testing
@testable import LecternStore
import LecternTestSupport

/// The segment and learner reports on a hand-built platform, on SQLite and on PostgreSQL.
///
/// Courses p (USD 10.00) and e (EUR 30.00). Segment "keen": a and b; "idle": c. a buys p on day 1
/// and completes it on day 2, buys e on day 3 (refunded 12.00 on day 4); b buys p on day 5; c only views p.
@Suite("Segment and learner reports")
struct SegmentReportTests {
    static let day: Int64 = 86_400

    /// Builds the platform in `db`.
    func makePlatform(in db: Database) throws {
        let creator = try makeCreator(in: db)
        let p = try makeCourse(in: db, slug: "p", creator: creator)
        let e = try CourseRepository(db).create(Course(slug: "e", title: "E", domain: "finance", priceMinor: 3_000, currency: "EUR",
                                                      creatorID: creator.id, status: .published, createdAt: newYear2025))
        var learners: [String: Learner] = [:]
        for id in ["a", "b", "c"] { learners[id] = try makeLearner(in: db, externalID: id, channel: id == "c" ? "search" : "direct") }
        let events = InteractionRepository(db)
        for (user, course, kind, value, day) in [("a", p, Interaction.Kind.purchase, Int64?.none, Int64(1)), ("a", p, .complete, nil, 2),
                                                 ("a", e, .purchase, nil, 3), ("a", e, .refund, 1_200, 4), ("b", p, .purchase, nil, 5),
                                                 ("c", p, .view, nil, 6)] {
            _ = try events.record(Interaction(userID: learners[user]!.id, courseID: course.id, kind: kind, value: value,
                                              occurredAt: newYear2025 + day * Self.day))
        }
        try SegmentStore(db).replace(segments: [("keen", 2, "{}"), ("idle", 1, "{}")],
                                     assignments: [(learners["a"]!.id, 0), (learners["b"]!.id, 0), (learners["c"]!.id, 1)], at: newYear2025)
    }

    @Test(arguments: TestEngine.allCases)
    func segmentsByHand(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        try makePlatform(in: db)
        let rows = try SegmentReport(db).rows(ReportFilter())
        #expect(rows.map(\.segment) == ["keen", "idle"])
        let keen = rows[0]
        #expect(keen.learners == 2 && keen.paying == 2)
        #expect(keen.net == [Money.Amount(currency: "EUR", minor: 1_800), Money.Amount(currency: "USD", minor: 2_000)])
        #expect(keen.netPerLearner == [Money.Amount(currency: "EUR", minor: 900), Money.Amount(currency: "USD", minor: 1_000)])
        #expect(keen.completionRate == 1.0 / 3)  // a completed p; a's e and b's p are not completed
        #expect(rows[1].paying == 0 && rows[1].net.isEmpty && rows[1].completionRate == nil)
        // From day 4 on: b's purchase and a's refund only.
        let later = try SegmentReport(db).rows(ReportFilter(since: newYear2025 + 4 * Self.day, segment: "keen"))
        #expect(later.count == 1 && later[0].paying == 1)
        #expect(later[0].net == [Money.Amount(currency: "EUR", minor: -1_200), Money.Amount(currency: "USD", minor: 1_000)])
    } }

    @Test(arguments: TestEngine.allCases)
    func learnersRankedPerCurrency(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        try makePlatform(in: db)
        let rows = try LearnerReport(db).top(ReportFilter(), limit: 1)
        #expect(rows.map { "\($0.currency) \($0.netMinor) \($0.purchases) \($0.refunds) \($0.cohort) \($0.completed) \($0.domains)" }
                == ["EUR 1800 1 1 2025-01 1 1", "USD 1000 1 0 2025-01 1 1"])
        let inKeen = try LearnerReport(db).top(ReportFilter(channel: "direct", segment: "keen"), limit: 5)
        #expect(inKeen.filter { $0.currency == "USD" }.count == 2)
        let personal = try LearnerReport(db).personalData(for: rows)
        #expect(personal.map(\.externalID) == ["a", "a"])
    } }
}
