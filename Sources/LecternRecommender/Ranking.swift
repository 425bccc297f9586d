/// Why a course is on a learner's list; turned into a sentence with course and domain names.
public enum Reason: Sendable, Equatable {
    /// "because you bought <course>"
    case bought(item: Int32)
    /// "learners who took <course> also took this"
    case alsoTook(item: Int32)
    /// "you looked at this course before": the learner viewed or wished for it and nothing else explains it
    case lookedAt(item: Int32)
    /// "popular in <domain>"
    case popularIn(domain: Int32)
    /// "matches your interest in <tag or domain>"
    case interest(String)
    /// "learners like you moved on to <domain>" (the cross-domain slot)
    case crossDomain(domain: Int32)
    /// The cross-domain slot's place, taken by this course because no course from a domain the
    /// learner has not touched was left to fill it.
    case noNewDomain
    /// Proposed by the factor model for `item`, to be explained by the learner's closest course;
    /// `HybridRecommender` replaces it before a list leaves it.
    case factorMatch(item: Int32)
}

/// A course proposed for one learner, with its score and reason.
public struct Candidate: Sendable, Equatable {
    public var item: Int32
    public var score: Double
    public var reason: Reason

    public init(item: Int32, score: Double, reason: Reason) {
        self.item = item
        self.score = score
        self.reason = reason
    }
}

/// What the rules need to know about every course, by matrix column.
public struct CatalogFacts: Sendable {
    public var creators: [Int32]
    public var domains: [Int32]
    /// False for draft and archived courses: never recommended.
    public var available: [Bool]
    /// The courses each course requires.
    public var prerequisites: [[Int32]]

    public init(creators: [Int32], domains: [Int32], available: [Bool], prerequisites: [[Int32]]) {
        precondition(creators.count == domains.count && domains.count == available.count && available.count == prerequisites.count)
        self.creators = creators
        self.domains = domains
        self.available = available
        self.prerequisites = prerequisites
    }

    public var count: Int { domains.count }
}

/// What the rules need to know about one learner.
public struct LearnerState: Sendable {
    /// Courses bought, enrolled in or completed: never recommended again.
    public var owned: Set<Int32>
    /// Domains of every course the learner touched.
    public var touchedDomains: Set<Int32>
    /// Courses the learner dismissed and has not come back to: never recommended (see `Rejections`).
    public var dismissed: Set<Int32>
    /// How far courses like the ones the learner rejected move down.
    public var lessLikeThis: LessLikeThis

    public init(owned: Set<Int32>, touchedDomains: Set<Int32>, dismissed: Set<Int32> = [],
                lessLikeThis: LessLikeThis = LessLikeThis()) {
        self.owned = owned
        self.touchedDomains = touchedDomains
        self.dismissed = dismissed
        self.lessLikeThis = lessLikeThis
    }

    /// Whether `item` is never to be listed: owned or dismissed.
    @inlinable
    public func excludes(_ item: Int32) -> Bool {
        owned.contains(item) || (!dismissed.isEmpty && dismissed.contains(item))
    }
}

/// Rules applied to every list, whatever model produced it.
public struct RankingRules: Sendable, Equatable {
    /// At most this many courses by one creator (nil: no cap).
    public var maxPerCreator: Int?
    /// At most this many courses of one domain (nil: no cap).
    public var maxPerDomain: Int?
    /// Every N-th place goes to the best course from a domain the learner has not touched (nil: off).
    public var crossDomainEvery: Int?
    /// A course whose prerequisites the learner lacks has its score multiplied by this.
    public var missingPrerequisitePenalty: Double = 0.5
    /// Leave such courses out instead.
    public var filterMissingPrerequisites = false

    public init(maxPerCreator: Int? = nil, maxPerDomain: Int? = nil, crossDomainEvery: Int? = nil,
                missingPrerequisitePenalty: Double = 0.5, filterMissingPrerequisites: Bool = false) {
        self.maxPerCreator = maxPerCreator
        self.maxPerDomain = maxPerDomain
        self.crossDomainEvery = crossDomainEvery
        self.missingPrerequisitePenalty = missingPrerequisitePenalty
        self.filterMissingPrerequisites = filterMissingPrerequisites
    }

    public func validate() throws {
        if let maxPerCreator, maxPerCreator < 1 { throw RecommenderError("the per-creator cap must be at least 1, got \(maxPerCreator)") }
        if let maxPerDomain, maxPerDomain < 1 { throw RecommenderError("the per-domain cap must be at least 1, got \(maxPerDomain)") }
        if let crossDomainEvery, crossDomainEvery < 2 {
            throw RecommenderError("the cross-domain slot needs N of at least 2, got \(crossDomainEvery)")
        }
        guard (0...1).contains(missingPrerequisitePenalty) else {
            throw RecommenderError("the prerequisite penalty must be between 0 and 1, got \(missingPrerequisitePenalty)")
        }
    }

    /// The final list: owned, dismissed and unavailable courses removed, prerequisites weighed,
    /// courses like rejected ones moved down, caps kept, the cross-domain slot filled; ranks
    /// 1...count with non-increasing scores.
    ///
    /// - Parameters:
    ///   - candidates: scored courses in any order.
    ///   - crossover: for the cross-domain slot, how strongly learners who took domain a went on to
    ///     domain b (`crossover[a][b]`, 0...1); nil leaves the slot empty.
    public func apply(_ candidates: [Candidate], facts: CatalogFacts, learner: LearnerState,
                      crossover: [[Double]]? = nil, count: Int) -> [Candidate] {
        guard count > 0 else { return [] }
        var pool: [Candidate] = []
        pool.reserveCapacity(candidates.count)
        let ownsAny = !learner.owned.isEmpty || !learner.dismissed.isEmpty
        for var candidate in candidates {
            let item = Int(candidate.item)
            guard item >= 0, item < facts.count, facts.available[item], candidate.score.isFinite,
                  !(ownsAny && learner.excludes(candidate.item)) else { continue }
            let missing = facts.prerequisites[item].contains { !learner.owned.contains($0) }
            if missing {
                if filterMissingPrerequisites { continue }
                // Lower the score whatever its sign (factor-model scores can be negative).
                candidate.score = candidate.score >= 0 ? candidate.score * missingPrerequisitePenalty
                    : candidate.score / max(missingPrerequisitePenalty, 1e-9)
            }
            pool.append(candidate)
        }
        // A course proposed twice (no model does) is listed once, at its best place: the loop below
        // skips a course already taken.
        func ranksBefore(_ a: Candidate, _ b: Candidate) -> Bool { a.score != b.score ? a.score > b.score : a.item < b.item }
        // Models hand their candidates over ranked; only a prerequisite penalty or a blend reorders them.
        if zip(pool, pool.dropFirst()).contains(where: { ranksBefore($1, $0) }) { pool.sort(by: ranksBefore) }
        pool = learner.lessLikeThis.apply(pool, count: count)

        let crossPicks = crossDomainPicks(pool, facts: facts, learner: learner, crossover: crossover, count: count)
        var nextPick = 0

        var result: [Candidate] = []
        var perCreator: [Int32: Int] = [:]
        var perDomain: [Int32: Int] = [:]
        var index = 0
        func fits(_ candidate: Candidate) -> Bool {
            let item = Int(candidate.item)
            if let cap = maxPerCreator, perCreator[facts.creators[item], default: 0] >= cap { return false }
            if let cap = maxPerDomain, perDomain[facts.domains[item], default: 0] >= cap { return false }
            return true
        }
        func take(_ candidate: Candidate) {
            let item = Int(candidate.item)
            if maxPerCreator != nil { perCreator[facts.creators[item], default: 0] += 1 }
            if maxPerDomain != nil { perDomain[facts.domains[item], default: 0] += 1 }
            result.append(candidate)
        }
        var slotUnfilled = false
        while result.count < count {
            if !slotUnfilled, let every = crossDomainEvery, !learner.touchedDomains.isEmpty, count >= every,
               (result.count + 1) % every == 0 {
                while nextPick < crossPicks.count,
                      !fits(crossPicks[nextPick]) || result.contains(where: { $0.item == crossPicks[nextPick].item }) {
                    nextPick += 1
                }
                if nextPick < crossPicks.count {
                    take(crossPicks[nextPick])
                    nextPick += 1
                    continue
                }
                slotUnfilled = true  // the next course listed takes the place, and says why
            }
            guard index < pool.count else { break }
            var candidate = pool[index]
            index += 1
            if result.contains(where: { $0.item == candidate.item }) || !fits(candidate) { continue }
            if slotUnfilled {
                candidate.reason = .noNewDomain
                slotUnfilled = false
            }
            take(candidate)
        }
        // Ranks show order: a slotted pick takes the score of the place it fills, so scores never rise.
        for i in 1..<max(1, result.count) where result[i].score > result[i - 1].score {
            result[i].score = result[i - 1].score
        }
        return result
    }
}

extension RankingRules {
    /// The cross-domain picks: courses from domains the learner has not touched, the best first,
    /// weighed by how often learners of their domains crossed into that one (score alone when no
    /// crossover is known). Each place N, 2N, ... takes the best pick not listed yet.
    func crossDomainPicks(_ pool: [Candidate], facts: CatalogFacts, learner: LearnerState, crossover: [[Double]]?,
                          count: Int) -> [Candidate] {
        guard let every = crossDomainEvery, count >= every, !learner.touchedDomains.isEmpty else { return [] }
        var weighed: [(value: Double, candidate: Candidate)] = []
        for candidate in pool {
            let domain = Int(facts.domains[Int(candidate.item)])
            guard !learner.touchedDomains.contains(Int32(domain)) else { continue }
            let affinity = crossover.map { crossover in
                learner.touchedDomains.map { a in
                    Int(a) < crossover.count && domain < crossover[Int(a)].count ? crossover[Int(a)][domain] : 0
                }.max() ?? 0
            } ?? 0
            weighed.append((candidate.score * affinity,
                            Candidate(item: candidate.item, score: candidate.score, reason: .crossDomain(domain: Int32(domain)))))
        }
        // Stable: among equal values, the model's order (the pool is ranked) decides.
        return weighed.enumerated().sorted { a, b in
            a.element.value != b.element.value ? a.element.value > b.element.value : a.offset < b.offset
        }.map(\.element.candidate)
    }
}

/// Blends several models' candidates for one learner into one list.
public enum Blend {
    /// Each model's scores are divided by that model's best score for this learner, weighted and
    /// summed; a course's reason is the one from the model that contributed most to it.
    public static func combine(_ parts: [(weight: Double, candidates: [Candidate])]) -> [Candidate] {
        // Every contribution, then one sort by course to sum each course's (no hashing), then by score.
        var contributions: [(item: Int32, part: Int, index: Int, contribution: Double)] = []
        contributions.reserveCapacity(parts.reduce(0) { $0 + $1.candidates.count })
        for (p, (weight, candidates)) in parts.enumerated() where weight > 0 {
            guard let top = candidates.map(\.score).max(), top > 0 else { continue }
            for (c, candidate) in candidates.enumerated() where candidate.score > 0 {
                contributions.append((candidate.item, p, c, weight * candidate.score / top))
            }
        }
        // By course, then in the order the parts and their candidates came (the order a dictionary
        // filled in would have seen them), so sums and the reason chosen on equal contributions match.
        contributions.sort { $0.item != $1.item ? $0.item < $1.item : ($0.part, $0.index) < ($1.part, $1.index) }
        // Each course's total and where its reason comes from, sorted as plain values; Candidates
        // (whose reason may hold a string) are made once, in the final order.
        var totals: [(item: Int32, score: Double, part: Int, index: Int)] = []
        totals.reserveCapacity(contributions.count)
        var i = 0
        while i < contributions.count {
            let item = contributions[i].item
            var score = 0.0, best = -Double.infinity, part = 0, index = 0
            while i < contributions.count && contributions[i].item == item {
                let entry = contributions[i]
                score += entry.contribution
                if entry.contribution > best {
                    best = entry.contribution
                    (part, index) = (entry.part, entry.index)
                }
                i += 1
            }
            totals.append((item, score, part, index))
        }
        totals.sort { $0.score != $1.score ? $0.score > $1.score : $0.item < $1.item }
        return totals.map { Candidate(item: $0.item, score: $0.score, reason: parts[$0.part].candidates[$0.index].reason) }
    }

    /// How often learners who touched domain a also touched domain b, for every pair (a != b).
    /// - Complexity: O(nonzeros + learners x domains^2).
    public static func domainCrossover(userItems: SparseMatrix, domains: [Int32], domainCount: Int) -> [[Double]] {
        var together = [[Double]](repeating: [Double](repeating: 0, count: domainCount), count: domainCount)
        var learners = [Double](repeating: 0, count: domainCount)
        for user in 0..<userItems.rowCount {
            var touched = Set<Int32>()
            for column in userItems.row(user).columns { touched.insert(domains[Int(column)]) }
            for a in touched {
                learners[Int(a)] += 1
                for b in touched where b != a { together[Int(a)][Int(b)] += 1 }
            }
        }
        for a in 0..<domainCount where learners[a] > 0 {
            for b in 0..<domainCount { together[a][b] /= learners[a] }
        }
        return together
    }
}
