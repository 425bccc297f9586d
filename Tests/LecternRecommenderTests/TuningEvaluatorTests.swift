import LecternCore
@testable import LecternRecommender
import Testing

@Suite("Tuning evaluator")
struct TuningEvaluatorTests {
    /// 90 learners over 24 courses in 3 domains: each takes 3 to 8 courses, mostly within one
    /// domain, one a day; with `dismissals`, every seventh learner dismisses a course they never took.
    static func platform(dismissals: Bool) -> (split: EvaluationSplit, facts: CatalogFacts, contents: [CourseContent], tags: [[Int32]]) {
        var generator = SeededGenerator(seed: 29)
        var events: [MatrixEvent] = []
        for user in Int32(0)..<90 {
            let home = Int(user) % 3
            var taken = Set<Int>()
            for day in 0..<(3 + generator.nextIndex(below: 6)) {
                let domain = generator.nextIndex(below: 4) == 0 ? generator.nextIndex(below: 3) : home
                let course = domain * 8 + min(generator.nextIndex(below: 8), generator.nextIndex(below: 8))
                guard taken.insert(course).inserted else { continue }
                let kind: EventKind = [.view, .enroll, .purchase, .complete][generator.nextIndex(below: 4)]
                events.append(MatrixEvent(user: user, item: Int32(course), kind: kind, time: Int64(day) * 86_400 + Int64(user)))
            }
            if dismissals, user % 7 == 0, let other = (0..<24).first(where: { !taken.contains($0) }) {
                events.append(MatrixEvent(user: user, item: Int32(other), kind: .dismiss, time: Int64(user)))
            }
        }
        let facts = CatalogFacts(creators: (0..<24).map { Int32($0 % 5) }, domains: (0..<24).map { Int32($0 / 8) },
                                 available: .init(repeating: true, count: 24), prerequisites: .init(repeating: [], count: 24))
        let words = ["python programming", "watercolor painting", "french grammar"]
        let contents = (0..<24).map { CourseContent(title: "\(words[$0 / 8]) \($0)", tags: [words[$0 / 8]], domain: "d\($0 / 8)") }
        let tags = (0..<24).map { [Int32($0 / 8)] }
        return (try! EvaluationSplit.leaveLastOut(events, count: 1), facts, contents, tags)
    }

    /// One thread everywhere, so that a model trained twice is the same model.
    static let base: EvaluationModelSettings = {
        var settings = EvaluationModelSettings(itemKNN: ItemKNNParameters(neighbors: 10, threads: 1),
                                               als: ALSParameters(factors: 4, iterations: 3, threads: 1))
        settings.ease = EASEParameters(regularization: 50, neighbors: 10, threads: 1)
        settings.rp3beta = RP3betaParameters(neighbors: 10, threads: 1)
        settings.bpr = BPRParameters(factors: 4, iterations: 5)
        return settings
    }()

    /// Trials as tuning runs them: one algorithm's parameters changed at a time, the hybrid's weights
    /// last, so that models are both kept and replaced between trials.
    static var trials: [(Algorithm, EvaluationModelSettings)] {
        var trials: [(Algorithm, EvaluationModelSettings)] = []
        for neighbors in [3, 10] {
            var settings = base
            settings.itemKNN.neighbors = neighbors
            trials.append((.itemknn, settings))
        }
        for lambda in [5.0, 500] {
            var settings = base
            settings.ease.regularization = lambda
            trials.append((.ease, settings))
        }
        var als = base
        als.als.factors = 6
        trials.append((.als, als))
        var popular = base
        popular.popularityHalfLifeDays = 3
        trials.append((.popular, popular))
        trials.append((.content, base))
        for itemknn in [0.1, 0.7] {
            var settings = base
            settings.hybrid = HybridWeights(itemknn: itemknn, als: 0.2, content: 0.1, popular: 0.7 - itemknn)
            trials.append((.hybrid, settings))
        }
        trials.append((.rp3beta, base))
        trials.append((.bpr, base))
        return trials
    }

    @Test("each trial's report is compareAlgorithms' for the same settings, models kept or not", arguments: [false, true])
    func trialsScoreAsCompareAlgorithms(dismissals: Bool) throws {
        let (split, facts, contents, tags) = Self.platform(dismissals: dismissals)
        let tuning = try TuningEvaluator(split: split, facts: facts, domainNames: ["d0", "d1", "d2"], tags: tags,
                                         contents: contents, cutoffs: [5])
        for (algorithm, settings) in Self.trials {
            let trial = try tuning.evaluate(algorithm, settings: settings)
            let fresh = try Evaluator.compareAlgorithms([algorithm], split: split, facts: facts, domainNames: ["d0", "d1", "d2"],
                                                        tags: tags, contents: contents, cutoffs: [5], settings: settings)[0]
            #expect(trial.report.learnerCount > 20, "\(algorithm)")
            #expect(trial.report == fresh.report, "\(algorithm)")
        }
    }

    @Test("trials trained side by side score as one after the other")
    func sideBySideAsOneAfterAnother() throws {
        let (split, facts, contents, tags) = Self.platform(dismissals: true)
        let settings = [4, 8, 16].map { factors in
            var settings = Self.base
            settings.bpr = BPRParameters(factors: factors, learningRate: 0.05, iterations: 10, seed: UInt64(factors))
            return settings
        }
        func evaluator() throws -> TuningEvaluator {
            try TuningEvaluator(split: split, facts: facts, domainNames: ["d0", "d1", "d2"], tags: tags, contents: contents, cutoffs: [5])
        }
        let together = try evaluator().evaluate(.bpr, settings: settings)
        let sequential = try evaluator()
        let apart = try settings.map { try sequential.evaluate(.bpr, settings: $0) }
        #expect(together.map(\.report) == apart.map(\.report))
        // Different models: the comparison can fail.
        #expect(Set(together.map { $0.report[.ndcg, 5]! }).count > 1)
    }

    @Test("a list's own model is trained, item-kNN too when a learner rejected a course, the hybrid's parts for the hybrid")
    func onlyTheModelsAListReads() throws {
        let quiet = Self.platform(dismissals: false)
        let ease = try EvaluationModels.train(events: quiet.split.train, facts: quiet.facts, domainNames: ["d0", "d1", "d2"],
                                              contents: quiet.contents, settings: Self.base, algorithms: [.ease])
        #expect(ease.recommender.ease != nil)
        #expect(ease.recommender.itemKNN == nil && ease.recommender.factorModel == nil)
        #expect(ease.recommender.popularity == nil && ease.recommender.content == nil && ease.recommender.crossover == nil)
        #expect(Set(ease.trainingTimes.keys) == [.ease])

        // "Less like this" moves down a dismissed course's item-kNN neighbours, whatever the list.
        let dismissing = Self.platform(dismissals: true)
        let withRejections = try EvaluationModels.train(events: dismissing.split.train, facts: dismissing.facts,
                                                        domainNames: ["d0", "d1", "d2"], contents: dismissing.contents,
                                                        settings: Self.base, algorithms: [.ease])
        #expect(withRejections.rejections.count > 0)
        #expect(withRejections.recommender.itemKNN != nil && withRejections.recommender.factorModel == nil)

        let hybrid = try EvaluationModels.train(events: quiet.split.train, facts: quiet.facts, domainNames: ["d0", "d1", "d2"],
                                                contents: quiet.contents, settings: Self.base, algorithms: [.hybrid])
        #expect(hybrid.recommender.itemKNN != nil && hybrid.recommender.factorModel != nil)
        #expect(hybrid.recommender.popularity != nil && hybrid.recommender.content != nil && hybrid.recommender.crossover != nil)
        #expect(hybrid.recommender.ease == nil && hybrid.recommender.bpr == nil)
    }

    @Test("a model whose settings a trial leaves as they were is kept; a changed one is trained again")
    func keptWhenUnchanged() throws {
        let (split, facts, contents, _) = Self.platform(dismissals: true)
        let first = try EvaluationModels.train(events: split.train, users: nil, facts: facts, domainNames: ["d0", "d1", "d2"],
                                               contents: contents, settings: Self.base, now: nil, algorithms: [.hybrid], reusing: nil)
        var weights = Self.base
        weights.hybrid = HybridWeights(itemknn: 0.9, als: 0, content: 0, popular: 0.1)
        let same = try EvaluationModels.train(events: split.train, users: nil, facts: facts, domainNames: ["d0", "d1", "d2"],
                                              contents: contents, settings: weights, now: nil, algorithms: [.hybrid], reusing: first)
        #expect(same.recommender.factorModel == first.recommender.factorModel)
        #expect(same.trainingTimes[.als] == first.trainingTimes[.als])
        var other = weights
        other.als.factors = 5
        let changed = try EvaluationModels.train(events: split.train, users: nil, facts: facts, domainNames: ["d0", "d1", "d2"],
                                                 contents: contents, settings: other, now: nil, algorithms: [.hybrid], reusing: same)
        #expect(changed.recommender.factorModel?.factorCount == 5)
        #expect(changed.recommender.itemKNN == first.recommender.itemKNN)
    }
}
