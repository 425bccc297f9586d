import LecternCore

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
    /// Courses the learner dismissed or rated 1-2 (see `Rejections`): their neighbours move down.
    public var rejected: [Int32]
    /// Courses bought and refunded: a "because you ..." reason never cites them.
    public var refunded: Set<Int32>
    /// Each history course's place from the newest (0 for the newest), parallel to `history`, for
    /// `HistoryRecency`; empty when the order is not known (every course then counts alike).
    public var ages: [Int32] = []

    public init(history: [(item: Int32, weight: Float)], bought: Set<Int32>, state: LearnerState, interests: [String],
                factors: [Float]? = nil, rejected: [Int32] = [], refunded: Set<Int32> = []) {
        self.history = history
        self.bought = bought
        self.state = state
        self.interests = interests
        self.factors = factors
        self.rejected = rejected
        self.refunded = refunded
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
    /// EASE's and RP3beta's course-to-course weights, scored like item-kNN.
    public var ease: ItemKNNModel?
    public var rp3beta: ItemKNNModel?
    /// BPR's factors, scored like ALS's (with course biases).
    public var bpr: FactorModel?
    public var popularity: PopularityModel?
    public var content: ContentModel?
    /// Each course's content neighbours: with them, content scores a learner from their courses'
    /// lists (and the courses holding their interests) instead of every course.
    public var contentNeighbors: ContentNeighbors?
    public var weights: HybridWeights
    public var rules: RankingRules
    /// Domain crossover for the cross-domain slot.
    public var crossover: [[Double]]?
    /// Score every course in every model (content against the whole catalog, popularity over every
    /// course): the reference the sparse paths are tested against. Off in training and serving.
    public var exhaustive = false
    /// The course neighbours "less like this" reads (item-kNN's, when it is not `itemKNN`); nil uses
    /// `itemKNN`, and with neither, rejections only exclude.
    public var lessLikeThisNeighbors: ItemKNNModel?
    public var lessLikeThisStrength = LessLikeThis.defaultStrength
    /// Recency half-life in courses of item-kNN, EASE and RP3beta (`HistoryRecency`), by algorithm;
    /// a model not named here weighs every course of a history alike.
    public var recencyHalfLives: [Algorithm: Double] = [:]

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
    /// - Parameter scratch: working memory reused across learners by one thread (made as needed if nil).
    public func recommend(_ learner: LearnerProfile, algorithm: Algorithm, count: Int,
                          scratch: ScoringScratch? = nil) -> [Candidate] {
        recommendations(learner, algorithms: [algorithm], count: count, scratch: scratch)[algorithm] ?? []
    }

    /// The learner's final list from each of `algorithms`, each model's candidates computed once
    /// and shared by its own list and the hybrid's blend.
    /// - Parameters:
    ///   - factorCandidates: the factor model's best courses for this learner when already computed
    ///     (training scores learners in blocks); nil computes them here.
    /// - Complexity: the sum of the models' costs for one learner; the hybrid adds
    ///   O(candidates) to blend the union of its parts' candidates, never O(courses).
    public func recommendations(_ learner: LearnerProfile, algorithms: [Algorithm], count: Int,
                                factorCandidates precomputed: [(item: Int32, score: Float)]? = nil,
                                bprCandidates: [(item: Int32, score: Float)]? = nil,
                                scratch: ScoringScratch? = nil) -> [Algorithm: [Candidate]] {
        let pool = Self.poolSize(count)
        var parts: [Algorithm: [Candidate]] = [:]
        func part(_ algorithm: Algorithm) -> [Candidate] {
            if let done = parts[algorithm] { return done }
            let candidates: [Candidate]
            switch algorithm {
            case .itemknn: candidates = neighbourCandidates(itemKNN, .itemknn, learner, count: pool, scratch: scratch)
            case .ease: candidates = neighbourCandidates(ease, .ease, learner, count: pool, scratch: scratch)
            case .rp3beta: candidates = neighbourCandidates(rp3beta, .rp3beta, learner, count: pool, scratch: scratch)
            case .als: candidates = factorCandidates(factorModel, learner, count: pool, precomputed: precomputed)
            case .bpr:
                // `learner.factors` are the factor model's of the list asked for: a caller that asks for
                // ALS and BPR together passes neither and precomputes (training) or folds in.
                candidates = factorCandidates(bpr, learner, count: pool, precomputed: bprCandidates)
            case .popular: candidates = popularCandidates(learner, count: pool)
            case .content: candidates = contentCandidates(learner, count: pool, scratch: scratch)
            case .hybrid: candidates = []
            }
            parts[algorithm] = candidates
            return candidates
        }
        var lists: [Algorithm: [Candidate]] = [:]
        let state = rankingState(learner)
        for algorithm in algorithms {
            let candidates: [Candidate]
            if algorithm == .hybrid {
                var blend: [(Double, [Candidate])] = []
                if itemKNN != nil { blend.append((weights.itemknn, part(.itemknn))) }
                if factorModel != nil { blend.append((weights.als, part(.als))) }
                if content != nil { blend.append((weights.content, part(.content))) }
                if popularity != nil { blend.append((weights.popular, part(.popular))) }
                candidates = Blend.combine(blend)
            } else {
                candidates = part(algorithm)
            }
            let list = rules.apply(candidates, facts: facts, learner: state,
                                   crossover: algorithm == .hybrid ? crossover : nil, count: count)
            lists[algorithm] = explainFactorMatches(list, learner, model: algorithm == .bpr ? bpr : factorModel)
        }
        return lists
    }

    /// Candidates each model proposes for a list of `count`: enough for the rules to drop some.
    public static func poolSize(_ count: Int) -> Int {
        max(count * 4, count + 20)
    }

    private func excluded(_ learner: LearnerProfile) -> Set<Int32> {
        learner.state.dismissed.isEmpty ? learner.state.owned : learner.state.owned.union(learner.state.dismissed)
    }

    /// "Because you ..." for the history course `item` that led to `recommending`. A course the
    /// learner returned is not cited ("learners with tastes like yours took this" instead); a
    /// rejected one cannot be, as it is not in the history.
    private func historyReason(_ learner: LearnerProfile, _ item: Int32, recommending: Int32) -> Reason {
        if item == recommending { return .lookedAt(item: item) }
        if !learner.refunded.isEmpty && learner.refunded.contains(item) { return .factorMatch(item: recommending) }
        return learner.bought.contains(item) ? .bought(item: item) : .alsoTook(item: item)
    }

    /// The learner's state with "less like this" worked out from their rejected courses'
    /// neighbours (`lessLikeThisNeighbors`, else the item-kNN model).
    func rankingState(_ learner: LearnerProfile) -> LearnerState {
        guard !learner.rejected.isEmpty, let model = lessLikeThisNeighbors ?? itemKNN else { return learner.state }
        var state = learner.state
        state.lessLikeThis = LessLikeThis(rejected: learner.rejected, neighbors: model, strength: lessLikeThisStrength)
        return state
    }

    /// The learner's history weighed by `algorithm`'s recency half-life, then scored by `model`.
    func neighbourCandidates(_ model: ItemKNNModel?, _ algorithm: Algorithm, _ learner: LearnerProfile, count: Int,
                             scratch: ScoringScratch? = nil) -> [Candidate] {
        guard let model, !learner.history.isEmpty else { return [] }
        let history = HistoryRecency.weighted(learner.history, ages: learner.ages, halfLife: recencyHalfLives[algorithm])
        return model.recommend(history: history, excluding: excluded(learner), count: count, scratch: scratch).map {
            Candidate(item: $0.item, score: Double($0.score), reason: historyReason(learner, $0.because, recommending: $0.item))
        }
    }

    func factorCandidates(_ model: FactorModel?, _ learner: LearnerProfile, count: Int,
                          precomputed: [(item: Int32, score: Float)]? = nil) -> [Candidate] {
        guard let model, !learner.history.isEmpty else { return [] }
        let top: [(item: Int32, score: Float)]
        if let precomputed {
            top = precomputed
        } else {
            let vector = learner.factors ?? model.foldIn(items: learner.history)
            top = model.recommend(userVector: vector, excluding: excluded(learner), count: count)
        }
        // Explained once the list is final (`explainFactorMatches`): only the courses shown need it.
        return top.map { Candidate(item: $0.item, score: Double($0.score), reason: .factorMatch(item: $0.item)) }
    }

    /// Replaces each `.factorMatch` reason with the touched course whose factors are closest to the
    /// proposed one ("because you bought ...", "learners who took ...").
    /// - Complexity: O(list x history x factors).
    func explainFactorMatches(_ list: [Candidate], _ learner: LearnerProfile, model: FactorModel?) -> [Candidate] {
        guard let model, list.contains(where: { if case .factorMatch = $0.reason { true } else { false } })
        else { return list }
        let factors = model.factorCount
        let items = model.itemCount
        return list.map { candidate in
            guard case .factorMatch(let proposed) = candidate.reason else { return candidate }
            var because = proposed
            var best = -Float.infinity
            for (item, weight) in learner.history where item >= 0 && Int(item) < items && item != proposed {
                var dot: Float = 0
                for f in 0..<factors { dot += model.itemFactors[Int(item) * factors + f] * model.itemFactors[Int(proposed) * factors + f] }
                if dot * weight > best { best = dot * weight; because = item }
            }
            var explained = candidate
            explained.reason = historyReason(learner, because, recommending: proposed)
            return explained
        }
    }

    func popularCandidates(_ learner: LearnerProfile, count: Int) -> [Candidate] {
        guard let popularity else { return [] }
        // Courses in the learner's domains and declared interests count double.
        var preferred = learner.state.touchedDomains
        for interest in learner.interests {
            if let domain = domainNames.firstIndex(of: interest.lowercased()) { preferred.insert(Int32(domain)) }
        }
        let owned = excluded(learner)
        let top: [(index: Int32, score: Double)]
        if exhaustive {
            let best = popularity.scores.max() ?? 0
            guard best > 0 else { return [] }
            var heap = TopK(capacity: count)
            for item in 0..<popularity.scores.count where popularity.scores[item] > 0 && !owned.contains(Int32(item)) {
                let boost = preferred.contains(facts.domains[item]) ? 2.0 : 1.0
                heap.insert(Int32(item), popularity.scores[item] / best * boost)
            }
            top = heap.sortedDescending()
        } else {
            top = popularity.top(count: count, excluding: owned, preferring: preferred, boost: 2, domains: facts.domains)
        }
        return top.map {
            Candidate(item: $0.index, score: $0.score, reason: .popularIn(domain: facts.domains[Int($0.index)]))
        }
    }

    func contentCandidates(_ learner: LearnerProfile, count: Int, scratch: ScoringScratch? = nil) -> [Candidate] {
        guard let content else { return [] }
        let ranked: [(item: Int32, score: Float, term: String?)]
        if let contentNeighbors, !exhaustive {
            ranked = content.recommend(history: learner.history, interests: learner.interests, excluding: excluded(learner),
                                       count: count, neighbors: contentNeighbors, scratch: scratch)
        } else {
            let profile = content.profile(history: learner.history, interests: learner.interests)
            ranked = content.rank(profile: profile, excluding: excluded(learner), count: count)
        }
        return ranked.map { entry in
            let reason: Reason = entry.term.map { .interest($0) } ?? .popularIn(domain: facts.domains[Int(entry.item)])
            return Candidate(item: entry.item, score: Double(entry.score), reason: reason)
        }
    }
}
