import Foundation
import Testing
@testable import LecternRecommender

@Suite("Co-occurrence: bundles and their noise guards")
struct CoOccurrenceTests {
    /// 100 people, 20 took A, 25 took B, 10 both. Support 10/100, confidence A->B 10/20 and B->A 10/25,
    /// lift 10 * 100 / (20 * 25) = 2. Variance of ln lift: 1/10 - 1/20 - 1/25 + (2 * 2 - 1)/100 = 0.04,
    /// so the bound is 2 * exp(-1.96 * 0.2) = 2 * 0.675704 = 1.351408.
    @Test func measuresWorkedOutByHand() {
        let association = Association(both: 10, first: 20, second: 25, total: 100)
        #expect(association.support == 0.1)
        #expect(association.confidenceForward == 0.5)
        #expect(association.confidenceBackward == 0.4)
        #expect(association.lift == 2)
        #expect(abs(association.liftLowerBound() - 1.351408) < 1e-6)
        // Symmetric: the two parts swapped give the same bound.
        #expect(abs(Association(both: 10, first: 25, second: 20, total: 100).liftLowerBound() - 1.351408) < 1e-6)
    }

    @Test func everyoneTookBothIsCertainAndNobodyIsZero() {
        // Lift 1 with no uncertainty: everyone is in both cells.
        #expect(Association(both: 50, first: 50, second: 50, total: 50).liftLowerBound() == 1)
        #expect(Association(both: 0, first: 5, second: 5, total: 50).liftLowerBound() == 0)
    }

    /// 1,000 people; 3 took A and B and nobody else took either: a lift of 333, and still no bundle
    /// under the default guards (10 people at least). Only a lowered minimum lets it through.
    @Test func threeLearnersNeverMakeABundle() {
        let baskets: [[Int32]] = Array(repeating: [0, 1], count: 3) + Array(repeating: [2], count: 997)
        #expect(CoOccurrence.search(baskets, itemCount: 3).sets.isEmpty)
        let lowered = CoOccurrence.search(baskets, itemCount: 3, options: .init(minCount: 3))
        #expect(lowered.sets.map(\.items) == [[0, 1]])
        #expect(lowered.sets.first?.association == Association(both: 3, first: 3, second: 3, total: 1000))
    }

    /// 12 of 1,000 took both of two courses that 100 took each: lift 1.2, but the variance
    /// 1/12 - 1/100 - 1/100 + 1.4/1000 = 0.064733 puts the bound at 1.2 * exp(-1.96 * 0.254427) = 0.72880: noise.
    @Test func aSmallLiftOnFewPeopleIsNoise() {
        var baskets: [[Int32]] = Array(repeating: [0, 1], count: 12)
        baskets += Array(repeating: [0], count: 88) + Array(repeating: [1], count: 88) + Array(repeating: [2], count: 812)
        let association = Association(both: 12, first: 100, second: 100, total: 1000)
        #expect(abs(association.lift - 1.2) < 1e-12)
        #expect(abs(association.liftLowerBound() - 0.72880) < 1e-4)
        #expect(CoOccurrence.search(baskets, itemCount: 3).sets.isEmpty)
    }

    @Test func pairCountsByHand() {
        let baskets: [[Int32]] = [[0, 1, 2], [0, 1], [1, 2], [0, 1, 2]]
        let pairs = CoOccurrence.pairCounts(baskets, itemCount: 3, minCount: 2)
        #expect(pairs.map { [$0.0, $0.1, Int32($0.2)] } == [[0, 1, 3], [0, 2, 2], [1, 2, 3]])
        #expect(CoOccurrence.pairCounts(baskets, itemCount: 3, minCount: 3).map { [$0.0, $0.1] } == [[0, 1], [1, 2]])
    }

    /// 12 of 100 people took 0, 1 and 2 (and nothing else of them); 88 took 3. Each pair: lift
    /// 12 * 100 / 144 = 8.33; the triple on every split (pair -> third) has the same counts. A basket
    /// of five things above `maxBasket` 4 is left out of every count, totals included.
    @Test func triplesGrowFromPassingPairs() {
        let baskets: [[Int32]] = Array(repeating: [2, 0, 1, 1], count: 12) + Array(repeating: [3], count: 88) + [[0, 1, 2, 3, 4]]
        let result = CoOccurrence.search(baskets, itemCount: 5, options: .init(maxBasket: 4))
        #expect(result.baskets == 100 && result.oversized == 1 && result.itemCounts == [12, 12, 12, 88, 0])
        #expect(Set(result.sets.map(\.items)) == [[0, 1], [0, 2], [1, 2], [0, 1, 2]])
        let triple = result.sets.first { $0.items.count == 3 }!
        #expect(triple.association == Association(both: 12, first: 12, second: 12, total: 100))
        #expect(triple.first.count == 2 && triple.second.count == 1)
        // Variance 1/12 - 2/12 + (2 * 8.333 - 1)/100 = 0.073333; bound 8.333 * exp(-1.96 * 0.270801).
        #expect(abs(triple.lowerBound - 100.0 / 12 * exp(-1.96 * 0.0733333.squareRoot())) < 1e-4)
        // Without triples only the pairs.
        #expect(CoOccurrence.search(baskets, itemCount: 5, options: .init(maxBasket: 4, triples: false)).sets.count == 3)
    }

    @Test func strongestBoundFirst() {
        // Pair (0, 1): 30 of 200, each taken by 30 -> lift 6.67; pair (2, 3): 20 of 200 with 40 each -> lift 2.5.
        var baskets: [[Int32]] = Array(repeating: [0, 1], count: 30) + Array(repeating: [2, 3], count: 20)
        baskets += Array(repeating: [2], count: 20) + Array(repeating: [3], count: 20) + Array(repeating: [4], count: 110)
        let sets = CoOccurrence.search(baskets, itemCount: 5).sets
        #expect(sets.map(\.items) == [[0, 1], [2, 3]])
        #expect(sets[1].association == Association(both: 20, first: 40, second: 40, total: 200))
    }
}
