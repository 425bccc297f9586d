import Testing
@testable import LecternRecommender

/// Shared events for the evaluation tests.
enum EvaluationFixtures {
    /// 40 learners, 30 courses, 3-14 events each of random kinds, times 0..<1000 (many ties).
    static func randomEvents(seed: UInt64 = 7) -> [MatrixEvent] {
        var generator = SeededGenerator(seed: seed)
        var events: [MatrixEvent] = []
        for user in Int32(0)..<40 {
            for _ in 0..<(3 + generator.nextIndex(below: 12)) {
                let kind = EventKind.allCases[generator.nextIndex(below: EventKind.allCases.count)]
                events.append(MatrixEvent(user: user, item: Int32(generator.nextIndex(below: 30)), kind: kind,
                                          rating: Int8(1 + generator.nextIndex(below: 5)), time: Int64(generator.nextIndex(below: 1000))))
            }
        }
        return events
    }

    /// An event's identity for comparing multisets of events.
    static func key(_ event: MatrixEvent) -> [Int64] {
        [Int64(event.user), Int64(event.item), Int64(event.kind.rawValue), Int64(event.rating), event.time]
    }

    /// Whether train + heldOut is exactly the input, as multisets.
    static func partitions(_ split: EvaluationSplit, _ events: [MatrixEvent]) -> Bool {
        (split.train + split.heldOut).map(key).sorted { $0.lexicographicallyPrecedes($1) }
            == events.map(key).sorted { $0.lexicographicallyPrecedes($1) }
    }

    static func pairs(_ events: [MatrixEvent]) -> Set<HeldOutPair> {
        Set(events.map { HeldOutPair(user: $0.user, item: $0.item) })
    }
}

@Suite("Evaluation splits")
struct EvaluationSplitTests {
    let events = EvaluationFixtures.randomEvents()

    @Test func relevanceByKind() {
        let heldOut = [
            MatrixEvent(user: 0, item: 0, kind: .view, time: 1),
            MatrixEvent(user: 0, item: 1, kind: .rate, rating: 3, time: 1),
            MatrixEvent(user: 0, item: 2, kind: .rate, rating: 4, time: 1),
            MatrixEvent(user: 0, item: 3, kind: .refund, time: 1),
            MatrixEvent(user: 0, item: 4, kind: .purchase, time: 1),
            MatrixEvent(user: 0, item: 4, kind: .refund, time: 2),
            MatrixEvent(user: 1, item: 0, kind: .wishlist, time: 1),
            MatrixEvent(user: 1, item: 5, kind: .enroll, time: 1),
            MatrixEvent(user: 1, item: 6, kind: .complete, time: 1),
        ]
        // A 3-star rating and a lone refund are not interest; a purchase later refunded still is.
        let expected: [HeldOutPair] = [.init(user: 0, item: 2), .init(user: 0, item: 4), .init(user: 1, item: 0),
                                       .init(user: 1, item: 5), .init(user: 1, item: 6)]
        #expect(Relevance(viewsCount: false).relevantPairs(in: heldOut) == expected)
        // Views count by default: (0, 0) joins.
        #expect(Relevance().relevantPairs(in: heldOut) == [.init(user: 0, item: 0)] + expected)
        #expect(Relevance(minimumRating: 3).relevantPairs(in: heldOut).contains(.init(user: 0, item: 1)))
    }

    // MARK: Temporal

    @Test func temporalCutByHand() {
        let events = [
            MatrixEvent(user: 0, item: 0, kind: .purchase, time: 10),
            MatrixEvent(user: 0, item: 1, kind: .view, time: 20),   // exactly at the cut: held out
            MatrixEvent(user: 1, item: 2, kind: .rate, rating: 2, time: 30),
            MatrixEvent(user: 1, item: 3, kind: .enroll, time: 19),
        ]
        let split = EvaluationSplit.temporal(events, cutoff: 20)
        #expect(split.train == [events[0], events[3]])
        #expect(split.heldOut == [events[1], events[2]])
        #expect(split.test == [HeldOutPair(user: 0, item: 1)])
        #expect(EvaluationSplit.temporal(events, cutoff: 20, relevance: Relevance(viewsCount: false)).test.isEmpty)
    }

    @Test func temporalCutNeverLeaks() {
        let split = EvaluationSplit.temporal(events, cutoff: 600)
        #expect(!split.train.isEmpty && !split.heldOut.isEmpty)
        #expect(split.train.allSatisfy { $0.time < 600 })
        #expect(split.heldOut.allSatisfy { $0.time >= 600 })
        #expect(EvaluationFixtures.partitions(split, events))
        #expect(Set(split.test).isSubset(of: EvaluationFixtures.pairs(split.heldOut)))
    }

    @Test func temporalPerLearnerByHand() throws {
        // Learner 0's events at times 5, 1, 3, 3, 9 (input order). Ordered by time, ties by input:
        // #1 (t1), #2 (t3), #3 (t3), #0 (t5), #4 (t9). floor(5 x 0.4) = 2 train: #1 and #2 (the tie
        // at t3 goes to the earlier input).
        let events = [5, 1, 3, 3, 9].enumerated().map {
            MatrixEvent(user: 0, item: Int32($0.offset), kind: .purchase, time: Int64($0.element))
        } + [MatrixEvent(user: 1, item: 9, kind: .purchase, time: 0)]
        let split = try EvaluationSplit.temporalPerLearner(events, trainFraction: 0.4)
        #expect(split.train.map(\.item) == [1, 2])
        #expect(split.heldOut.map(\.item) == [0, 3, 4, 9])
        // Learner 1's single event: floor(0.4) = 0 train, so learner 1 is unknown to training.
        #expect(split.test.map(\.item) == [0, 3, 4, 9])
        // floor(5 x 0.6) = 3: #1, #2, #3.
        #expect(try EvaluationSplit.temporalPerLearner(events, trainFraction: 0.6).train.map(\.item) == [1, 2, 3])
    }

    @Test func temporalPerLearnerKeepsEachLearnersPastInTraining() throws {
        let split = try EvaluationSplit.temporalPerLearner(events, trainFraction: 0.7)
        #expect(EvaluationFixtures.partitions(split, events))
        for user in Set(events.map(\.user)) {
            let mine = events.filter { $0.user == user }
            let trained = split.train.filter { $0.user == user }
            let held = split.heldOut.filter { $0.user == user }
            #expect(trained.count == Int(Double(mine.count) * 0.7 + 1e-9))
            if let last = trained.map(\.time).max(), let first = held.map(\.time).min() { #expect(last <= first) }
        }
    }

    // MARK: Leave last out

    @Test func leaveLastOutByHand() throws {
        // Learner 0 touches A (0) at t1, B (1) at t2, A again at t3, C (2) at t2. Latest touch per
        // course: A t3, C t2 (#3), B t2 (#1): C is later than B on the tie. The last 2: A and C;
        // every event on them (A's view at t1 too) is held out.
        let events = [
            MatrixEvent(user: 0, item: 0, kind: .view, time: 1),
            MatrixEvent(user: 0, item: 1, kind: .purchase, time: 2),
            MatrixEvent(user: 0, item: 0, kind: .purchase, time: 3),
            MatrixEvent(user: 0, item: 2, kind: .view, time: 2),
            // Learner 1 has only 2 courses: with k = 2 they stay wholly in training.
            MatrixEvent(user: 1, item: 0, kind: .purchase, time: 5),
            MatrixEvent(user: 1, item: 1, kind: .purchase, time: 6),
        ]
        let split = try EvaluationSplit.leaveLastOut(events, count: 2)
        #expect(split.train == [events[1], events[4], events[5]])
        #expect(split.test == [HeldOutPair(user: 0, item: 0), HeldOutPair(user: 0, item: 2)])
        let one = try EvaluationSplit.leaveLastOut(events, count: 1)
        #expect(one.test == [HeldOutPair(user: 0, item: 0), HeldOutPair(user: 1, item: 1)])
    }

    @Test func leaveLastOutHoldsOutWholePairs() throws {
        let split = try EvaluationSplit.leaveLastOut(events, count: 2)
        #expect(EvaluationFixtures.partitions(split, events))
        #expect(EvaluationFixtures.pairs(split.train).isDisjoint(with: EvaluationFixtures.pairs(split.heldOut)))
        for user in Set(events.map(\.user)) {
            let courses = Set(events.filter { $0.user == user }.map(\.item)).count
            let held = Set(split.heldOut.filter { $0.user == user }.map(\.item)).count
            #expect(held == (courses > 2 ? 2 : 0))
        }
    }

    // MARK: Random holdout

    @Test func randomHoldoutIsSeededAndLeakFree() throws {
        let split = try EvaluationSplit.randomHoldout(events, testFraction: 0.25, seed: 1)
        #expect(EvaluationFixtures.partitions(split, events))
        #expect(EvaluationFixtures.pairs(split.train).isDisjoint(with: EvaluationFixtures.pairs(split.heldOut)))
        for user in Set(events.map(\.user)) {
            let n = Set(events.filter { $0.user == user }.map(\.item)).count
            let held = Set(split.heldOut.filter { $0.user == user }.map(\.item)).count
            // round(n / 4), at least 1, at most n - 1; nothing for a learner with one course.
            #expect(held == (n < 2 ? 0 : min(n - 1, max(1, Int((Double(n) * 0.25).rounded())))))
        }
        #expect(try EvaluationSplit.randomHoldout(events, testFraction: 0.25, seed: 1) == split)
        #expect(try EvaluationSplit.randomHoldout(events, testFraction: 0.25, seed: 2) != split)
    }

    // MARK: K-fold

    @Test func foldsPartitionLearners() throws {
        let folds = try EvaluationSplit.learnerFolds(events, folds: 3, seed: 11)
        let all = folds.flatMap { $0 }
        #expect(all.count == 40 && Set(all) == Set(events.map(\.user)))
        #expect(folds.map(\.count).max()! - folds.map(\.count).min()! <= 1)
        #expect(try EvaluationSplit.learnerFolds(events, folds: 3, seed: 11) == folds)
        #expect(try EvaluationSplit.learnerFolds(events, folds: 3, seed: 12) != folds)
    }

    @Test func kFoldHoldsOutOnlyTheFoldsLearners() throws {
        let assignment = try EvaluationSplit.learnerFolds(events, folds: 4, seed: 5)
        let splits = try EvaluationSplit.kFold(events, folds: 4, testFraction: 0.3, seed: 5)
        #expect(splits.count == 4)
        var tested = Set<Int32>()
        for (fold, split) in splits.enumerated() {
            #expect(EvaluationFixtures.partitions(split, events))
            #expect(EvaluationFixtures.pairs(split.train).isDisjoint(with: EvaluationFixtures.pairs(split.heldOut)))
            let heldLearners = Set(split.heldOut.map(\.user))
            #expect(heldLearners.isSubset(of: Set(assignment[fold])))
            // Every learner of the fold with two or more courses holds some out.
            for user in assignment[fold] where Set(events.filter { $0.user == user }.map(\.item)).count >= 2 {
                #expect(heldLearners.contains(user))
            }
            #expect(tested.isDisjoint(with: heldLearners))
            tested.formUnion(heldLearners)
        }
        #expect(try EvaluationSplit.kFold(events, folds: 4, testFraction: 0.3, seed: 5) == splits)
        #expect(try EvaluationSplit.kFold(events, folds: 4, testFraction: 0.3, seed: 6) != splits)
    }

    @Test func parametersOutOfRangeAreRefused() {
        #expect(throws: RecommenderError.self) { try EvaluationSplit.temporalPerLearner(events, trainFraction: 1) }
        #expect(throws: RecommenderError.self) { try EvaluationSplit.leaveLastOut(events, count: 0) }
        #expect(throws: RecommenderError.self) { try EvaluationSplit.randomHoldout(events, testFraction: 0, seed: 1) }
        #expect(throws: RecommenderError.self) { try EvaluationSplit.kFold(events, folds: 1, testFraction: 0.2, seed: 1) }
        #expect(throws: RecommenderError.self) { try EvaluationSplit.kFold(events, folds: 41, testFraction: 0.2, seed: 1) }
    }
}
