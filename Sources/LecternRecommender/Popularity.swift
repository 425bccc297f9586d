/// How much each course is wanted lately: event weights with a time decay, summed per course.
public struct PopularityModel: Sendable, Equatable {
    /// Decayed popularity of each course (0 for courses nobody touched).
    public let scores: [Double]
    /// Each course's rank within its domain (1 = the domain's most popular).
    public let domainRanks: [Int]

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
        self.scores = scores
        self.domainRanks = ranks
    }

    public init(scores: [Double], domainRanks: [Int]) {
        self.scores = scores
        self.domainRanks = domainRanks
    }
}
