import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LecternCore

/// Settings of RP3beta.
public struct RP3betaParameters: Sendable, Equatable {
    /// Exponent on every transition probability (default 1: the plain random walk).
    public var alpha: Double
    /// Popularity penalty: weight W_ij is divided by popularity(j)^β (default 0.5; 0 is P3alpha).
    public var beta: Double
    /// Neighbours kept per course (default 100).
    public var neighbors: Int
    /// Worker threads; 0 means one per core.
    public var threads: Int
    /// When scoring, a learner's k-th newest course counts 0.5^(k / half-life) (`HistoryRecency`); nil: all alike.
    public var recencyHalfLife: Double?

    public init(alpha: Double = 1, beta: Double = 0.5, neighbors: Int = 100, threads: Int = 0, recencyHalfLife: Double? = nil) {
        self.alpha = alpha
        self.beta = beta
        self.neighbors = neighbors
        self.threads = threads
        self.recencyHalfLife = recencyHalfLife
    }

    public func validate() throws {
        guard alpha > 0, alpha.isFinite else { throw RecommenderError("RP3beta alpha must be a finite number > 0, got \(alpha)") }
        guard beta >= 0, beta.isFinite else { throw RecommenderError("RP3beta beta must be a finite number >= 0, got \(beta)") }
        guard neighbors >= 1 else { throw RecommenderError("neighbors (K) must be at least 1, got \(neighbors)") }
        guard threads >= 0 else { throw RecommenderError("threads cannot be negative") }
        try HistoryRecency.validate(recencyHalfLife, model: "RP3beta")
    }
}

/// RP3beta (Paudel, Christoffel, Newell & Bernstein 2017, "Updatable, Accurate, Diverse, and
/// Scalable Recommendations for Interactive Applications", ACM TiiS 7(1)): item-item weights from
/// a three-step random walk learner -> course -> learner -> course, re-ranked by popularity.
///
/// As in the reference implementation of Ferrari Dacrema et al. (RecSys 2019,
/// `RP3betaRecommender.py`): P_ui is X with each learner's row scaled to sum 1; P_iu is the 0/1
/// transpose with each course's row scaled to sum 1; both raised element-wise to α;
/// W = P_iu P_ui with column j divided by popularity(j)^β (popularity = learners who touched j),
/// the diagonal set to 0, and each course's `neighbors` largest weights kept. A learner's score
/// for j is Σ_i x_ui W_ij, so W is an `ItemKNNModel`.
public enum RP3beta {
    /// - Parameter progress: called with (courses done, courses) from the worker threads.
    /// - Complexity: O(Σ_users (courses touched)²) like item-kNN, spread over `threads`.
    public static func train(userItems: SparseMatrix, parameters: RP3betaParameters = RP3betaParameters(),
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ItemKNNModel {
        try parameters.validate()
        let itemUsers = userItems.transposed()
        let items = itemUsers.rowCount
        let alpha = parameters.alpha
        // P_ui ^ α, laid out by learner.
        var walk = [Double](repeating: 0, count: userItems.nonZeroCount)
        for u in 0..<userItems.rowCount {
            let range = userItems.rowStarts[u]..<userItems.rowStarts[u + 1]
            let sum = range.reduce(0.0) { $0 + Double(abs(userItems.values[$1])) }
            guard sum > 0 else { continue }
            for k in range { walk[k] = pow(Double(userItems.values[k]) / sum, alpha) }
        }
        // P_iu ^ α: each of course i's learners has probability 1 / popularity(i).
        let userValues = walk
        let popularity = (0..<items).map { Double(itemUsers.rowLength($0)) }
        let stepBack = popularity.map { $0 > 0 ? pow(1 / $0, alpha) : 0 }
        let penalty = popularity.map { $0 > 0 ? pow($0, -parameters.beta) : 0 }

        let threads = max(1, min(parameters.threads == 0 ? activeProcessorCount() : parameters.threads, max(1, items)))
        let k = parameters.neighbors
        var perItem = [[(Int32, Double)]](repeating: [], count: items)
        let done = AtomicCounter()
        let lock = Lock()
        let chunk = 64
        perItem.withUnsafeMutableBufferPointer { output in
            let shared = UnsafeSendable(output)
            let next = AtomicCounter()
            DispatchQueue.concurrentPerform(iterations: threads) { _ in
                let output = shared.value
                let accumulator = UnsafeMutablePointer<Double>.allocate(capacity: max(items, 1))
                let stamp = UnsafeMutablePointer<Int32>.allocate(capacity: max(items, 1))
                let touched = UnsafeMutablePointer<Int32>.allocate(capacity: max(items, 1))
                stamp.initialize(repeating: -1, count: max(items, 1))
                defer {
                    accumulator.deallocate()
                    stamp.deallocate()
                    touched.deallocate()
                }
                var top = TopK(capacity: k)
                while true {
                    let c = next.increment() - 1
                    if c * chunk >= items { break }
                    for i in (c * chunk)..<min(items, (c + 1) * chunk) {
                        var count = 0
                        let back = stepBack[i]
                        for a in itemUsers.rowStarts[i]..<itemUsers.rowStarts[i + 1] {
                            let u = Int(itemUsers.columnIndices[a])
                            for b in userItems.rowStarts[u]..<userItems.rowStarts[u + 1] {
                                let j = Int(userItems.columnIndices[b])
                                if stamp[j] != Int32(i) {
                                    stamp[j] = Int32(i)
                                    accumulator[j] = 0
                                    touched[count] = Int32(j)
                                    count += 1
                                }
                                accumulator[j] += back * userValues[b]
                            }
                        }
                        top.removeAll()
                        for t in 0..<count {
                            let j = touched[t]
                            guard Int(j) != i else { continue }
                            let weight = accumulator[Int(j)] * penalty[Int(j)]
                            if weight != 0 && top.admits(j, weight) { top.insert(j, weight) }
                        }
                        output[i] = top.sortedDescending().map { ($0.index, $0.score) }
                    }
                    let finished = done.add(min(items, (c + 1) * chunk) - c * chunk)
                    if let progress { lock.withLock { progress(finished, items) } }
                }
            }
        }
        return ItemKNNModel(lists: perItem)
    }
}
