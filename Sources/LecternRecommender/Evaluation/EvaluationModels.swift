import LecternCore

/// How `EvaluationModels` trains Lectern's models.
public struct EvaluationModelSettings: Sendable, Equatable {
    /// How events become the interaction matrix (item-kNN and ALS) and popularity.
    public var weights: InteractionWeights
    public var itemKNN: ItemKNNParameters
    public var als: ALSParameters
    public var popularityHalfLifeDays: Double
    public var hybrid: HybridWeights
    /// Applied to every algorithm's list, as in production.
    public var rules: RankingRules
    /// Content neighbours per course, as training keeps them.
    public var contentNeighbors = 50
    public var ease = EASEParameters()
    public var rp3beta = RP3betaParameters()
    public var bpr = BPRParameters()

    /// The recency half-lives of the neighbour models that have one, for `HybridRecommender`.
    public var recencyHalfLives: [Algorithm: Double] {
        var halfLives: [Algorithm: Double] = [:]
        halfLives[.itemknn] = itemKNN.recencyHalfLife
        halfLives[.ease] = ease.recencyHalfLife
        halfLives[.rp3beta] = rp3beta.recencyHalfLife
        return halfLives
    }

    public init(weights: InteractionWeights = InteractionWeights(), itemKNN: ItemKNNParameters = ItemKNNParameters(),
                als: ALSParameters = ALSParameters(), popularityHalfLifeDays: Double = 30,
                hybrid: HybridWeights = HybridWeights(), rules: RankingRules = RankingRules()) {
        self.weights = weights
        self.itemKNN = itemKNN
        self.als = als
        self.popularityHalfLifeDays = popularityHalfLifeDays
        self.hybrid = hybrid
        self.rules = rules
    }
}

/// Lectern's models trained on a split's training events only, with how long each took to train.
///
/// Item-kNN and ALS learn from the interaction matrix of the training events, popularity from the
/// training events decayed to `now` (by default the last training event's time, so no held-out
/// event can shape it), and the content model from course descriptions alone (no interactions).
/// The hybrid blends them and its cross-domain slot uses domain crossover from the same matrix.
public struct EvaluationModels: Sendable {
    public let recommender: HybridRecommender
    /// Training time of each algorithm; the hybrid's is the sum of its parts plus the crossover.
    /// Building the interaction matrix is timed apart, in `matrixTime`.
    public let trainingTimes: [Algorithm: Duration]
    public let matrixTime: Duration
    /// The time popularity and the matrix decay to.
    public let now: Int64
    /// What learners dismissed or rated low in the training events: kept out of, or moved down,
    /// their lists as in production.
    public var rejections = Rejections(users: 0)
    /// Each learner's training courses, newest first, when a model weighs histories by recency
    /// (`HistoryRecency`); empty otherwise.
    public var newestFirst: [[Int32]] = []

    /// Trains every model on `events` (the training part of a split).
    ///
    /// - Parameters:
    ///   - users: learners (matrix rows); default one more than the highest learner in `events`.
    ///   - facts: creators, domains, availability and prerequisites of every course.
    ///   - domainNames: domain names by index (for declared interests).
    ///   - contents: what each course says about itself; nil leaves the content model out.
    ///   - now: the time popularity decays to; default the last event's time.
    ///   - algorithms: EASE, RP3beta and BPR are trained only when listed here; the other models always.
    /// - Throws: `RecommenderError` or `FactorModelError` for settings a model refuses, or events
    ///   outside the matrix.
    public static func train(events: [MatrixEvent], users: Int? = nil, facts: CatalogFacts, domainNames: [String],
                             contents: [CourseContent]? = nil, settings: EvaluationModelSettings = EvaluationModelSettings(),
                             now: Int64? = nil, algorithms: [Algorithm] = Algorithm.allCases) throws -> EvaluationModels {
        let clock = ContinuousClock()
        let now = now ?? events.map(\.time).max() ?? 0
        let users = users ?? Int(events.map(\.user).max() ?? -1) + 1
        let items = facts.count
        if let contents, contents.count != items {
            throw RecommenderError("content is needed for every course: \(items) courses, \(contents.count) descriptions")
        }
        var times: [Algorithm: Duration] = [:]

        var start = clock.now
        let rejections = Rejections(events: events, users: users)
        let matrix = try settings.weights.matrix(users: users, items: items, events: events, now: now, rejections: rejections)
        let matrixTime = clock.now - start

        start = clock.now
        let itemKNN = try ItemKNN.train(userItems: matrix, parameters: settings.itemKNN)
        times[.itemknn] = clock.now - start

        start = clock.now
        let factors = try ALS.train(userItems: matrix, parameters: settings.als)
        times[.als] = clock.now - start

        start = clock.now
        let popularity = try PopularityModel(events: events, items: items, domains: facts.domains, weights: settings.weights,
                                             halfLifeDays: settings.popularityHalfLifeDays, now: now)
        times[.popular] = clock.now - start

        start = clock.now
        let content = contents.map { ContentModel(courses: $0) }
        let contentNeighbors = content?.neighbors(count: settings.contentNeighbors)
        times[.content] = clock.now - start

        start = clock.now
        let domainCount = max(domainNames.count, Int(facts.domains.max() ?? -1) + 1)
        let crossover = Blend.domainCrossover(userItems: matrix, domains: facts.domains, domainCount: domainCount)
        times[.hybrid] = (clock.now - start) + times[.itemknn]! + times[.als]! + times[.popular]! + times[.content]!

        var recommender = HybridRecommender(facts: facts, domainNames: domainNames, itemKNN: itemKNN, factorModel: factors,
                                            popularity: popularity, content: content, weights: settings.hybrid,
                                            rules: settings.rules, crossover: crossover)
        recommender.contentNeighbors = contentNeighbors
        if algorithms.contains(.ease) {
            start = clock.now
            recommender.ease = try EASE.train(userItems: matrix, parameters: settings.ease)
            times[.ease] = clock.now - start
        }
        if algorithms.contains(.rp3beta) {
            start = clock.now
            recommender.rp3beta = try RP3beta.train(userItems: matrix, parameters: settings.rp3beta)
            times[.rp3beta] = clock.now - start
        }
        if algorithms.contains(.bpr) {
            start = clock.now
            recommender.bpr = try BPR.train(userItems: matrix, parameters: settings.bpr)
            times[.bpr] = clock.now - start
        }
        recommender.recencyHalfLives = settings.recencyHalfLives
        var models = EvaluationModels(recommender: recommender, trainingTimes: times, matrixTime: matrixTime, now: now)
        models.rejections = rejections
        if !recommender.recencyHalfLives.isEmpty { models.newestFirst = HistoryRecency.newestFirst(events: events, users: users) }
        return models
    }

    /// A recommender for the `Evaluator` that answers with `algorithm`.
    ///
    /// The learner's trained ALS vector is used when the model has one; their declared interests
    /// come from `interests` (for popularity boosts and the content profile); the domains they
    /// touched are those of the excluded (touched in training) courses.
    public func recommend(_ algorithm: Algorithm, interests: [Int32: [String]] = [:]) -> Evaluator.Recommend {
        let recommender = self.recommender
        let rejections = self.rejections
        let newestFirst = self.newestFirst
        let scratch = ScoringScratchPool(items: recommender.facts.count, terms: recommender.content?.vocabulary.count ?? 0)
        return { user, history, exclude, k in
            var touched = Set<Int32>()
            for item in exclude where Int(item) < recommender.facts.count { touched.insert(recommender.facts.domains[Int(item)]) }
            var factors: [Float]?
            // The learner's trained vector of the factor model asked for (BPR's or ALS's).
            if let model = algorithm == .bpr ? recommender.bpr : recommender.factorModel, user >= 0, Int(user) < model.userCount {
                factors = Array(model.userVector(Int(user)))
            }
            let rejected = user >= 0 && Int(user) < rejections.byUser.count ? rejections.byUser[Int(user)] : []
            let state = LearnerState(owned: exclude, touchedDomains: touched,
                                     dismissed: rejected.isEmpty ? [] : rejections.dismissed(user: Int(user)))
            var learner = LearnerProfile(history: history, bought: [], state: state, interests: interests[user] ?? [],
                                         factors: factors, rejected: rejected.map(\.item))
            if user >= 0, Int(user) < newestFirst.count {
                learner.ages = HistoryRecency.ages(of: history, newestFirst: newestFirst[Int(user)])
            }
            return scratch.withScratch { recommender.recommend(learner, algorithm: algorithm, count: k, scratch: $0).map(\.item) }
        }
    }
}

/// One algorithm's evaluation on one split.
public struct AlgorithmEvaluation: Sendable {
    public var algorithm: Algorithm
    public var trainingTime: Duration
    public var report: EvaluationReport
}

/// One algorithm's k-fold cross-validation.
public struct AlgorithmCrossValidation: Sendable {
    public var algorithm: Algorithm
    /// Training time on each fold.
    public var trainingTimes: [Duration]
    public var report: CrossValidationReport
}

extension Evaluator {
    /// Trains Lectern's models on `split.train` only and evaluates each of `algorithms` on it.
    ///
    /// The catalog for the list metrics is `facts`' domains and creators with `tags`. With
    /// `keepingLists` each report keeps the lists it scored.
    /// - Throws: what `EvaluationModels.train` or `Evaluator.init` throws.
    public static func compareAlgorithms(_ algorithms: [Algorithm] = Algorithm.allCases, split: EvaluationSplit,
                                         facts: CatalogFacts, domainNames: [String], tags: [[Int32]],
                                         contents: [CourseContent]? = nil, cutoffs: [Int] = [10],
                                         settings: EvaluationModelSettings = EvaluationModelSettings(),
                                         interests: [Int32: [String]] = [:], keepingLists: Bool = false) throws -> [AlgorithmEvaluation] {
        let catalog = try EvaluationCatalog(domains: facts.domains, creators: facts.creators, tags: tags)
        let evaluator = try Evaluator(split: split, catalog: catalog, cutoffs: cutoffs, weights: settings.weights)
        let users = Int((split.train + split.heldOut).map(\.user).max() ?? -1) + 1
        let models = try EvaluationModels.train(events: split.train, users: users, facts: facts, domainNames: domainNames,
                                                contents: contents, settings: settings, algorithms: algorithms)
        return algorithms.map { algorithm in
            AlgorithmEvaluation(algorithm: algorithm, trainingTime: models.trainingTimes[algorithm] ?? .zero,
                                report: evaluator.evaluate(models.recommend(algorithm, interests: interests),
                                                           threads: activeProcessorCount(), keepingLists: keepingLists))
        }
    }

    /// `compareAlgorithms` on every split of a k-fold cross-validation (models retrained per fold),
    /// with each algorithm's per-fold mean and standard deviation.
    public static func crossValidateAlgorithms(_ algorithms: [Algorithm] = Algorithm.allCases, splits: [EvaluationSplit],
                                               facts: CatalogFacts, domainNames: [String], tags: [[Int32]],
                                               contents: [CourseContent]? = nil, cutoffs: [Int] = [10],
                                               settings: EvaluationModelSettings = EvaluationModelSettings(),
                                               interests: [Int32: [String]] = [:]) throws -> [AlgorithmCrossValidation] {
        var perFold: [[AlgorithmEvaluation]] = []
        for split in splits {
            perFold.append(try compareAlgorithms(algorithms, split: split, facts: facts, domainNames: domainNames, tags: tags,
                                                 contents: contents, cutoffs: cutoffs, settings: settings, interests: interests))
        }
        return algorithms.indices.map { index in
            AlgorithmCrossValidation(algorithm: algorithms[index], trainingTimes: perFold.map { $0[index].trainingTime },
                                     report: CrossValidationReport(folds: perFold.map { $0[index].report }))
        }
    }
}
