import LecternCore
import LecternRecommender
import LecternStore

/// A variant's figures with confidence intervals and the test against the first variant.
public struct VariantReport: Sendable {
    public var outcome: VariantOutcome
    public var clickThrough: (rate: Double, low: Double, high: Double)
    public var conversion: (rate: Double, low: Double, high: Double)
    /// Impressions followed within the window by a dismissal of the same course by the same learner,
    /// over impressions, with the same 95% interval as conversion; nil when nothing was shown.
    public var dismissal: (rate: Double, low: Double, high: Double)?
    /// Revenue per exposed learner in each currency the variant's purchases were in, rounded to the
    /// nearest minor unit (half away from zero), in currency order.
    public var revenuePerLearner: [Money.Amount]
    /// Conversion compared with the first variant (nil for the first itself).
    public var test: (z: Double, p: Double)?
}

/// Online experiments: assignment, serving and reports.
public struct ExperimentService {
    let db: Database
    /// Passed on to the recommendation service (see `FoldInCache`).
    let foldInCache: FoldInCache?

    public init(_ db: Database, foldInCache: FoldInCache? = nil) {
        self.db = db
        self.foldInCache = foldInCache
    }

    /// Creates a running experiment from `name=algorithm` variants and their traffic shares.
    @discardableResult
    public func create(name: String, variants: [(name: String, algorithm: Algorithm)], traffic: [Int], windowDays: Double,
                       segment: String? = nil) throws -> Experiment {
        guard variants.count == traffic.count else {
            throw StoreError(.invalidInput, "give one traffic share per variant (\(variants.count) variants, \(traffic.count) shares)")
        }
        if let running = try ExperimentStore(db).running() {
            throw StoreError(.conflict, "experiment '\(running.name)' is still running: stop it first")
        }
        return try ExperimentStore(db).create(name: name, variants: zip(variants, traffic).map { ($0.name, $0.algorithm, $1) },
                                              windowDays: windowDays, segment: segment)
    }

    /// A learner's list: from `algorithm` when given; else, while an experiment runs, from the
    /// learner's variant (logging what was shown); else from the hybrid.
    public func serve(userExternalID: String, algorithm: Algorithm?, limit: Int) throws -> (list: RecommendationList, variant: String?) {
        try RecommendationService.checkLimit(limit)
        return try serve(algorithm: algorithm, limit: limit, experiment: algorithm == nil ? ExperimentStore(db).running() : nil) {
            try LearnerRepository(db).resolve(userExternalID)
        }
    }

    /// `serve(userExternalID:...)` for a learner the caller has already resolved (the API, which
    /// checks the learner against the key's organisation first), without reading the learner again.
    /// - Parameter readOnly: the caller reads a snapshot that cannot log impressions: nil is
    ///   returned, before anything is served, when an experiment runs and the list would need them.
    public func serve(learner: Learner, algorithm: Algorithm?, limit: Int, readOnly: Bool = false) throws
        -> (list: RecommendationList, variant: String?)? {
        try RecommendationService.checkLimit(limit)
        let experiment = algorithm == nil ? try ExperimentStore(db).running() : nil
        if experiment != nil && readOnly { return nil }
        return try serve(algorithm: algorithm, limit: limit, experiment: experiment) { learner }
    }

    /// - Parameter experiment: the experiment running, read when no algorithm is asked for.
    private func serve(algorithm: Algorithm?, limit: Int, experiment: Experiment?, learner resolve: () throws -> Learner) throws
        -> (list: RecommendationList, variant: String?) {
        // One recommender for every path, so each passes the fold-in cache.
        let recommender = RecommendationService(db, foldInCache: foldInCache)
        if let algorithm {
            return (try recommender.recommend(learner: resolve(), algorithm: algorithm, limit: limit), nil)
        }
        // What `tune --all` chose on validation, else the hybrid.
        let served = try SettingsStore(db).servedAlgorithm() ?? .hybrid
        guard let experiment else {
            return (try recommender.recommend(learner: resolve(), algorithm: served, limit: limit), nil)
        }
        let learner = try resolve()
        guard try ExperimentStore(db).includes(experiment, userID: learner.id) else {
            return (try recommender.recommend(learner: learner, algorithm: served, limit: limit), nil)
        }
        let index = ExperimentStatistics.variant(experiment: experiment.name, learner: learner.externalID,
                                                 traffic: experiment.variants.map(\.traffic))
        let variant = experiment.variants[index]
        let list = try recommender.recommend(learner: learner, algorithm: variant.algorithm, limit: limit)
        try ExperimentStore(db).logImpressions(experimentID: experiment.id, variant: variant.name, userID: list.learner.id,
                                               courseIDs: list.items.map(\.courseID), runID: list.run.id, at: currentUnixTime())
        return (list, variant.name)
    }

    /// Impressions, click-through, conversion, dismiss rate and revenue per learner for every variant,
    /// with 95% confidence intervals and a two-proportion z-test of each variant's conversion against
    /// the first.
    public func report(name: String) throws -> (experiment: Experiment, variants: [VariantReport]) {
        guard let experiment = try ExperimentStore(db).find(name: name) else { throw StoreError(.notFound, "no experiment '\(name)'") }
        let outcomes = try ExperimentStore(db).outcomes(of: experiment)
        let first = outcomes.first
        let reports = outcomes.enumerated().map { index, outcome in
            VariantReport(outcome: outcome,
                          clickThrough: ExperimentStatistics.proportion(outcome.clicks, of: outcome.impressions),
                          conversion: ExperimentStatistics.proportion(outcome.converters, of: outcome.learners),
                          dismissal: outcome.impressions > 0
                              ? ExperimentStatistics.proportion(outcome.dismissals, of: outcome.impressions) : nil,
                          revenuePerLearner: outcome.revenue.map { amount in
                              Money.Amount(currency: amount.currency, minor: Money.divide(amount.minor, by: Int64(outcome.learners)))
                          },
                          test: index == 0 || first == nil ? nil : ExperimentStatistics.twoProportionZTest(
                              successesA: first!.converters, trialsA: first!.learners,
                              successesB: outcome.converters, trialsB: outcome.learners))
        }
        return (experiment, reports)
    }
}
