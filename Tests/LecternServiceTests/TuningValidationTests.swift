import LecternCore
import LecternRecommender
@testable import LecternService
import Testing

@Suite("Tuning's validation part")
struct TuningValidationTests {
    /// Learner n views courses n, n + 1 and n + 2 (mod 10). Bunched: on days n, n + 1 and n + 2, so
    /// only the learners whose three days straddle the cut validate on the newest 20% of events.
    /// Spread: at n, 1,000 + n and 2,000 + n seconds, so every learner has an event in each third.
    static func events(learners: Int, spread: Bool) -> [MatrixEvent] {
        var events: [MatrixEvent] = []
        for n in 0..<learners {
            for step in 0..<3 {
                let time: Int64 = spread ? Int64(1_000 * step + n) : Int64(86_400 * (n + step))
                events.append(MatrixEvent(user: Int32(n), item: Int32((n + step) % 10), kind: .view, time: time))
            }
        }
        return events
    }

    /// 300 bunched learners, 900 events: the cut is the 721st time, day 241, so only learners 239
    /// (days 239-241) and 240 (240-242) are on both sides: 2, fewer than min(100, 300 / 4). The newest
    /// course of a random half validates instead: 150 learners scored; the other half train on all three.
    @Test func fewLearnersAcrossTheCutValidateOnEachLearnersNewestCourse() throws {
        let events = Self.events(learners: 300, spread: false)
        let temporal = EvaluationSplit.temporal(events, cutoff: 86_400 * 241)
        #expect(TuningService.validatingLearners(temporal) == 2)
        let (split, carved) = try TuningService.validationSplit(events, seed: 1)
        #expect(carved == .newestPerLearner(reason: "only 2 learner(s) active both before and after the newest 20% of events"))
        #expect(carved.description.hasPrefix("the newest course of a seeded random half of the learners (only 2 learner(s)"))
        #expect(split.test.count == 150)
        #expect(split.test.allSatisfy { $0.item == ($0.user + 2) % 10 })
        #expect(TuningService.validatingLearners(split) == 150)
        let validated = Set(split.test.map(\.user))
        let trainedWhole = split.train.filter { !validated.contains($0.user) }
        #expect(trainedWhole.count == 3 * 150)
        // The same seed draws the same half.
        #expect(try TuningService.validationSplit(events, seed: 1).0 == split)
    }

    /// Spread: the cut is 2,120 s, so learners 120-299 hold out their third course: 180 >= 75.
    @Test func enoughLearnersAcrossTheCutKeepTheNewestEvents() throws {
        let (split, carved) = try TuningService.validationSplit(Self.events(learners: 300, spread: true), seed: 1)
        #expect(carved == .temporal)
        #expect(TuningService.validatingLearners(split) == 180)
        #expect(split.test.allSatisfy { $0.user >= 120 })
    }

    /// Small data asks for a quarter of its learners with two courses: 20 bunched learners leave 2
    /// across the cut (day 17), fewer than 5; 8 leave none. The newest course of half of them then
    /// validates (of 8, learner 7's newest, course 9, is no one else's: 3 or 4 are scored).
    @Test func smallDataAsksForAQuarterOfItsLearners() throws {
        #expect(TuningService.learnersWithTwoCourses(Self.events(learners: 20, spread: false)) == 20)
        for (learners, scored) in [(20, [10]), (8, [3, 4])] {
            let (split, carved) = try TuningService.validationSplit(Self.events(learners: learners, spread: false), seed: 1)
            #expect(carved != .temporal, "\(learners)")
            #expect(scored.contains(TuningService.validatingLearners(split)), "\(learners)")
        }
        // One course twice is one course.
        let repeats = [MatrixEvent(user: 0, item: 3, kind: .view, time: 1), MatrixEvent(user: 0, item: 3, kind: .enroll, time: 2),
                       MatrixEvent(user: 1, item: 3, kind: .view, time: 1), MatrixEvent(user: 1, item: 4, kind: .view, time: 2)]
        #expect(TuningService.learnersWithTwoCourses(repeats) == 1)
    }

    /// The one-standard-error rule: the best on validation is served unless the hybrid is within one
    /// standard error of it (of the learner-by-learner differences when both have them, else 0.3 / sqrt(learners)).
    @Test func theBestIsServedUnlessTheHybridIsWithinOneStandardError() {
        let scores: [(algorithm: Algorithm, value: Double, perLearner: [Double]?)] = [
            (.als, 0.8618, nil), (.hybrid, 0.8518, nil), (.itemknn, 0.6631, nil), (.popular, .nan, nil)]
        // 10 learners (OULAD's validation): a margin of 0.095, so 0.01 is noise.
        #expect(TuningService.served(scores, learners: 10) == .hybrid)
        // 10,000 learners: a margin of 0.003, so 0.01 is a lead.
        #expect(TuningService.served(scores, learners: 10_000) == .als)
        // No hybrid among the candidates, or the hybrid best: nothing to weigh.
        #expect(TuningService.served(scores.filter { $0.algorithm != .hybrid }, learners: 10) == .als)
        #expect(TuningService.served([(.hybrid, 0.5, nil), (.ease, 0.4, nil)], learners: 10_000) == .hybrid)
        #expect(TuningService.served([(.hybrid, .nan, nil), (.ease, 0.4, nil)], learners: 10) == .ease)
        #expect(TuningService.served([(.ease, .nan, nil)], learners: 10) == nil)
    }

    /// Learner by learner: a lead shared by many learners is kept however small, and a lead one
    /// learner makes alone is a tie (its mean equals its standard error), which goes to the hybrid.
    @Test func pairedDifferencesDecideWhenEachLearnersValuesAreKnown() {
        // 400 learners; rp3beta scores 0.05 more than the hybrid for 100 of them: a lead of 0.0125, with a
        // standard error of 0.0011 learner by learner (0.015 over independent learners would call it noise).
        let hybrid = (0..<400).map { Double($0 % 5) / 5 }
        let rp3beta = hybrid.enumerated().map { $0.offset % 4 == 0 ? $0.element + 0.05 : $0.element }
        let mean = { (values: [Double]) in values.reduce(0, +) / Double(values.count) }
        let paired: [(algorithm: Algorithm, value: Double, perLearner: [Double]?)] = [
            (.rp3beta, mean(rp3beta), rp3beta), (.hybrid, mean(hybrid), hybrid)]
        #expect(TuningService.served(paired, learners: 400) == .rp3beta)
        #expect(TuningService.served(paired.map { ($0.algorithm, $0.value, nil) }, learners: 400) == .hybrid)
        // One learner of ten differs by 0.1: a lead of 0.01, exactly one standard error.
        let blend = [Double](repeating: 0.8, count: 10)
        var als = blend
        als[3] = 0.9
        #expect(TuningService.served([(.als, mean(als), als), (.hybrid, mean(blend), blend)], learners: 10) == .hybrid)
        als[4] = 0.9
        #expect(TuningService.served([(.als, mean(als), als), (.hybrid, mean(blend), blend)], learners: 10) == .als)
    }
}
