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

    /// The settings the models were trained with, and the interaction matrix they learned from:
    /// what `train(reusing:)` compares to keep a model a new trial leaves as it was.
    var settings = EvaluationModelSettings()
    var matrix: SparseMatrix?

    /// Trains the models that `algorithms`' lists read on `events` (the training part of a split).
    ///
    /// A list reads its own model; the hybrid's reads item-kNN, ALS, popularity, content and the
    /// domain crossover. Item-kNN is trained for every list when a learner dismissed or rated low a
    /// course in training, since its neighbours are what "less like this" moves down
    /// (`HybridRecommender.rankingState`). Models no list reads are left out (nil), and have no
    /// training time.
    ///
    /// - Parameters:
    ///   - users: learners (matrix rows); default one more than the highest learner in `events`.
    ///   - facts: creators, domains, availability and prerequisites of every course.
    ///   - domainNames: domain names by index (for declared interests).
    ///   - contents: what each course says about itself; nil leaves the content model out.
    ///   - now: the time popularity decays to; default the last event's time.
    ///   - algorithms: the lists to be asked for.
    /// - Throws: `RecommenderError` or `FactorModelError` for settings a model refuses, or events
    ///   outside the matrix.
    public static func train(events: [MatrixEvent], users: Int? = nil, facts: CatalogFacts, domainNames: [String],
                             contents: [CourseContent]? = nil, settings: EvaluationModelSettings = EvaluationModelSettings(),
                             now: Int64? = nil, algorithms: [Algorithm] = Algorithm.allCases) throws -> EvaluationModels {
        try train(events: events, users: users, facts: facts, domainNames: domainNames, contents: contents, settings: settings,
                  now: now, algorithms: algorithms, reusing: nil)
    }

    /// `train`, keeping from `previous` every model whose settings are unchanged (and the matrix,
    /// when the event weights are): what tuning does between trials, where each trial changes one
    /// algorithm's parameters. A kept model keeps its training time.
    ///
    /// `previous` must have been trained on the same `events`, `users`, `facts`, `contents` and
    /// `now`; `TuningEvaluator` is the caller that ensures it.
    static func train(events: [MatrixEvent], users: Int?, facts: CatalogFacts, domainNames: [String],
                      contents: [CourseContent]?, settings: EvaluationModelSettings, now: Int64?,
                      algorithms: [Algorithm], reusing previous: EvaluationModels?) throws -> EvaluationModels {
        let now = now ?? events.map(\.time).max() ?? 0
        let users = users ?? Int(events.map(\.user).max() ?? -1) + 1
        let items = facts.count
        if let contents, contents.count != items {
            throw RecommenderError("content is needed for every course: \(items) courses, \(contents.count) descriptions")
        }
        // The previous models count only when they learned from the same matrix.
        var keeper = ModelKeeper(kept: previous.flatMap { $0.settings.weights == settings.weights && $0.matrix != nil ? $0 : nil })
        let start = keeper.clock.now
        let rejections = keeper.kept?.rejections ?? Rejections(events: events, users: users)
        let matrix = try keeper.kept?.matrix ?? settings.weights.matrix(users: users, items: items, events: events, now: now,
                                                                        rejections: rejections)
        let matrixTime = keeper.kept?.matrixTime ?? keeper.clock.now - start

        var recommender = HybridRecommender(facts: facts, domainNames: domainNames, weights: settings.hybrid, rules: settings.rules)
        let wanted = Set(algorithms)
        try trainBlendParts(&recommender, &keeper, wanted: wanted, events: events, matrix: matrix, rejections: rejections,
                            contents: contents, settings: settings, now: now)
        try trainItemModels(&recommender, &keeper, wanted: wanted, matrix: matrix, settings: settings)
        recommender.recencyHalfLives = settings.recencyHalfLives
        var models = EvaluationModels(recommender: recommender, trainingTimes: keeper.times, matrixTime: matrixTime, now: now)
        models.rejections = rejections
        models.settings = settings
        models.matrix = matrix
        if !recommender.recencyHalfLives.isEmpty {
            models.newestFirst = keeper.kept.map(\.newestFirst).flatMap { $0.isEmpty ? nil : $0 }
                ?? HistoryRecency.newestFirst(events: events, users: users)
        }
        return models
    }

    /// Trains a model, or keeps the previous models' one when its settings are unchanged, and times each.
    struct ModelKeeper {
        let kept: EvaluationModels?
        let clock = ContinuousClock()
        var times: [Algorithm: Duration] = [:]

        /// `kept`'s model when `same` says its settings are unchanged, else `make()`, timed as `algorithm`.
        mutating func model<Model>(_ algorithm: Algorithm, _ old: (HybridRecommender) -> Model?,
                                   same: (EvaluationModelSettings) -> Bool, _ make: () throws -> Model) rethrows -> Model {
            if let kept, same(kept.settings), let model = old(kept.recommender) {
                times[algorithm] = kept.trainingTimes[algorithm]
                return model
            }
            let start = clock.now
            let model = try make()
            times[algorithm] = clock.now - start
            return model
        }
    }

    /// The hybrid's parts that `wanted` lists read: item-kNN (also for "less like this" whenever a
    /// learner rejected a course), ALS, popularity, content, and the hybrid's domain crossover.
    private static func trainBlendParts(_ recommender: inout HybridRecommender, _ keeper: inout ModelKeeper, wanted: Set<Algorithm>,
                                        events: [MatrixEvent], matrix: SparseMatrix, rejections: Rejections,
                                        contents: [CourseContent]?, settings: EvaluationModelSettings, now: Int64) throws {
        let hybrid = wanted.contains(.hybrid)
        let facts = recommender.facts
        if hybrid || wanted.contains(.itemknn) || rejections.count > 0 {
            recommender.itemKNN = try keeper.model(.itemknn, \.itemKNN, same: { $0.itemKNN == settings.itemKNN }) {
                try ItemKNN.train(userItems: matrix, parameters: settings.itemKNN)
            }
        }
        if hybrid || wanted.contains(.als) {
            recommender.factorModel = try keeper.model(.als, \.factorModel, same: { $0.als == settings.als }) {
                try ALS.train(userItems: matrix, parameters: settings.als)
            }
        }
        if hybrid || wanted.contains(.popular) {
            recommender.popularity = try keeper.model(.popular, \.popularity,
                                                      same: { $0.popularityHalfLifeDays == settings.popularityHalfLifeDays }) {
                try PopularityModel(events: events, items: facts.count, domains: facts.domains, weights: settings.weights,
                                    halfLifeDays: settings.popularityHalfLifeDays, now: now)
            }
        }
        if let contents, hybrid || wanted.contains(.content) {
            let content = keeper.model(.content, { recommender in recommender.content.map { ($0, recommender.contentNeighbors) } },
                                       same: { $0.contentNeighbors == settings.contentNeighbors }) {
                let content = ContentModel(courses: contents)
                return (content, Optional(content.neighbors(count: settings.contentNeighbors)))
            }
            recommender.content = content.0
            recommender.contentNeighbors = content.1
        }
        if hybrid {
            let domainCount = max(recommender.domainNames.count, Int(facts.domains.max() ?? -1) + 1)
            recommender.crossover = keeper.model(.hybrid, \.crossover, same: { _ in true }) {
                Blend.domainCrossover(userItems: matrix, domains: facts.domains, domainCount: domainCount)
            }
            // The hybrid's time is its crossover plus its parts'.
            keeper.times[.hybrid]! += [Algorithm.itemknn, .als, .popular, .content].reduce(.zero) { $0 + (keeper.times[$1] ?? .zero) }
        }
    }

    /// EASE, RP3beta and BPR, each only when `wanted` lists it.
    private static func trainItemModels(_ recommender: inout HybridRecommender, _ keeper: inout ModelKeeper, wanted: Set<Algorithm>,
                                        matrix: SparseMatrix, settings: EvaluationModelSettings) throws {
        if wanted.contains(.ease) {
            recommender.ease = try keeper.model(.ease, \.ease, same: { $0.ease == settings.ease }) {
                try EASE.train(userItems: matrix, parameters: settings.ease)
            }
        }
        if wanted.contains(.rp3beta) {
            recommender.rp3beta = try keeper.model(.rp3beta, \.rp3beta, same: { $0.rp3beta == settings.rp3beta }) {
                try RP3beta.train(userItems: matrix, parameters: settings.rp3beta)
            }
        }
        if wanted.contains(.bpr) {
            recommender.bpr = try keeper.model(.bpr, \.bpr, same: { $0.bpr == settings.bpr }) {
                try BPR.train(userItems: matrix, parameters: settings.bpr)
            }
        }
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
    /// Each scored learner's value of the metric a `TuningEvaluator` pairs on (parallel to the
    /// evaluator's learners); nil otherwise, or for a metric with no value per learner.
    public var perLearner: [Double]?
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
