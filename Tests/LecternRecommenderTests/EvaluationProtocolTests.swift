import LecternCore
import Testing
@testable import LecternRecommender

@Suite("Evaluation protocol")
struct EvaluationProtocolTests {
    static func close(_ a: Double?, _ b: Double, _ tolerance: Double = 1e-6) -> Bool {
        guard let a else { return false }
        return abs(a - b) <= tolerance
    }

    /// Six courses: domains 0 0 1 1 2 1, creators 0 0 0 1 1 2, tags {1} {1,2} {2} {3} {} {3}.
    static let catalog = try! EvaluationCatalog(domains: [0, 0, 1, 1, 2, 1], creators: [0, 0, 0, 1, 1, 2],
                                                tags: [[1], [1, 2], [2], [3], [], [3]])

    /// Learner 0 bought course 0 and viewed 1; learner 1 bought 1 and enrolled in 2; learner 2
    /// viewed 3 and 2. Courses 4 and 5 are unknown to training.
    static let train = [
        MatrixEvent(user: 0, item: 0, kind: .purchase, time: 1),
        MatrixEvent(user: 0, item: 1, kind: .view, time: 2),
        MatrixEvent(user: 1, item: 1, kind: .purchase, time: 1),
        MatrixEvent(user: 1, item: 2, kind: .enroll, time: 3),
        MatrixEvent(user: 2, item: 3, kind: .view, time: 2),
        MatrixEvent(user: 2, item: 2, kind: .view, time: 2),
    ]

    static let test: [HeldOutPair] = [
        .init(user: 0, item: 2), .init(user: 0, item: 3), .init(user: 0, item: 2),  // kept (the repeat merges)
        .init(user: 1, item: 0),                                                     // kept
        .init(user: 1, item: 1),                                                     // already in training
        .init(user: 5, item: 0),                                                     // unknown learner
        .init(user: 2, item: 5), .init(user: 2, item: 4),                            // unknown courses
    ]

    @Test func dropsFollowTheProtocol() throws {
        let evaluator = try Evaluator(train: Self.train, test: Self.test, catalog: Self.catalog, cutoffs: [3, 2, 3])
        #expect(evaluator.drops == ProtocolDrops(unknownLearner: 1, unknownCourse: 2, alreadyInTrain: 1))
        #expect(evaluator.learners == [0, 1])
        #expect(evaluator.relevant == [[2, 3], [0]])
        #expect(evaluator.testPairCount == 3)
        #expect(evaluator.cutoffs == [2, 3])
        // Exclusions are every course touched in training; histories the matrix rows (purchase 5,
        // view 1, enroll 3).
        #expect(evaluator.exclusions == [[0, 1], [1, 2]])
        #expect(evaluator.histories.map { $0.map(\.item) } == [[0, 1], [1, 2]])
        #expect(evaluator.histories.map { $0.map(\.weight) } == [[5, 1], [5, 3]])
    }

    @Test func everyMetricOnAHandWorkedEvaluation() throws {
        let evaluator = try Evaluator(train: Self.train, test: Self.test, catalog: Self.catalog, cutoffs: [2, 3])
        var calls: [String] = []
        let report = evaluator.evaluate { user, history, exclude, k in
            calls.append("\(user)@\(k) excluding \(exclude.sorted()) from \(history.count)")
            // Excluded courses (0 for learner 0; 1 and 2 for learner 1), the repeat of 2 and course
            // 9 outside the catalog are dropped: learner 0 gets [2, 4, 3], learner 1 [3, 5].
            return user == 0 ? [0, 2, 2, 9, 4, 3] : [1, 3, 2, 5]
        }
        #expect(calls == ["0@2 excluding [0, 1] from 2", "1@2 excluding [1, 2] from 2",
                          "0@3 excluding [0, 1] from 2", "1@3 excluding [1, 2] from 2"])
        #expect(report.learnerCount == 2 && report.testPairCount == 3 && report.drops.total == 4)

        // K = 2. Learner 0: [2, 4] vs {2, 3}, 1 hit at place 1. Learner 1: [3, 5] vs {0}, none.
        let at2 = report.values[2]!
        #expect(Self.close(at2[.precision], 1.0 / 3))        // (1 + 0) / (min(2,2) + min(2,1))
        #expect(Self.close(at2[.precisionOverK], 0.25))      // (1/2 + 0) / 2
        #expect(Self.close(at2[.recall], 0.25))              // (1/2 + 0) / 2
        #expect(Self.close(at2[.ndcg], 0.306574))            // (1 / (1 + 1/log2 3) + 0) / 2 = 0.613147 / 2
        #expect(Self.close(at2[.map], 0.25))                 // ((1/1) / min(2, 2) + 0) / 2
        #expect(Self.close(at2[.mrr], 0.5))
        #expect(Self.close(at2[.hitRate], 0.5))
        // AUC, catalog 6. Learner 0: hit, miss (area 1); + (1 + 2)/2 x (4 - 1) = 5.5; / (2 x 4) = 0.6875.
        // Learner 1: two misses (area 0); + (0 + 1)/2 x (5 - 2) = 1.5; / (1 x 5) = 0.3. Mean 0.49375.
        #expect(Self.close(at2[.auc], 0.49375))
        // Courses 2, 4, 3, 5 of 6.
        #expect(Self.close(at2[.coverage], 4.0 / 6))
        // Training learners 3; touched by: course 2 two (share 2/3), 3 one (1/3), 4 and 5 none (1/3).
        // Learner 0: (-log2(2/3) - log2(1/3)) / 2 = (0.584963 + 1.584963) / 2 = 1.084963;
        // learner 1: 1.584963. Mean 1.334963.
        #expect(Self.close(at2[.novelty], 1.334963))
        // Domains: [2, 4] are 1 and 2 (different), [3, 5] both 1: (1 + 0) / 2.
        #expect(Self.close(at2[.domainDiversity], 0.5))
        // Tags: {2} vs {} distance 1; {3} vs {3} distance 0: mean 0.5.
        #expect(Self.close(at2[.tagDiversity], 0.5))
        // Creators of 2, 4, 3, 5: 0, 1, 1, 2 -> exposure [1, 2, 1]; sorted 1, 1, 2 with weights
        // -2, 0, 2: 2 / (3 x 4) = 1/6.
        #expect(Self.close(at2[.creatorGini], 1.0 / 6))

        // K = 3. Learner 0: [2, 4, 3], hits at places 1 and 3. Learner 1: [3, 5], none.
        #expect(Self.close(report[.precision, 3], 2.0 / 3))    // 2 / (min(3,2) + min(3,1))
        #expect(Self.close(report[.precisionOverK, 3], 1.0 / 3)) // (2/3 + 0) / 2
        #expect(Self.close(report[.map, 3], 0.416667))           // ((1/1 + 2/3) / min(3, 2) + 0) / 2
        #expect(report.named(at: 3).map(\.name) == Metric.allCases.map(\.name))
        #expect(report[.precision, 10] == nil)
    }

    /// Asked to, the report keeps exactly the lists it scored: cleaned of excluded courses, repeats
    /// and courses outside the catalog, cut at each K, parallel to the learners scored.
    @Test func theScoredListsAreKeptWhenAsked() throws {
        let evaluator = try Evaluator(train: Self.train, test: Self.test, catalog: Self.catalog, cutoffs: [2, 3])
        let recommend: Evaluator.Recommend = { user, _, _, _ in user == 0 ? [0, 2, 2, 9, 4, 3] : [1, 3, 2, 5] }
        let kept = evaluator.evaluate(recommend, keepingLists: true)
        #expect(kept.learners == [0, 1])
        #expect(kept.lists == [2: [[2, 4], [3, 5]], 3: [[2, 4, 3], [3, 5]]])
        // The figures are the same either way; by default nothing is kept.
        let plain = evaluator.evaluate(recommend)
        #expect(plain == kept)
        #expect(plain.lists.isEmpty && plain.learners.isEmpty)
    }

    @Test func decayStopsAtTheLastTrainingEvent() throws {
        // Half-life 1 day. Learner 0 bought course 0 a day before the last training event; held-out
        // events happen ten days later and must not age the history.
        let train = [
            MatrixEvent(user: 0, item: 0, kind: .purchase, time: 0),
            MatrixEvent(user: 1, item: 1, kind: .purchase, time: 86_400),
        ]
        var weights = InteractionWeights()
        weights.halfLifeDays = 1
        let evaluator = try Evaluator(train: train, test: [HeldOutPair(user: 0, item: 1)], catalog: Self.catalog, weights: weights)
        // 5 x 0.5^(1 day / 1 day) = 2.5.
        #expect(abs(evaluator.histories[0][0].weight - 2.5) < 1e-5)
    }

    @Test func refusesBadCutoffsAndEvents() {
        #expect(throws: RecommenderError.self) { try Evaluator(train: Self.train, test: Self.test, catalog: Self.catalog, cutoffs: []) }
        #expect(throws: RecommenderError.self) { try Evaluator(train: Self.train, test: Self.test, catalog: Self.catalog, cutoffs: [0]) }
        #expect(throws: RecommenderError.self) {
            try Evaluator(train: [MatrixEvent(user: 0, item: 6, kind: .view, time: 0)], test: [], catalog: Self.catalog)
        }
        #expect(throws: RecommenderError.self) { try EvaluationCatalog(domains: [0], creators: [0, 1], tags: [[]]) }
    }

    @Test func crossValidationMeanAndSampleDeviation() {
        func report(_ precision: Double) -> EvaluationReport {
            EvaluationReport(cutoffs: [10], values: [10: [.precision: precision]], learnerCount: 1, testPairCount: 1,
                             drops: ProtocolDrops())
        }
        let summary = CrossValidationReport(folds: [report(0.2), report(0.4), report(0.6)])
        // Mean 0.4; squares 0.04 + 0 + 0.04 over 3 - 1 folds: 0.04; deviation 0.2.
        #expect(Self.close(summary.mean[10]?[.precision], 0.4, 1e-12))
        #expect(Self.close(summary.standardDeviation[10]?[.precision], 0.2, 1e-12))
    }

    @Test func crossValidateScoresEachFoldOnItsOwnSplit() throws {
        let events = EvaluationFixtures.randomEvents(seed: 3)
        let catalog = try EvaluationCatalog(domains: (0..<30).map { Int32($0 % 4) }, creators: (0..<30).map { Int32($0 % 7) },
                                            tags: (0..<30).map { [Int32($0 % 5)] })
        let splits = try EvaluationSplit.kFold(events, folds: 3, testFraction: 0.3, seed: 9)
        let assignment = try EvaluationSplit.learnerFolds(events, folds: 3, seed: 9)
        // A fixed ranking of every course: the evaluator removes what each learner already has.
        let everything = (0..<30).map(Int32.init)
        var folds: [Int] = []
        let summary = try Evaluator.crossValidate(splits, catalog: catalog, cutoffs: [5, 10]) { fold, split in
            folds.append(fold)
            #expect(split == splits[fold])
            return { user, _, exclude, k in
                #expect(assignment[fold].contains(user))
                return everything.filter { !exclude.contains($0) }.prefix(k).map { $0 }
            }
        }
        #expect(folds == [0, 1, 2])
        #expect(summary.folds.count == 3)
        for (fold, split) in splits.enumerated() {
            let alone = try Evaluator(split: split, catalog: catalog, cutoffs: [5, 10])
            #expect(summary.folds[fold].learnerCount == alone.learners.count && alone.learners.count > 0)
        }
        let precisions = summary.folds.map { $0[.precision, 10]! }
        #expect(Self.close(summary.mean[10]?[.precision], precisions.reduce(0, +) / 3, 1e-12))
    }

    // MARK: Lectern's models

    /// Two groups of 10 learners: even learners take 4 of courses 0-4, odd ones 4 of courses 5-9,
    /// one a day in random order; leave-last-out holds out each learner's fourth.
    static func groups() -> (events: [MatrixEvent], facts: CatalogFacts, contents: [CourseContent]) {
        var generator = SeededGenerator(seed: 17)
        var events: [MatrixEvent] = []
        for user in Int32(0)..<20 {
            // A random order of the 5 group courses; the first 4 are taken.
            var courses = Array(0..<5)
            for place in 0..<4 { courses.swapAt(place, place + generator.nextIndex(below: 5 - place)) }
            courses.removeLast()
            for (day, course) in courses.enumerated() {
                events.append(MatrixEvent(user: user, item: Int32(course + (user % 2 == 0 ? 0 : 5)), kind: .purchase,
                                          time: Int64(day) * 86_400))
            }
        }
        let facts = CatalogFacts(creators: (0..<10).map { Int32($0 % 3) }, domains: (0..<10).map { Int32($0 / 5) },
                                 available: .init(repeating: true, count: 10), prerequisites: .init(repeating: [], count: 10))
        let contents = (0..<10).map { course in
            course < 5 ? CourseContent(title: "Python programming \(course)", tags: ["python"], domain: "code")
                : CourseContent(title: "Watercolor painting \(course)", tags: ["painting"], domain: "art")
        }
        return (events, facts, contents)
    }

    static let settings = EvaluationModelSettings(itemKNN: ItemKNNParameters(neighbors: 10, threads: 1),
                                                  als: ALSParameters(factors: 4, iterations: 3, threads: 1))

    @Test func modelsLearnFromTheTrainingPartOnly() throws {
        let (events, facts, contents) = Self.groups()
        // Course 9 only ever appears after the cut.
        let late = events.map { event -> MatrixEvent in
            var event = event
            if event.item == 9 { event.time = 100 * 86_400 }
            return event
        }
        let split = EvaluationSplit.temporal(late, cutoff: 50 * 86_400)
        let models = try EvaluationModels.train(events: split.train, facts: facts, domainNames: ["code", "art"],
                                                contents: contents, settings: Self.settings)
        #expect(models.now == 3 * 86_400)
        #expect(models.recommender.popularity!.scores[9] == 0)
        #expect(models.recommender.popularity!.scores[8] > 0)
        #expect(models.recommender.itemKNN!.neighbors(of: 9).isEmpty)
        #expect(Set(models.trainingTimes.keys) == Set(Algorithm.allCases))
    }

    @Test func compareAlgorithmsRanksEveryModelUnderTheProtocol() throws {
        let (events, facts, contents) = Self.groups()
        let split = try EvaluationSplit.leaveLastOut(events, count: 1)
        let tags: [[Int32]] = (0..<10).map { [Int32($0 / 5)] }
        let results = try Evaluator.compareAlgorithms(split: split, facts: facts, domainNames: ["code", "art"], tags: tags,
                                                      contents: contents, cutoffs: [2, 5], settings: Self.settings)
        #expect(results.map(\.algorithm) == Algorithm.allCases)
        for result in results {
            #expect(result.report.learnerCount == 20)
            #expect(result.report[.precision, 5]!.isFinite)
        }
        // Each learner has 3 group courses in training; item-kNN scores only the 2 other group
        // courses, one of which is the held-out one: every learner is hit within K = 2.
        let knn = results.first { $0.algorithm == .itemknn }!
        #expect(knn.report[.hitRate, 2] == 1)
        #expect(knn.report[.recall, 2] == 1)

        // Models never propose what the learner had in training.
        let models = try EvaluationModels.train(events: split.train, facts: facts, domainNames: ["code", "art"],
                                                contents: contents, settings: Self.settings)
        let evaluator = try Evaluator(split: split, catalog: EvaluationCatalog(domains: facts.domains, creators: facts.creators, tags: tags),
                                      cutoffs: [5])
        for algorithm in Algorithm.allCases {
            let recommend = models.recommend(algorithm)
            _ = evaluator.evaluate { user, history, exclude, k in
                let list = recommend(user, history, exclude, k)
                #expect(list.allSatisfy { !exclude.contains($0) }, "\(algorithm)")
                #expect(list.count <= k)
                return list
            }
        }
    }
}
