import Foundation
import LecternService
import LecternStore
import Testing
import LecternTestSupport

/// The experiment report's figures on impressions logged by hand.
@Suite("Experiment report")
struct ExperimentServiceTests {
    /// Variant A: a and b were shown d and e at t; a dismisses d within the 7-day window, b dismisses e
    /// after it. Variant B: c was shown d, e and f and dismisses all three within the window. Variant C
    /// has no traffic, so nothing was shown.
    @Test(arguments: TestEngine.allCases) func dismissRateWithItsIntervalNextToConversion(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            let t: Int64 = 1_800_000_000, day: Int64 = 86_400
            let experiment = try ExperimentService(f.db).create(
                name: "spring", variants: [("A", .popular), ("B", .hybrid), ("C", .itemknn)], traffic: [50, 50, 0], windowDays: 7)
            let store = ExperimentStore(f.db)
            for (variant, learner, slugs) in [("A", "a", ["d", "e"]), ("A", "b", ["d", "e"]), ("B", "c", ["d", "e", "f"])] {
                try store.logImpressions(experimentID: experiment.id, variant: variant, userID: f.learners[learner]!,
                                         courseIDs: slugs.map { f.courses[$0]! }, runID: nil, at: t)
            }
            try f.record("a", "d", .dismiss, at: t + day)
            try f.record("b", "e", .dismiss, at: t + 8 * day)
            for slug in ["d", "e", "f"] { try f.record("c", slug, .dismiss, at: t + 2 * day) }

            let variants = try ExperimentService(f.db).report(name: "spring").variants
            // A: 1 of 4 impressions. Wald, as conversion: 1.959963985 * sqrt(0.25 * 0.75 / 4) = 0.424345
            let a = try #require(variants[0].dismissal)
            #expect(variants[0].outcome.dismissals == 1)
            #expect(a.rate == 0.25)
            #expect(abs(a.low - 0) < 1e-12)  // 0.25 - 0.4243 clamped at 0
            #expect(abs(a.high - 0.674345) < 1e-6)
            // The same function gives conversion's interval.
            #expect(variants[0].conversion.rate == 0 && variants[0].conversion.high == 0)
            // B: 3 of 3, an interval of width 0 at 1.
            let b = try #require(variants[1].dismissal)
            #expect(b.rate == 1 && b.low == 1 && b.high == 1)
            // C: no impressions, so no rate at all (not NaN).
            #expect(variants[2].outcome.impressions == 0)
            #expect(variants[2].dismissal == nil)
        }
    }
}
