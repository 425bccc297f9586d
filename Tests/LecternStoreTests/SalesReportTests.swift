import Testing
@testable import LecternStore

@Suite("Sales report")
struct SalesReportTests {
    @Test(arguments: [
        ("2025-01-01", "2025-W01"),  // a Wednesday
        ("2024-12-30", "2025-W01"),  // the Monday of the week holding 2 January
        ("2021-01-03", "2020-W53"),  // a Sunday still in 2020's last week
        ("2025-03-01", "2025-W09"),
        ("1970-01-04", "1970-W01"),
    ])
    func isoWeeks(date: String, week: String) {
        #expect(SalesReport.isoWeek(Timestamp.parse(date)!) == week)
    }

    @Test func payoutAndPlatformAddUpToNet() {
        for net in [Int64(0), 1, 3, 1001, 4990, -3998, 123_457] {
            for share in [0.0, 0.33, 0.5, 0.6, 0.7, 1.0] {
                let e = CreatorEarnings(creatorID: 1, name: "x", revenueShare: share, courses: 0, learners: 0, netMinor: net)
                #expect(e.payoutMinor + e.platformMinor == net)
            }
        }
        // 20.02 x 0.6 = 12.012 -> 12.01; 0.05 x 0.5 = 0.025 -> 0.03 (half away from zero).
        #expect(CreatorEarnings(creatorID: 1, name: "x", revenueShare: 0.6, courses: 0, learners: 0, netMinor: 2002).payoutMinor == 1201)
        #expect(CreatorEarnings(creatorID: 1, name: "x", revenueShare: 0.5, courses: 0, learners: 0, netMinor: 5).payoutMinor == 3)
    }
}

@Suite("Recommendation report")
struct RecommendationReportTests {
    @Test func giniByHand() {
        #expect(RecommendationReport.gini([1, 1, 1, 1]) == 0)
        #expect(RecommendationReport.gini([0, 0, 1, 1]) == 0.5)
        #expect(RecommendationReport.gini([0, 0, 0, 4]) == 0.75)  // the most uneven for 4 creators: (n-1)/n
        #expect(RecommendationReport.gini([0, 0]) == nil)
    }
}
