import Dispatch
import LecternCore

/// How a course's audience is found.
public enum AudienceMethod: String, Sendable, CaseIterable {
    /// The owners of the course's item-kNN neighbours, each weighted by the neighbour's similarity.
    case itemknn
    /// One pass of the factor model over every learner: the learner's vector against the course's.
    case als
    /// For a course nobody has taken: the owners of the courses most like it by text, and the
    /// learners whose declared interests name its domain or one of its tags.
    case content
}

/// A learner in a course's audience, with what explains the choice.
public struct AudienceMember: Sendable, Equatable {
    public var user: Int32
    public var score: Float
    /// The course of theirs that best explains it (the one whose takers most often took the target).
    public var because: Int32?
    /// Of the learners who took `because`, the share who took the target (nil without `because`).
    public var share: Double?
    /// A declared interest that names the course's domain or one of its tags (content method).
    public var interest: String?

    public init(user: Int32, score: Float, because: Int32? = nil, share: Double? = nil, interest: String? = nil) {
        self.user = user
        self.score = score
        self.because = because
        self.share = share
        self.interest = interest
    }
}

/// Who is likely to take a course next: the reverse of a recommendation.
///
/// Learners and courses are plain indices. What a learner "took" is given per course, as the
/// sorted learners who took it (`takers`), and only for the courses the method reads: the cost grows
/// with those courses' takers (or, for the factor model, with the learners), never with learners x
/// courses.
public enum Audience {
    /// Learners ranked by `Σ similarity(target, N)` over the neighbours N of the target they took.
    ///
    /// - Parameters:
    ///   - neighbors: the target's neighbours with their similarity (item-kNN or content).
    ///   - takers: the learners who took each neighbour.
    ///   - interested: learners with a declared interest matching the target, and the interest; each
    ///     adds `interestWeight` to the score (content method only; empty otherwise).
    ///   - excluded: learners who took the target or dismissed it.
    /// - Complexity: O(takers of the neighbours + interested + count log count).
    public static func byNeighbors(_ neighbors: [(item: Int32, score: Float)], takers: [Int32: [Int32]],
                                   interested: [Int32: String] = [:], interestWeight: Float = 0,
                                   excluded: Set<Int32>, count: Int) -> [AudienceMember] {
        guard count > 0 else { return [] }
        // Learners are dense indices: one array of scores, and the touched ones listed once.
        var highest: Int32 = -1
        for neighbor in neighbors { for user in takers[neighbor.item] ?? [] { highest = max(highest, user) } }
        for user in interested.keys { highest = max(highest, user) }
        guard highest >= 0 else { return [] }
        var scores = [Float](repeating: 0, count: Int(highest) + 1)
        var touched: [Int32] = []
        for neighbor in neighbors where neighbor.score > 0 {
            for user in takers[neighbor.item] ?? [] where !excluded.contains(user) {
                if scores[Int(user)] == 0 { touched.append(user) }
                scores[Int(user)] += neighbor.score
            }
        }
        for user in interested.keys where !excluded.contains(user) && interestWeight > 0 {
            if scores[Int(user)] == 0 { touched.append(user) }
            scores[Int(user)] += interestWeight
        }
        var top = TopK(capacity: count)
        for user in touched { top.insert(user, Double(scores[Int(user)])) }
        return top.sortedDescending().map { entry in
            AudienceMember(user: entry.index, score: Float(entry.score), interest: interested[entry.index])
        }
    }

    /// Learners ranked by the factor model's score for `item`: one pass over every learner's vector.
    /// - Complexity: O(learners x factors) on `threads` threads (0: all cores).
    public static func byFactors(_ model: FactorModel, item: Int, excluded: Set<Int32>, count: Int,
                                 threads: Int = 0) -> [AudienceMember] {
        guard count > 0, item >= 0, item < model.itemCount, model.userCount > 0 else { return [] }
        let target = Array(model.itemVector(item))
        let bias = model.itemBiases.isEmpty ? 0 : model.itemBiases[item]
        let width = model.factorCount
        let workers = max(1, min(threads > 0 ? threads : activeProcessorCount(), model.userCount / 4096 + 1))
        let chunk = (model.userCount + workers - 1) / workers
        var partial = [[(index: Int32, score: Double)]](repeating: [], count: workers)
        partial.withUnsafeMutableBufferPointer { buffer in
            let output = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var top = TopK(capacity: count)
                let range = (worker * chunk)..<min(model.userCount, (worker + 1) * chunk)
                model.userFactors.withUnsafeBufferPointer { users in
                    for user in range where !excluded.contains(Int32(user)) {
                        var dot: Float = bias
                        let base = user * width
                        for f in 0..<width { dot += users[base + f] * target[f] }
                        if top.admits(Int32(user), Double(dot)) { top.insert(Int32(user), Double(dot)) }
                    }
                }
                output.value[worker] = top.sortedDescending()
            }
        }
        var merged = TopK(capacity: count)
        for entries in partial { for entry in entries { merged.insert(entry.index, entry.score) } }
        return merged.sortedDescending().map { AudienceMember(user: $0.index, score: Float($0.score)) }
    }

    /// Whether the ascending `list` holds `value` (binary search).
    static func sortedContains(_ list: [Int32], _ value: Int32) -> Bool {
        var low = 0, high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low < list.count && list[low] == value
    }

    /// Fills in `because` and `share` for each member: among the `candidates` (courses like the
    /// target) that the member took, the one whose takers most often also took the target.
    ///
    /// - Parameters:
    ///   - targetTakers: the sorted learners who took the target.
    ///   - takers: the learners who took each candidate, in ascending order.
    ///   - minimumTakers: a candidate taken by fewer learners explains nothing (a share of 1 of 1
    ///     would read as 100%).
    public static func explain(_ members: [AudienceMember], candidates: [Int32], targetTakers: [Int32],
                               takers: [Int32: [Int32]], minimumTakers: Int = 5) -> [AudienceMember] {
        let target = Set(targetTakers)
        var shares: [(item: Int32, share: Double, owners: [Int32])] = []
        for item in candidates {
            guard let owners = takers[item], owners.count >= minimumTakers else { continue }
            let both = owners.reduce(0) { $0 + (target.contains($1) ? 1 : 0) }
            shares.append((item, Double(both) / Double(owners.count), owners))
        }
        shares.sort { ($0.share, $1.item) > ($1.share, $0.item) }
        return members.map { member in
            var member = member
            if let best = shares.first(where: { $0.share > 0 && Self.sortedContains($0.owners, member.user) }) {
                member.because = best.item
                member.share = best.share
            }
            return member
        }
    }
}
