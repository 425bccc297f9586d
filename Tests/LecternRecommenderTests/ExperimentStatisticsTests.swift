import Testing
@testable import LecternRecommender

@Suite("Experiment statistics")
struct ExperimentStatisticsTests {
    @Test func assignmentIsStableAndBalanced() {
        let ids = (0..<10_000).map { "u\($0)" }
        let first = ids.map { ExperimentStatistics.variant(experiment: "spring", learner: $0, traffic: [50, 50]) }
        let again = ids.map { ExperimentStatistics.variant(experiment: "spring", learner: $0, traffic: [50, 50]) }
        #expect(first == again)
        let share = Double(first.filter { $0 == 0 }.count) / Double(ids.count)
        #expect(abs(share - 0.5) < 0.02)
        let skewed = ids.map { ExperimentStatistics.variant(experiment: "spring", learner: $0, traffic: [10, 30, 60]) }
        #expect(abs(Double(skewed.filter { $0 == 2 }.count) / Double(ids.count) - 0.6) < 0.02)
        // Another experiment shuffles learners independently.
        let other = ids.map { ExperimentStatistics.variant(experiment: "autumn", learner: $0, traffic: [50, 50]) }
        #expect(first != other)
    }

    @Test func zTestOnAKnownExample() {
        // 200/1000 vs 250/1000: pooled p = 0.225, se = sqrt(0.225 * 0.775 * 0.002) = 0.018675,
        // z = 0.05 / 0.018675 = 2.6774, two-sided p = 0.00742.
        let result = ExperimentStatistics.twoProportionZTest(successesA: 200, trialsA: 1000, successesB: 250, trialsB: 1000)
        #expect(abs(result.z - 2.6774) < 1e-3)
        #expect(abs(result.p - 0.00742) < 1e-4)
        let same = ExperimentStatistics.twoProportionZTest(successesA: 30, trialsA: 100, successesB: 30, trialsB: 100)
        #expect(same.z == 0 && abs(same.p - 1) < 1e-12)
    }

    @Test func waldIntervalByHand() {
        // p = 0.2, n = 100: 1.96 * sqrt(0.0016) = 0.0784.
        let interval = ExperimentStatistics.proportion(20, of: 100)
        #expect(abs(interval.low - 0.1216) < 1e-4)
        #expect(abs(interval.high - 0.2784) < 1e-4)
        #expect(ExperimentStatistics.proportion(0, of: 0).rate.isNaN)
    }
}
