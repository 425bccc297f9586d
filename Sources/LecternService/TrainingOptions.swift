import LecternCore
import LecternRecommender

/// Everything `lectern train` can be told.
public struct TrainingOptions: Sendable {
    public var weights = InteractionWeights()
    public var itemKNN = ItemKNNParameters()
    public var als = ALSParameters()
    public var ease = EASEParameters()
    public var rp3beta = RP3betaParameters()
    public var bpr = BPRParameters()
    /// Half-life of popularity, in days.
    public var popularityHalfLifeDays = 30.0
    public var hybrid = HybridWeights()
    public var rules = RankingRules()
    /// Courses cached per learner.
    public var listLength = 20
    /// Content neighbours kept per course: cached, and what content scores learners from.
    public var contentNeighbors = 50
    /// Cache lists only for learners with an event in this many seconds before the newest event;
    /// nil caches everyone's. The others are folded in when first asked for.
    public var activeWithinSeconds: Int64?

    public init() {}

    public func validate() throws {
        try weights.validate()
        try itemKNN.validate()
        try als.validate()
        try ease.validate()
        try rp3beta.validate()
        try bpr.validate()
        try hybrid.validate()
        try rules.validate()
        guard popularityHalfLifeDays > 0 else { throw RecommenderError("the popularity half-life must be positive") }
        guard (1...1000).contains(listLength) else { throw RecommenderError("the list length must be 1 to 1000, got \(listLength)") }
        guard contentNeighbors >= 1 else { throw RecommenderError("content neighbours must be at least 1") }
        if let activeWithinSeconds, activeWithinSeconds < 0 {
            throw RecommenderError("--active-within cannot be negative")
        }
    }

    /// The parameters of one algorithm as a JSON object, for `model_runs.parameters`.
    public func json(for algorithm: Algorithm) -> String {
        var fields: [(String, String)] = [("list_length", "\(listLength)")]
        let w = weights
        let weightsJSON = "{\"view\":\(w.view),\"wishlist\":\(w.wishlist),\"enroll\":\(w.enroll),\"purchase\":\(w.purchase),"
            + "\"complete\":\(w.complete),\"rate\":\(w.rate),\"half_life_days\":\(w.halfLifeDays.map { "\($0)" } ?? "null")}"
        switch algorithm {
        case .itemknn:
            fields.append(("neighbors", "\(itemKNN.neighbors)"))
            fields.append(("weighting", "\"\(itemKNN.weighting.name)\""))
            if case .bm25(let k1, let b) = itemKNN.weighting {
                fields.append(("k1", "\(k1)"))
                fields.append(("b", "\(b)"))
            }
            fields.append(("shrinkage", "\(itemKNN.shrinkage)"))
            fields.append(("recency_half_life", Self.json(itemKNN.recencyHalfLife)))
            fields.append(("weights", weightsJSON))
        case .als:
            fields.append(("factors", "\(als.factors)"))
            fields.append(("regularization", "\(als.regularization)"))
            fields.append(("alpha", "\(als.alpha)"))
            fields.append(("iterations", "\(als.iterations)"))
            fields.append(("seed", "\(als.seed)"))
            fields.append(("weights", weightsJSON))
        case .ease:
            fields.append(("lambda", "\(ease.regularization)"))
            fields.append(("neighbors", "\(ease.neighbors)"))
            fields.append(("recency_half_life", Self.json(ease.recencyHalfLife)))
            fields.append(("weights", weightsJSON))
        case .rp3beta:
            fields.append(("alpha", "\(rp3beta.alpha)"))
            fields.append(("beta", "\(rp3beta.beta)"))
            fields.append(("neighbors", "\(rp3beta.neighbors)"))
            fields.append(("recency_half_life", Self.json(rp3beta.recencyHalfLife)))
            fields.append(("weights", weightsJSON))
        case .bpr:
            fields.append(("factors", "\(bpr.factors)"))
            fields.append(("learning_rate", "\(bpr.learningRate)"))
            fields.append(("regularization", "\(bpr.regularization)"))
            fields.append(("iterations", "\(bpr.iterations)"))
            fields.append(("seed", "\(bpr.seed)"))
            fields.append(("weights", weightsJSON))
        case .popular:
            fields.append(("half_life_days", "\(popularityHalfLifeDays)"))
        case .content:
            fields.append(("neighbors", "\(contentNeighbors)"))
        case .hybrid:
            fields.append(("itemknn", "\(hybrid.itemknn)"))
            fields.append(("als", "\(hybrid.als)"))
            fields.append(("content", "\(hybrid.content)"))
            fields.append(("popular", "\(hybrid.popular)"))
            fields.append(("max_per_creator", rules.maxPerCreator.map { "\($0)" } ?? "null"))
            fields.append(("max_per_domain", rules.maxPerDomain.map { "\($0)" } ?? "null"))
            fields.append(("cross_domain_every", rules.crossDomainEvery.map { "\($0)" } ?? "null"))
            fields.append(("prerequisite_penalty", "\(rules.missingPrerequisitePenalty)"))
            fields.append(("filter_missing_prerequisites", "\(rules.filterMissingPrerequisites)"))
        }
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    /// A number, or null for nil.
    static func json(_ value: Double?) -> String {
        value.map { "\($0)" } ?? "null"
    }
}
