import LecternCore
import LecternRecommender
import Testing

@Suite("Rejections and less like this")
struct RejectionsTests {
    func event(_ user: Int32, _ item: Int32, _ kind: EventKind, at time: Int64, rating: Int8 = 0) -> MatrixEvent {
        MatrixEvent(user: user, item: item, kind: kind, rating: rating, time: time)
    }

    @Test func aDismissalHoldsUntilALaterViewWishlistEnrollmentOrPurchase() {
        let events = [
            event(0, 1, .view, at: 10), event(0, 1, .dismiss, at: 20),  // held: the view came before
            event(0, 2, .dismiss, at: 10), event(0, 2, .wishlist, at: 30),  // lifted
            event(0, 3, .dismiss, at: 10), event(0, 3, .complete, at: 30),  // a completion does not lift it
            event(0, 4, .dismiss, at: 10), event(0, 4, .view, at: 10),  // the same second does not lift it
            event(1, 5, .dismiss, at: 10), event(1, 5, .purchase, at: 20), event(1, 5, .dismiss, at: 30),  // dismissed again
        ]
        let rejections = Rejections(events: events, users: 2)
        #expect(rejections.dismissed(user: 0) == [1, 3, 4])
        #expect(rejections.dismissed(user: 1) == [5])
        #expect(rejections.count == 4)
    }

    @Test func theLatestRatingDecides() {
        let events = [
            event(0, 1, .rate, at: 10, rating: 5), event(0, 1, .rate, at: 20, rating: 2),  // low now
            event(0, 2, .rate, at: 10, rating: 1), event(0, 2, .rate, at: 20, rating: 3),  // neutral now
            event(0, 3, .rate, at: 10, rating: 1),
        ]
        let rejections = Rejections(events: events, users: 1)
        #expect(rejections.rejected(user: 0) == [1, 3])
        #expect(rejections.dismissed(user: 0).isEmpty)
    }

    @Test func aRejectedPairIsLeftOutOfTheMatrix() throws {
        let events = [
            event(0, 0, .purchase, at: 10), event(0, 0, .complete, at: 11), event(0, 0, .rate, at: 12, rating: 1),
            event(0, 1, .view, at: 10), event(0, 1, .dismiss, at: 12),
            event(0, 2, .view, at: 10), event(0, 2, .rate, at: 12, rating: 4),
        ]
        let matrix = try InteractionWeights().matrix(users: 1, items: 3, events: events, now: 12)
        #expect(matrix.row(0).columns == [2])
    }

    @Test func coursesLikeARejectedOneMoveDownByTheirSimilarity() {
        let candidates = (0..<6).map { Candidate(item: Int32($0), score: Double(10 - $0), reason: .popularIn(domain: 0)) }
        // Course 0 is a near copy of a rejected course (moves 5 places, past a list of 4), course 1
        // half alike (2.5 places).
        let less = LessLikeThis(similarity: [0: 1.0, 1: 0.5])
        let moved = less.apply(candidates, count: 4)
        #expect(moved.map(\.item) == [2, 3, 1, 4, 0, 5])
        #expect(LessLikeThis().apply(candidates, count: 4) == candidates)

        // Through the ranking rules: dismissed courses are gone, and ranks stay in score order.
        let state = LearnerState(owned: [], touchedDomains: [], dismissed: [3], lessLikeThis: less)
        let facts = CatalogFacts(creators: [0, 0, 0, 0, 0, 0], domains: [0, 0, 0, 0, 0, 0],
                                 available: [true, true, true, true, true, true], prerequisites: [[], [], [], [], [], []])
        let list = RankingRules().apply(candidates, facts: facts, learner: state, count: 4)
        #expect(list.map(\.item) == [2, 4, 1, 5])
        #expect(zip(list, list.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test func lessLikeThisReadsTheRejectedCoursesNeighbours() {
        // Course 0's neighbours: 1 (0.9) and 2 (0.2).
        let model = ItemKNNModel(itemCount: 3, neighborStarts: [0, 2, 2, 2], neighborIndices: [1, 2], neighborScores: [0.9, 0.2])
        let less = LessLikeThis(rejected: [0], neighbors: model)
        #expect(less.similarity == [1: 0.9, 2: 0.2])
    }
}

@Suite("Dismissal effect")
struct DismissalEffectTests {
    /// Learner 0 took courses 0 and 1, looked at 5 and dismissed it. Everyone who took 0 and 1 also
    /// took 5 and 6 (so 6 is 5's near copy), and some took 0 with 2 or 3. Later, learner 0 dismisses 6
    /// and buys 2. Lists that listen to the dismissal move 6 out of a top 1 and list 2 instead.
    @Test func listeningToADismissalKeepsItsNearCopyOutOfTheTop() throws {
        var events: [MatrixEvent] = []
        func add(_ user: Int32, _ items: [Int32], _ kind: EventKind = .purchase, at time: Int64 = 1) {
            for item in items { events.append(MatrixEvent(user: user, item: item, kind: kind, time: time)) }
        }
        for user: Int32 in 1...6 { add(user, [0, 1, 5, 6]) }
        for user: Int32 in 7...9 { add(user, [0, 2]) }
        for user: Int32 in 10...12 { add(user, [0, 3]) }
        add(0, [0, 1])
        add(0, [5], .view, at: 3)
        add(0, [5], .dismiss, at: 4)
        add(0, [6], .view, at: 99)
        add(0, [6], .dismiss, at: 100)
        add(0, [2], .purchase, at: 101)
        let split = EvaluationSplit.temporal(events, cutoff: 50)
        let facts = CatalogFacts(creators: Array(repeating: 0, count: 7), domains: Array(repeating: 0, count: 7),
                                 available: Array(repeating: true, count: 7), prerequisites: Array(repeating: [], count: 7))
        var settings = EvaluationModelSettings()
        settings.als = ALSParameters(factors: 2, iterations: 3, seed: 1)
        let effects = try DismissalEffect.measure(split: split, algorithms: [.itemknn], facts: facts, domainNames: ["all"],
                                                  contents: nil, settings: settings, k: 1)
        let effect = try #require(effects.first)
        #expect(effect.learners == 1 && effect.dismissing == 1 && effect.buying == 1 && effect.trainingDismissals == 1)
        #expect(effect.ignoring.laterDismissed == 1 && effect.ignoring.purchaseNDCG == 0)
        #expect(effect.using.laterDismissed == 0 && effect.using.purchaseNDCG == 1)

        // Without a dismissal in the training part there is nothing to compare.
        let none = EvaluationSplit.temporal(events.filter { $0.kind != .dismiss || $0.time > 50 }, cutoff: 50)
        #expect(throws: RecommenderError.self) {
            try DismissalEffect.measure(split: none, algorithms: [.itemknn], facts: facts, domainNames: ["all"],
                                        contents: nil, settings: settings, k: 1)
        }
    }
}
