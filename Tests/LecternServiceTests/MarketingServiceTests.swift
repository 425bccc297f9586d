import Foundation
import LecternRecommender
import LecternService
import LecternStore
import Testing
import LecternTestSupport

/// Bundles and partners on a real database, with figures worked out by hand.
@Suite("Marketing: bundles and partners")
struct MarketingServiceTests {
    static let t0: Int64 = 1_735_689_600
    static let day: Int64 = 86_400

    /// A platform of courses (slug, domain, price, currency, creator name) and learners recording events.
    struct Platform {
        let db: Database
        var courses: [String: Course] = [:]
        var creators: [String: Creator] = [:]
        var learners = 0

        init(_ db: Database, creators: [(String, Double)], courses: [(String, String, Int64, String, String)]) throws {
            self.db = db
            for (name, share) in creators {
                self.creators[name] = try CreatorRepository(db).create(Creator(name: name, revenueShare: share, createdAt: MarketingServiceTests.t0))
            }
            for (slug, domain, price, currency, creator) in courses {
                self.courses[slug] = try CourseRepository(db).create(Course(
                    slug: slug, title: slug, domain: domain, priceMinor: price, currency: currency, creatorID: self.creators[creator]!.id,
                    status: .published, createdAt: MarketingServiceTests.t0))
            }
        }

        /// A new learner who records `events` (course, kind, day after t0); returns their external id.
        @discardableResult
        mutating func learner(_ events: [(String, Interaction.Kind, Int64)]) throws -> String {
            learners += 1
            let learner = try LearnerRepository(db).create(Learner(externalID: "l\(learners)", createdAt: MarketingServiceTests.t0))
            for (course, kind, day) in events {
                _ = try InteractionRepository(db).record(Interaction(userID: learner.id, courseID: courses[course]!.id, kind: kind,
                                                                     occurredAt: MarketingServiceTests.t0 + day * MarketingServiceTests.day))
            }
            return learner.externalID
        }
    }

    /// 12 learners took p1 and p2 (p2 requires p1), 4 p1 only, 3 p2 only, 21 x only: N = 40. Lift
    /// 12 * 40 / (16 * 15) = 2; variance 1/12 - 1/16 - 1/15 + 3/40 = 0.0291667; bound 2 * exp(-1.96 * 0.170783)
    /// = 1.43105. With 25% off: price (10.00 + 30.00) * 0.75 = 30.00; expected revenue
    /// 4 * 12/16 * 22.50 + 3 * 12/15 * 7.50 = 67.50 + 18.00 = 85.50.
    @Test(arguments: TestEngine.allCases) func aPathBundleWithItsPriceAndExpectedRevenue(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            var platform = try Platform(db, creators: [("Ada", 0.7)], courses: [
                ("p1", "data", 1_000, "USD", "Ada"), ("p2", "data", 3_000, "USD", "Ada"), ("x", "finance", 2_000, "USD", "Ada"),
            ])
            try CourseRepository(platform.db).setPrerequisites(courseID: platform.courses["p2"]!.id, requires: [platform.courses["p1"]!.id])
            for _ in 0..<12 { try platform.learner([("p1", .purchase, 1), ("p2", .enroll, 2)]) }
            for _ in 0..<4 { try platform.learner([("p1", .purchase, 1)]) }
            for _ in 0..<3 { try platform.learner([("p2", .purchase, 1)]) }
            for _ in 0..<21 { try platform.learner([("x", .purchase, 1)]) }
            // Neither a learner who refunded both nor a forgotten one counts.
            try platform.learner([("p1", .purchase, 1), ("p2", .purchase, 1), ("p1", .refund, 2), ("p2", .refund, 2)])
            let forgotten = try platform.learner([("p1", .purchase, 1), ("p2", .purchase, 1)])
            _ = try LearnerRepository(platform.db).forget(externalID: forgotten)

            var options = BundleOptions()
            options.discountPercent = 25
            let result = try MarketingService(platform.db).bundles(options)
            #expect(result.learners == 40 && result.oversized == 0)
            #expect(result.rows.count == 1)
            let row = try #require(result.rows.first)
            #expect(row.courses.map(\.slug) == ["p1", "p2"] && row.isPath)
            #expect(row.association == Association(both: 12, first: 16, second: 15, total: 40))
            #expect(abs(row.liftLowerBound - 1.43105) < 1e-4)
            #expect(row.bundlePrice == Money.Amount(currency: "USD", minor: 3_000))
            #expect(row.expectedRevenue == Money.Amount(currency: "USD", minor: 8_550))

            options.crossDomain = true
            #expect(try MarketingService(platform.db).bundles(options).rows.isEmpty)
            // A minimum above its 12 learners removes it.
            options.crossDomain = false
            options.minLearners = 13
            #expect(try MarketingService(platform.db).bundles(options).rows.isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases) func coursesInTwoCurrenciesGetNoPrice(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            var platform = try Platform(db, creators: [("Ada", 0.7)], courses: [
                ("u", "data", 1_000, "USD", "Ada"), ("e", "data", 1_000, "EUR", "Ada"), ("z", "music", 500, "USD", "Ada"),
            ])
            for _ in 0..<10 { try platform.learner([("u", .purchase, 1), ("e", .purchase, 2)]) }
            for _ in 0..<30 { try platform.learner([("z", .purchase, 1)]) }
            var options = BundleOptions()
            options.discountPercent = 10
            let row = try #require(try MarketingService(platform.db).bundles(options).rows.first)
            #expect(row.courses.map(\.slug) == ["u", "e"] && row.bundlePrice == nil && row.expectedRevenue == nil)
        }
    }

    /// Creators A (share 0.7, a1 at 10.00) and B (share 0.5, b1 at 20.00): 12 learners took a1 then b1, 3 took
    /// b1 then a1, 25 took c1 (creator C). Shared 15 of 40, audiences 15 each: lift 15 * 40 / 225 = 2.667.
    /// A earned 0.7 * 10.00 * 3 = 21.00 through B; B earned 0.5 * 20.00 * 12 = 120.00 through A.
    @Test(arguments: TestEngine.allCases) func partnersWithWhatEachEarnedThroughTheOther(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            var platform = try Platform(db, creators: [("A", 0.7), ("B", 0.5), ("C", 0.6)], courses: [
                ("a1", "data", 1_000, "USD", "A"), ("b1", "finance", 2_000, "USD", "B"), ("c1", "music", 500, "USD", "C"),
            ])
            for _ in 0..<12 { try platform.learner([("a1", .purchase, 0), ("b1", .purchase, 5)]) }
            for _ in 0..<3 { try platform.learner([("b1", .purchase, 0), ("a1", .purchase, 3)]) }
            for _ in 0..<25 { try platform.learner([("c1", .purchase, 0)]) }
            let result = try MarketingService(platform.db).partners(minShared: 10)
            let row = try #require(result.rows.first)
            #expect(result.rows.count == 1 && row.first.name == "A" && row.second.name == "B")
            #expect(row.association == Association(both: 15, first: 15, second: 15, total: 40))
            #expect(row.firstEarnedViaSecond == [Money.Amount(currency: "USD", minor: 2_100)])
            #expect(row.secondEarnedViaFirst == [Money.Amount(currency: "USD", minor: 12_000)])
            #expect(try MarketingService(platform.db).partners(minShared: 16).rows.isEmpty)
            #expect(try MarketingService(platform.db).partners(minShared: 10, creatorID: platform.creators["C"]!.id).rows.isEmpty)
        }
    }
}
