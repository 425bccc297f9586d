/// How much each course is wanted lately: event weights with a time decay, summed per course.
public struct PopularityModel: Sendable, Equatable {
    /// Decayed popularity of each course (0 for courses nobody touched).
    public let scores: [Double]
    /// Each course's rank within its domain (1 = the domain's most popular).
    public let domainRanks: [Int]
    /// Courses with a positive score, best first (ties: lower index first).
    public let ranked: [Int32]
    /// The same, split by `domains[i]` when the model was built with domains; empty otherwise.
    let rankedByDomain: [Int32: [Int32]]
    /// Each course's place in `ranked` (Int32.max when it has no positive score).
    let places: [Int32]

    /// Computes popularity from events; `domains[i]` is course i's domain index.
    ///
    /// - Parameter halfLifeDays: how fast old activity fades (default 30 days).
    /// - Complexity: O(events + courses log courses).
    public init(events: [MatrixEvent], items: Int, domains: [Int32], weights: InteractionWeights = InteractionWeights(),
                halfLifeDays: Double = 30, now: Int64) throws {
        guard halfLifeDays > 0 else { throw RecommenderError("the popularity half-life must be positive, got \(halfLifeDays)") }
        precondition(domains.count == items)
        var decayed = weights
        decayed.halfLifeDays = halfLifeDays
        let users = Int(events.map(\.user).max() ?? -1) + 1
        let matrix = try decayed.matrix(users: users, items: items, events: events, now: now)
        var scores = [Double](repeating: 0, count: items)
        for k in 0..<matrix.nonZeroCount { scores[Int(matrix.columnIndices[k])] += Double(matrix.values[k]) }
        var ranks = [Int](repeating: 0, count: items)
        var byDomain: [Int32: [Int]] = [:]
        for i in 0..<items { byDomain[domains[i], default: []].append(i) }
        for (_, members) in byDomain {
            let sorted = members.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            for (rank, item) in sorted.enumerated() { ranks[item] = rank + 1 }
        }
        self.init(scores: scores, domainRanks: ranks, domains: domains)
    }

    /// A model from stored scores; `domains` (course i's domain index) lets `top(count:excluding:preferring:)`
    /// read only the preferred domains' lists.
    /// - Complexity: O(courses log courses).
    public init(scores: [Double], domainRanks: [Int], domains: [Int32]? = nil) {
        self.scores = scores
        self.domainRanks = domainRanks
        let ranked = scores.indices.filter { scores[$0] > 0 }
            .sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
            .map { Int32($0) }
        self.ranked = ranked
        var places = [Int32](repeating: .max, count: scores.count)
        for (place, item) in ranked.enumerated() { places[Int(item)] = Int32(place) }
        self.places = places
        var byDomain: [Int32: [Int32]] = [:]
        if let domains, domains.count == scores.count {
            for item in ranked { byDomain[domains[Int(item)], default: []].append(item) }
        }
        self.rankedByDomain = byDomain
    }

    public static func == (a: PopularityModel, b: PopularityModel) -> Bool {
        a.scores == b.scores && a.domainRanks == b.domainRanks
    }

    /// The `count` best courses by score relative to the best score, times `boost` for courses whose
    /// domain is in `preferred`, leaving out `excluded`; best first, ties to the lower index.
    ///
    /// Reads the overall ranking and each preferred domain's ranking only as far as `count` courses
    /// not excluded: any course in the answer is among those.
    /// - Complexity: O((1 + preferred domains) x (count + excluded)), not O(courses).
    public func top(count: Int, excluding excluded: Set<Int32>, preferring preferred: Set<Int32>, boost: Double,
                    domains: [Int32]) -> [(index: Int32, score: Double)] {
        guard count > 0, let first = ranked.first else { return [] }
        let best = scores[Int(first)]
        var top = TopK(capacity: count)
        // The overall ranking is read up to place `overallEnd`; a preferred course is on it and on its
        // domain's ranking (domains' rankings share no course), so count it once.
        var overallEnd = 0
        func take(_ list: [Int32], overall: Bool) {
            var taken = 0
            for (place, item) in list.enumerated() where !excluded.contains(item) {
                if overall { overallEnd = place + 1 }
                let factor = preferred.contains(domains[Int(item)]) ? boost : 1.0
                if overall || Int(places[Int(item)]) >= overallEnd { top.insert(item, scores[Int(item)] / best * factor) }
                taken += 1
                if taken == count { break }
            }
        }
        take(ranked, overall: true)
        if rankedByDomain.isEmpty {
            if !preferred.isEmpty {
                // Built without domains: read the whole ranking for the preferred ones.
                take(ranked.filter { preferred.contains(domains[Int($0)]) }, overall: false)
            }
        } else {
            for domain in preferred { take(rankedByDomain[domain] ?? [], overall: false) }
        }
        return top.sortedDescending()
    }
}
