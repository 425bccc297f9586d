import Testing
@testable import LecternRecommender

/// Finding a course's audience, on data small enough to work out by hand.
@Suite("Audience")
struct AudienceTests {
    @Test func neighboursOwnersAreScoredBySummedSimilarity() {
        // Course 0's neighbours: 1 (0.8) and 2 (0.5). Learner 10 took both, 11 only course 1,
        // 12 only course 2, 13 took course 0 itself (excluded).
        let takers: [Int32: [Int32]] = [1: [10, 11, 13], 2: [10, 12]]
        let members = Audience.byNeighbors([(1, 0.8), (2, 0.5)], takers: takers, excluded: [13], count: 10)
        #expect(members.map(\.user) == [10, 11, 12])
        #expect(members.map(\.score) == [1.3, 0.8, 0.5])
        // Equal scores go to the lower learner index, so lists are repeatable.
        #expect(Audience.byNeighbors([(1, 0.8)], takers: takers, excluded: [], count: 2).map(\.user) == [10, 11])
    }

    @Test func declaredInterestsAddTheirWeight() {
        let members = Audience.byNeighbors([(1, 0.4)], takers: [1: [10]], interested: [11: "finance", 10: "finance"],
                                           interestWeight: 0.5, excluded: [], count: 5)
        #expect(members.map(\.user) == [10, 11])
        #expect(members.map(\.score) == [0.9, 0.5])
        #expect(members.map(\.interest) == ["finance", "finance"])
    }

    @Test func theFactorPassScoresEveryLearnerButTheExcluded() throws {
        // Three learners of two factors; course 0 is (1, 2): scores 1, 4 and 3.
        let model = try FactorModel(factorCount: 2, userFactors: [1, 0, 0, 2, 1, 1], itemFactors: [1, 2])
        #expect(Audience.byFactors(model, item: 0, excluded: [], count: 3, threads: 2).map(\.user) == [1, 2, 0])
        #expect(Audience.byFactors(model, item: 0, excluded: [1], count: 1).map(\.user) == [2])
        #expect(Audience.byFactors(model, item: 0, excluded: [], count: 2).map(\.score) == [4, 3])
    }

    @Test func theReasonIsTheOwnedCourseWhoseTakersMostOftenTookTheTarget() {
        // Of course 1's 5 takers, 2 took the target (40%); of course 2's 5, 4 did (80%).
        let takers: [Int32: [Int32]] = [1: [1, 2, 3, 4, 20], 2: [5, 6, 7, 8, 20], 3: [20, 9]]
        let target: [Int32] = [1, 2, 5, 6, 7, 8, 9]
        let members = [AudienceMember(user: 20, score: 1), AudienceMember(user: 3, score: 0.5), AudienceMember(user: 30, score: 0.1)]
        let explained = Audience.explain(members, candidates: [1, 2, 3], targetTakers: target, takers: takers)
        #expect(explained[0].because == 2 && explained[0].share == 0.8)
        #expect(explained[1].because == 1 && explained[1].share == 0.4)
        // Course 3 has too few takers to explain anything; learner 30 took none of the candidates.
        #expect(explained[2].because == nil && explained[2].share == nil)
    }

    @Test func theEvaluationCountsHitsAgainstLaterTakersOnly() throws {
        // Before the cutoff (t < 100): learners 0-3 took course 0, learners 0-1 also course 1.
        // After it: learners 2 and 3 take course 1, learner 4 (never seen before) takes it too.
        var events: [MatrixEvent] = []
        for user in Int32(0)...3 { events.append(MatrixEvent(user: user, item: 0, kind: .enroll, time: 10)) }
        for user in Int32(0)...1 { events.append(MatrixEvent(user: user, item: 1, kind: .enroll, time: 20)) }
        for user in Int32(2)...4 { events.append(MatrixEvent(user: user, item: 1, kind: .purchase, time: 200)) }
        let split = EvaluationSplit.temporal(events, cutoff: 100)
        let knn = ItemKNNModel(itemCount: 2, neighborStarts: [0, 1, 2], neighborIndices: [1, 0], neighborScores: [0.7, 0.7])
        let evaluation = try AudienceEvaluation.measure(split: split, itemKNN: knn, factors: nil, content: nil, contents: nil,
                                                        interests: [:], size: 2)
        // Course 1: candidates are learners 2 and 3 (0 and 1 took it); item-kNN finds both (they took course 0).
        let knnRow = try #require(evaluation.rows.first { $0.group == "all" && $0.method == "itemknn" })
        #expect(knnRow.courses == 1 && knnRow.precision == 1 && knnRow.recall == 1)
        // Learner 4 was never seen before the cutoff: not in the truth.
        #expect(evaluation.truthPairs == 2)
        let auto = try #require(evaluation.rows.first { $0.group == "all" && $0.method == "auto" })
        #expect(auto.precision == knnRow.precision)
        #expect(evaluation.rows.contains { $0.method == "random" } && evaluation.rows.contains { $0.method == "active" })
    }
}
