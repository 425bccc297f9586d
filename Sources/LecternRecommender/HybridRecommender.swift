/// The algorithms a learner's list can come from.
public enum Algorithm: String, Sendable, CaseIterable {
    case itemknn, als, popular, content, hybrid
}

/// How much each model counts in the hybrid blend.
public struct HybridWeights: Sendable, Equatable {
    public var itemknn = 0.4
    public var als = 0.3
    public var content = 0.15
    public var popular = 0.15

    public init(itemknn: Double = 0.4, als: Double = 0.3, content: Double = 0.15, popular: Double = 0.15) {
        self.itemknn = itemknn
        self.als = als
        self.content = content
        self.popular = popular
    }

    public func validate() throws {
        let all = [itemknn, als, content, popular]
        guard all.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw RecommenderError("hybrid weights cannot be negative") }
        guard all.contains(where: { $0 > 0 }) else { throw RecommenderError("at least one hybrid weight must be positive") }
    }
}

/// One learner as the models see them.
public struct LearnerProfile: Sendable {
    /// Courses touched and the learner's weight for each (a row of the interaction matrix).
    public var history: [(item: Int32, weight: Float)]
    /// Courses bought (kept even if refunded): "because you bought" rather than "learners who took".
    public var bought: Set<Int32>
    public var state: LearnerState
    /// Declared interests: domain or tag names.
    public var interests: [String]
    /// The learner's trained factors, when the factor model knows them and they are current.
    public var factors: [Float]?

    public init(history: [(item: Int32, weight: Float)], bought: Set<Int32>, state: LearnerState, interests: [String],
                factors: [Float]? = nil) {
        self.history = history
        self.bought = bought
        self.state = state
        self.interests = interests
        self.factors = factors
    }
}

/// Scores courses for one learner with any of Lectern's models, blends them, and applies the rules.
///
/// Used both by training (with freshly trained models) and at query time (with models rebuilt
/// from the cache), so a folded-in list is computed exactly as a trained one.
public struct HybridRecommender: Sendable {
    public var facts: CatalogFacts
    /// Names of domains by index (for interest matching).
    public var domainNames: [String]
    public var itemKNN: ItemKNNModel?
    public var factorModel: FactorModel?
    public var popularity: PopularityModel?
    public var content: ContentModel?
    public var weights: HybridWeights
    public var rules: RankingRules
    /// Domain crossover for the cross-domain slot.
    public var crossover: [[Double]]?

    public init(facts: CatalogFacts, domainNames: [String], itemKNN: ItemKNNModel? = nil, factorModel: FactorModel? = nil,
                popularity: PopularityModel? = nil, content: ContentModel? = nil, weights: HybridWeights = HybridWeights(),
                rules: RankingRules = RankingRules(), crossover: [[Double]]? = nil) {
        self.facts = facts
        self.domainNames = domainNames
        self.itemKNN = itemKNN
        self.factorModel = factorModel
        self.popularity = popularity
        self.content = content
        self.weights = weights
        self.rules = rules
        self.crossover = crossover
    }

    /// The learner's final list from `algorithm`: at most `count` courses, best first.
    public func recommend(_ learner: LearnerProfile, algorithm: Algorithm, count: Int) -> [Candidate] {
        let pool = max(count * 4, count + 20)
        let candidates: [Candidate]
        switch algorithm {
        case .itemknn: candidates = neighbourCandidates(learner, count: pool)
        case .als: candidates = factorCandidates(learner, count: pool)
        case .popular: candidates = popularCandidates(learner, count: pool)
        case .content: candidates = contentCandidates(learner, count: pool)
        case .hybrid:
            var parts: [(Double, [Candidate])] = []
            if itemKNN != nil { parts.append((weights.itemknn, neighbourCandidates(learner, count: pool))) }
            if factorModel != nil { parts.append((weights.als, factorCandidates(learner, count: pool))) }
            if content != nil { parts.append((weights.content, contentCandidates(learner, count: pool))) }
            if popularity != nil { parts.append((weights.popular, popularCandidates(learner, count: pool))) }
            candidates = Blend.combine(parts)
        }
        return rules.apply(candidates, facts: facts, learner: learner.state,
                           crossover: algorithm == .hybrid ? crossover : nil, count: count)
    }

    private func excluded(_ learner: LearnerProfile) -> Set<Int32> {
        learner.state.owned
    }

    private func historyReason(_ learner: LearnerProfile, _ item: Int32, recommending: Int32) -> Reason {
        if item == recommending { return .lookedAt(item: item) }
        return learner.bought.contains(item) ? .bought(item: item) : .alsoTook(item: item)
    }

    func neighbourCandidates(_ learner: LearnerProfile, count: Int) -> [Candidate] {
        guard let itemKNN, !learner.history.isEmpty else { return [] }
        return itemKNN.recommend(history: learner.history, excluding: excluded(learner), count: count).map {
            Candidate(item: $0.item, score: Double($0.score), reason: historyReason(learner, $0.because, recommending: $0.item))
        }
    }

    func factorCandidates(_ learner: LearnerProfile, count: Int) -> [Candidate] {
        guard let model = factorModel, !learner.history.isEmpty else { return [] }
        let vector = learner.factors ?? model.foldIn(items: learner.history)
        let factors = model.factorCount
        let items = model.itemCount
        let top = model.recommend(userVector: vector, excluding: excluded(learner), count: count)
        // Explain with the touched course whose factors are closest to the proposed one.
        return top.map { entry in
            var because = entry.item
            var best = -Float.infinity
            for (item, weight) in learner.history where Int(item) < items && item != entry.item {
                var dot: Float = 0
                for f in 0..<factors { dot += model.itemFactors[Int(item) * factors + f] * model.itemFactors[Int(entry.item) * factors + f] }
                if dot * weight > best { best = dot * weight; because = item }
            }
            return Candidate(item: entry.item, score: Double(entry.score), reason: historyReason(learner, because, recommending: entry.item))
        }
    }

    func popularCandidates(_ learner: LearnerProfile, count: Int) -> [Candidate] {
        guard let popularity else { return [] }
        // Courses in the learner's domains and declared interests count double.
        var preferred = learner.state.touchedDomains
        for interest in learner.interests {
            if let domain = domainNames.firstIndex(of: interest.lowercased()) { preferred.insert(Int32(domain)) }
        }
        let top = popularity.scores.max() ?? 0
        guard top > 0 else { return [] }
        var best = TopK(capacity: count)
        let owned = excluded(learner)
        for item in 0..<popularity.scores.count where popularity.scores[item] > 0 && !owned.contains(Int32(item)) {
            let boost = preferred.contains(facts.domains[item]) ? 2.0 : 1.0
            best.insert(Int32(item), popularity.scores[item] / top * boost)
        }
        return best.sortedDescending().map {
            Candidate(item: $0.index, score: $0.score, reason: .popularIn(domain: facts.domains[Int($0.index)]))
        }
    }

    func contentCandidates(_ learner: LearnerProfile, count: Int) -> [Candidate] {
        guard let content else { return [] }
        let profile = content.profile(history: learner.history, interests: learner.interests)
        return content.rank(profile: profile, excluding: excluded(learner), count: count).map { entry in
            let reason: Reason = entry.term.map { .interest($0) } ?? .popularIn(domain: facts.domains[Int(entry.item)])
            return Candidate(item: entry.item, score: Double(entry.score), reason: reason)
        }
    }
}
