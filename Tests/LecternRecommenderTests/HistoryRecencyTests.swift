import Testing
import LecternCore
@testable import LecternRecommender

/// A learner's newer courses counting more when neighbour models score them (`HistoryRecency`).
@Suite("History recency")
struct HistoryRecencyTests {
    @Test func newestFirstOrdersByEachCourseLatestEvent() {
        // Learner 0: course 2 at 10 and again at 40, course 1 and course 3 both at 30 (the tie goes to
        // the higher index); learner 1 has no event; learner 2 one.
        let events = [
            MatrixEvent(user: 0, item: 2, kind: .view, time: 10), MatrixEvent(user: 0, item: 1, kind: .view, time: 30),
            MatrixEvent(user: 2, item: 0, kind: .view, time: 5), MatrixEvent(user: 0, item: 2, kind: .purchase, time: 40),
            MatrixEvent(user: 0, item: 3, kind: .view, time: 30),
        ]
        #expect(HistoryRecency.newestFirst(events: events, users: 3) == [[2, 3, 1], [], [0]])
    }

    @Test func agesAreEachHistoryCoursePlaceFromTheNewest() {
        let history: [(item: Int32, weight: Float)] = [(1, 1), (2, 1), (3, 1), (7, 1)]
        // Course 7 is not in the order: older than all three.
        #expect(HistoryRecency.ages(of: history, newestFirst: [2, 3, 1]) == [2, 0, 1, 3])
    }

    @Test func weightsHalveEveryHalfLife() {
        let history: [(item: Int32, weight: Float)] = [(1, 4), (2, 2), (3, 1)]
        let ages: [Int32] = [2, 0, 1]
        // Half-life 1 course: ages 2, 0, 1 multiply by 1/4, 1, 1/2; half-life 2: by 1/2, 1, 1/√2.
        let one = HistoryRecency.weighted(history, ages: ages, halfLife: 1)
        #expect(one.map(\.item) == [1, 2, 3])
        #expect(one.map(\.weight) == [1, 2, 0.5])
        let two = HistoryRecency.weighted(history, ages: ages, halfLife: 2)
        #expect(abs(two[0].weight - 2) < 1e-6 && two[1].weight == 2 && abs(two[2].weight - 1 / Float(2).squareRoot()) < 1e-6)
        // Off, or ages unknown: as it was.
        #expect(HistoryRecency.weighted(history, ages: ages, halfLife: nil).map(\.weight) == [4, 2, 1])
        #expect(HistoryRecency.weighted(history, ages: [], halfLife: 1).map(\.weight) == [4, 2, 1])
    }

    @Test func aHalfLifeMustBePositive() throws {
        for bad in [0, -1, Double.infinity, .nan] {
            #expect(throws: RecommenderError.self) { try ItemKNNParameters(recencyHalfLife: bad).validate() }
            #expect(throws: RecommenderError.self) { try EASEParameters(recencyHalfLife: bad).validate() }
            #expect(throws: RecommenderError.self) { try RP3betaParameters(recencyHalfLife: bad).validate() }
        }
        try ItemKNNParameters(recencyHalfLife: 0.5).validate()
        try EASEParameters(recencyHalfLife: nil).validate()
    }

    /// Learner 0 took course 0 (day 1), then course 1 (day 2). Learners 1 and 2 took 0 and 2, learner 3
    /// took 1 and 3 (weights 1). Cosine: columns 0 = {0, 1, 2}, 1 = {0, 3}, 2 = {1, 2}, 3 = {3}, so
    /// sim(0, 2) = 2 / (√3 √2) = 0.816 and sim(1, 3) = 1 / √2 = 0.707; sim(1, 2) = sim(0, 3) = 0.
    /// Learner 0 scores course 2 at w₀ 0.816 and course 3 at w₁ 0.707: without recency 2 leads; with
    /// a half-life of 1 course, course 0 (age 1) counts ½: 0.408 against 0.707, and 3 leads.
    static func events() -> [MatrixEvent] {
        let day: Int64 = 86_400
        let took: [(Int32, Int32, Int64)] = [(0, 0, 1), (0, 1, 2), (1, 0, 1), (1, 2, 1), (2, 0, 1), (2, 2, 2), (3, 1, 1), (3, 3, 2)]
        return took.map { MatrixEvent(user: $0.0, item: $0.1, kind: .view, time: $0.2 * day, weight: 1) }
    }

    static let facts = CatalogFacts(creators: [0, 0, 0, 0], domains: [0, 0, 0, 0], available: [true, true, true, true],
                                    prerequisites: [[], [], [], []])

    @Test(arguments: [Algorithm.itemknn, .hybrid])
    func theNewestCourseLeadsTheListByHand(algorithm: Algorithm) throws {
        var settings = EvaluationModelSettings(itemKNN: ItemKNNParameters(neighbors: 10, threads: 1),
                                               als: ALSParameters(factors: 2, iterations: 1, threads: 1),
                                               hybrid: HybridWeights(itemknn: 1, als: 0, content: 0, popular: 0))
        let history: [(item: Int32, weight: Float)] = [(0, 1), (1, 1)]
        let plain = try EvaluationModels.train(events: Self.events(), facts: Self.facts, domainNames: ["all"], settings: settings)
        #expect(plain.newestFirst.isEmpty)
        #expect(plain.recommend(algorithm)(0, history, [0, 1], 2) == [2, 3])

        settings.itemKNN.recencyHalfLife = 1
        let recent = try EvaluationModels.train(events: Self.events(), facts: Self.facts, domainNames: ["all"], settings: settings)
        #expect(recent.newestFirst[0] == [1, 0])
        #expect(recent.recommend(algorithm)(0, history, [0, 1], 2) == [3, 2])
        let scores = recent.recommender.recommend(
            LearnerProfile(history: history, bought: [], state: LearnerState(owned: [0, 1], touchedDomains: [0]), interests: [])
                .withAges([1, 0]), algorithm: .itemknn, count: 2).map(\.score)
        #expect(abs(scores[0] - 1 / 2.0.squareRoot()) < 1e-6)
        #expect(abs(scores[1] - 0.5 * 2 / 6.0.squareRoot()) < 1e-6)
    }

    @Test func easeAndRP3betaWeighTheirOwnHalfLife() throws {
        // Only EASE's half-life is set: RP3beta and item-kNN score the history as it is.
        var settings = EvaluationModelSettings(itemKNN: ItemKNNParameters(neighbors: 10, threads: 1),
                                               als: ALSParameters(factors: 2, iterations: 1, threads: 1))
        settings.ease = EASEParameters(regularization: 1, neighbors: 4, threads: 1, recencyHalfLife: 0.5)
        settings.rp3beta = RP3betaParameters(neighbors: 4, threads: 1)
        #expect(settings.recencyHalfLives == [.ease: 0.5])
        let models = try EvaluationModels.train(events: Self.events(), facts: Self.facts, domainNames: ["all"], settings: settings,
                                                algorithms: [.ease, .rp3beta])
        let history: [(item: Int32, weight: Float)] = [(0, 1), (1, 1)]
        let learner = LearnerProfile(history: history, bought: [], state: LearnerState(owned: [0, 1], touchedDomains: [0]),
                                     interests: []).withAges([1, 0])
        // EASE with the history weighed 1/4 (course 0) and 1 (course 1), against the dense sum by hand.
        let ease = models.recommender.ease!
        var expected = [Double](repeating: 0, count: 4)
        for (item, weight) in [(0, 0.25), (1, 1.0)] {
            for neighbor in ease.neighbors(of: item) { expected[Int(neighbor.item)] += weight * neighbor.score }
        }
        let got = models.recommender.recommend(learner, algorithm: .ease, count: 2)
        for candidate in got { #expect(abs(candidate.score - expected[Int(candidate.item)]) < 1e-6) }
        let rp3 = models.recommender.rp3beta!
        var unweighted = [Double](repeating: 0, count: 4)
        for item in 0..<2 { for neighbor in rp3.neighbors(of: item) { unweighted[Int(neighbor.item)] += neighbor.score } }
        for candidate in models.recommender.recommend(learner, algorithm: .rp3beta, count: 2) {
            #expect(abs(candidate.score - unweighted[Int(candidate.item)]) < 1e-6)
        }
    }
}

extension LearnerProfile {
    func withAges(_ ages: [Int32]) -> LearnerProfile {
        var profile = self
        profile.ages = ages
        return profile
    }
}
