import Testing
@testable import LecternRecommender

@Suite("Interest profiles")
struct InterestProfileTests {
    static let day: Int64 = 86_400
    static let now: Int64 = 100 * day
    static let domains: [Int64: String] = [1: "data-science", 2: "finance", 3: "finance"]
    static let tags: [Int64: [String]] = [1: ["python", "pandas"], 2: ["excel"], 3: ["python"]]

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }

    @Test func decayedKindWeightsAndDeclaredInterestsByHand() throws {
        // Half-life 10 days, default weights (view 1, purchase 5, rate 4 x (r - 3) / 2).
        let events = [
            LearnerEvent(course: 1, kind: .purchase, time: Self.now),                    // 5
            LearnerEvent(course: 1, kind: .view, time: Self.now - 10 * Self.day),        // 1 x 0.5
            LearnerEvent(course: 2, kind: .view, time: Self.now - 20 * Self.day),        // 1 x 0.25
            LearnerEvent(course: 2, kind: .rate, time: Self.now, rating: 5),             // 4
            LearnerEvent(course: 3, kind: .purchase, time: Self.now - 10 * Self.day),    // 5 x 0.5
            LearnerEvent(course: 3, kind: .refund, time: Self.now),                      // -5: course 3 is 0
        ]
        let profile = try InterestProfile(events: events, courseDomains: Self.domains, courseTags: Self.tags,
                                          declaredInterests: ["Finance", "sql", "finance"], now: Self.now,
                                          halfLifeDays: 10)
        // Courses: 1 -> 5.5, 2 -> 4.25, 3 -> 0. "finance" is a domain (+2 once); "sql" is neither,
        // so a tag (+2). Domains: finance 6.25, data-science 5.5, of 11.75.
        #expect(profile.domains.map(\.name) == ["finance", "data-science"])
        #expect(Self.close(profile.domains[0].weight, 6.25 / 11.75))
        #expect(Self.close(profile.domains[1].weight, 5.5 / 11.75))
        // Tags: pandas 5.5, python 5.5 (nothing from course 3), excel 4.25, sql 2, of 17.25.
        #expect(profile.tags.map(\.name) == ["pandas", "python", "excel", "sql"])
        #expect(Self.close(profile.tagWeight("python"), 5.5 / 17.25))
        #expect(Self.close(profile.tagWeight("excel"), 4.25 / 17.25))
        #expect(Self.close(profile.tagWeight("sql"), 2 / 17.25))
        #expect(Self.close(profile.tags.reduce(0) { $0 + $1.weight }, 1))
    }

    @Test func withoutDecayEveryEventCountsWhole() throws {
        let events = [LearnerEvent(course: 1, kind: .view, time: 0), LearnerEvent(course: 2, kind: .enroll, time: Self.now)]
        let profile = try InterestProfile(events: events, courseDomains: Self.domains, courseTags: Self.tags,
                                          declaredInterests: [], now: Self.now, halfLifeDays: nil)
        // data-science 1, finance 3.
        #expect(profile.domains == [Affinity(name: "finance", weight: 0.75), Affinity(name: "data-science", weight: 0.25)])
    }

    @Test func anInterestNamingADomainAndATagCountsForBoth() throws {
        let profile = try InterestProfile(events: [], courseDomains: [1: "python"], courseTags: [2: ["python"]],
                                          declaredInterests: ["python"], now: 0, halfLifeDays: 30)
        #expect(profile.domains == [Affinity(name: "python", weight: 1)])
        #expect(profile.tags == [Affinity(name: "python", weight: 1)])
    }

    @Test func aRefundedCourseLeavesNothing() throws {
        let events = [LearnerEvent(course: 1, kind: .purchase, time: 0), LearnerEvent(course: 1, kind: .refund, time: 10),
                      LearnerEvent(course: 2, kind: .rate, time: 10, rating: 1)]
        let profile = try InterestProfile(events: events, courseDomains: Self.domains, courseTags: Self.tags,
                                          declaredInterests: [], now: 100, halfLifeDays: 30)
        #expect(profile.domains.isEmpty && profile.tags.isEmpty)
        #expect(profile.affinityVector(domainOrder: ["finance"], tagOrder: ["python"]) == [0, 0])
    }

    @Test func theAffinityVectorFollowsTheGivenOrders() throws {
        let profile = InterestProfile(domains: [Affinity(name: "finance", weight: 0.75), Affinity(name: "data-science", weight: 0.25)],
                                      tags: [Affinity(name: "excel", weight: 1)])
        #expect(profile.affinityVector(domainOrder: ["data-science", "art", "finance"], tagOrder: ["python", "excel"])
                == [0.25, 0, 0.75, 0, 1])
    }

    @Test func sharedDimensionsForClustering() {
        let a = InterestProfile(domains: [Affinity(name: "finance", weight: 1)],
                                tags: [Affinity(name: "excel", weight: 0.6), Affinity(name: "sql", weight: 0.4)])
        let b = InterestProfile(domains: [Affinity(name: "art", weight: 0.5), Affinity(name: "finance", weight: 0.5)],
                                tags: [Affinity(name: "sql", weight: 0.5), Affinity(name: "drawing", weight: 0.5)])
        // Tag totals: sql 0.9, excel 0.6, drawing 0.5.
        let all = InterestProfile.dimensions(of: [a, b])
        #expect(all.domains == ["art", "finance"])
        #expect(all.tags == ["sql", "excel", "drawing"])
        #expect(InterestProfile.dimensions(of: [a, b], tagLimit: 1).tags == ["sql"])
        #expect(b.affinityVector(domainOrder: all.domains, tagOrder: all.tags) == [0.5, 0.5, 0.5, 0, 0.5])
    }

    @Test func badParametersAreRefused() {
        #expect(throws: RecommenderError.self) {
            try InterestProfile(events: [], courseDomains: [:], courseTags: [:], declaredInterests: [], now: 0, halfLifeDays: 0)
        }
        #expect(throws: RecommenderError.self) {
            try InterestProfile(events: [], courseDomains: [:], courseTags: [:], declaredInterests: [], now: 0,
                                halfLifeDays: nil, declaredWeight: -1)
        }
        #expect(throws: RecommenderError.self) {
            try InterestProfile(events: [], courseDomains: [:], courseTags: [:], declaredInterests: [], now: 0,
                                halfLifeDays: nil, weights: InteractionWeights(view: -1))
        }
    }
}
