import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LecternCore

/// How interaction weights are turned into item vectors before comparing items.
///
/// Defined exactly as implicit 0.7.3 defines them (`nearest_neighbours.py`), on the course x learner
/// matrix X with N courses and df(u) = the number of courses learner u touched:
/// - `cosine`: each course's vector scaled to unit length.
/// - `tfidf`: x' = sqrt(x) * (log N - log(1 + df(u))), then unit length per course.
/// - `bm25`: x' = x (K1 + 1) / (K1 (1 - B + B len(i) / avglen) + x) * (log N - log(1 + df(u))),
///   where len(i) is the sum of course i's weights; not normalised.
public enum ItemWeighting: Sendable, Equatable {
    case cosine
    case tfidf
    case bm25(k1: Double, b: Double)

    public var name: String {
        switch self {
        case .cosine: "cosine"
        case .tfidf: "tfidf"
        case .bm25: "bm25"
        }
    }
}

/// Settings of item-kNN.
public struct ItemKNNParameters: Sendable, Equatable {
    /// Neighbours kept per course, counting the course itself as implicit does (default 50).
    public var neighbors = 50
    public var weighting: ItemWeighting = .cosine
    /// Shrinks similarities built on few common learners: s * n / (n + shrinkage). 0 turns it off.
    public var shrinkage: Double = 0
    /// Worker threads; 0 means one per core.
    public var threads = 0
    /// When scoring, a learner's k-th newest course counts 0.5^(k / half-life) (`HistoryRecency`); nil: all alike.
    public var recencyHalfLife: Double?

    public init(neighbors: Int = 50, weighting: ItemWeighting = .cosine, shrinkage: Double = 0, threads: Int = 0,
                recencyHalfLife: Double? = nil) {
        self.neighbors = neighbors
        self.weighting = weighting
        self.shrinkage = shrinkage
        self.threads = threads
        self.recencyHalfLife = recencyHalfLife
    }

    public func validate() throws {
        guard neighbors >= 1 else { throw RecommenderError("neighbors (K) must be at least 1, got \(neighbors)") }
        guard shrinkage >= 0, shrinkage.isFinite else { throw RecommenderError("shrinkage cannot be negative, got \(shrinkage)") }
        if case .bm25(let k1, let b) = weighting {
            guard k1 >= 0, k1.isFinite else { throw RecommenderError("BM25 K1 cannot be negative, got \(k1)") }
            guard (0...1).contains(b) else { throw RecommenderError("BM25 B must be between 0 and 1, got \(b)") }
        }
        guard threads >= 0 else { throw RecommenderError("threads cannot be negative") }
        try HistoryRecency.validate(recencyHalfLife, model: "item-kNN")
    }
}

/// Item-to-item nearest neighbours learnt from who touched what.
///
/// Similarity of courses i and j is the dot product of their weighted learner vectors; each
/// course keeps its top `neighbors` (itself included, as in implicit's `all_pairs_knn`).
/// A learner's score for a course is the sum, over the courses they touched, of their weight
/// times that course's similarity to it (implicit's `NearestNeighboursScorer`).
public struct ItemKNNModel: Sendable, Equatable {
    public let itemCount: Int
    /// CSR over courses: course i's neighbours are `neighborIndices[neighborStarts[i]..<neighborStarts[i + 1]]`,
    /// best first.
    public let neighborStarts: [Int]
    public let neighborIndices: [Int32]
    public let neighborScores: [Double]

    public init(itemCount: Int, neighborStarts: [Int], neighborIndices: [Int32], neighborScores: [Double]) {
        precondition(neighborStarts.count == itemCount + 1 && neighborIndices.count == neighborScores.count)
        self.itemCount = itemCount
        self.neighborStarts = neighborStarts
        self.neighborIndices = neighborIndices
        self.neighborScores = neighborScores
    }

    /// Course `item`'s neighbours, best first, without the course itself.
    public func neighbors(of item: Int) -> [(item: Int32, score: Double)] {
        guard item >= 0 && item < itemCount else { return [] }
        var out: [(item: Int32, score: Double)] = []
        for k in neighborStarts[item]..<neighborStarts[item + 1] where Int(neighborIndices[k]) != item {
            out.append((neighborIndices[k], neighborScores[k]))
        }
        return out
    }

    /// The best `count` courses for a learner who touched `history` (course, weight), leaving out
    /// `excluded`, each with the touched course that contributed most (for "because you took ...").
    /// - Parameter scratch: working memory reused across learners by one thread (made here if nil).
    /// - Complexity: O(|history| x K + candidates x log count).
    public func recommend(history: [(item: Int32, weight: Float)], excluding excluded: Set<Int32>,
                          count: Int, scratch: ScoringScratch? = nil) -> [(item: Int32, score: Float, because: Int32)] {
        let scratch = scratch.flatMap { $0.fits(items: itemCount) ? $0 : nil } ?? ScoringScratch(items: itemCount)
        defer { scratch.clearItems() }
        for (liked, weight) in history where Int(liked) < itemCount && liked >= 0 {
            for k in neighborStarts[Int(liked)]..<neighborStarts[Int(liked) + 1] {
                let item = Int(neighborIndices[k])
                let contribution = Double(weight) * neighborScores[k]
                // A course's own entry adds to its score but explains nothing: prefer any other course.
                let rank = item == Int(liked) ? -1.0 : contribution
                if scratch.marked[item] {
                    scratch.scores[item] += contribution
                    if rank > scratch.best[item] || (rank == scratch.best[item] && liked < scratch.because[item]) {
                        scratch.best[item] = rank
                        scratch.because[item] = liked
                    }
                } else {
                    scratch.touch(item)
                    scratch.scores[item] = contribution
                    scratch.best[item] = rank
                    scratch.because[item] = liked
                }
            }
        }
        var top = TopK(capacity: count)
        for t in 0..<scratch.touchedCount {
            let item = scratch.touched[t]
            let score = scratch.scores[Int(item)]
            if score > 0 && top.admits(item, score) && !excluded.contains(item) { top.insert(item, score) }
        }
        return top.sortedDescending().map { ($0.index, Float($0.score), scratch.because[Int($0.index)]) }
    }
}

/// Trains item-kNN models.
public enum ItemKNN {
    /// Computes every course's neighbours from a learner x course matrix of weights.
    ///
    /// - Parameter progress: called with (courses done, courses) from the worker threads.
    /// - Complexity: O(sum over learners of (courses touched)^2), spread over `threads`.
    public static func train(userItems: SparseMatrix, parameters: ItemKNNParameters = ItemKNNParameters(),
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ItemKNNModel {
        try parameters.validate()
        let itemUsers = userItems.transposed()
        let items = itemUsers.rowCount
        let itemValues = weightedValues(itemUsers: itemUsers, userItems: userItems, weighting: parameters.weighting)
        let byLearner = learnerLayout(of: itemValues, itemUsers: itemUsers, userStarts: userItems.rowStarts)
        let threadCount = max(1, min(parameters.threads == 0 ? activeProcessorCount() : parameters.threads, max(1, items)))
        let perItem = neighborLists(
            itemUsers: itemUsers, itemValues: itemValues, userStarts: userItems.rowStarts,
            userColumns: byLearner.columns, userValues: byLearner.values,
            neighbors: parameters.neighbors, shrinkage: parameters.shrinkage, threads: threadCount, progress: progress
        )
        return ItemKNNModel(lists: perItem)
    }

    /// The course x learner values of `itemUsers` under `weighting`, in Double (implicit's weighting
    /// yields float64 too).
    ///
    /// The steps that implicit (numpy, on a float32 matrix) rounds to float32 are rounded to Float
    /// here too, so scores agree to the last digits even when they run into the thousands.
    /// - Complexity: O(nnz + learners).
    private static func weightedValues(itemUsers: SparseMatrix, userItems: SparseMatrix, weighting: ItemWeighting) -> [Double] {
        var itemValues = itemUsers.values.map(Double.init)
        let userDegree = (0..<userItems.rowCount).map { Double(userItems.rowLength($0)) }
        switch weighting {
        case .cosine:
            normalizeRows(&itemValues, starts: itemUsers.rowStarts, squaresInFloat: true)
        case .tfidf:
            applyTFIDF(&itemValues, itemUsers: itemUsers, userDegree: userDegree)
            normalizeRows(&itemValues, starts: itemUsers.rowStarts, squaresInFloat: false)
        case .bm25(let k1, let b):
            applyBM25(&itemValues, itemUsers: itemUsers, userDegree: userDegree, k1: k1, b: b)
        }
        return itemValues
    }

    /// x' = sqrt(x) * (log N - log(1 + df(u))), the square root taken in Float as numpy takes it.
    /// - Complexity: O(nnz).
    private static func applyTFIDF(_ itemValues: inout [Double], itemUsers: SparseMatrix, userDegree: [Double]) {
        let n = Double(itemUsers.rowCount)
        for i in 0..<itemUsers.rowCount {
            for k in itemUsers.rowStarts[i]..<itemUsers.rowStarts[i + 1] {
                let u = Int(itemUsers.columnIndices[k])
                itemValues[k] = Double(Float(itemValues[k]).squareRoot()) * (log(n) - log1p(userDegree[u]))
            }
        }
    }

    /// x' = x (K1 + 1) / (K1 (1 - B + B len(i) / avglen) + x) * (log N - log(1 + df(u))), the
    /// saturation in Float as numpy computes it.
    /// - Complexity: O(nnz).
    private static func applyBM25(_ itemValues: inout [Double], itemUsers: SparseMatrix, userDegree: [Double],
                                  k1: Double, b: Double) {
        let items = itemUsers.rowCount
        let n = Double(items)
        var lengths = [Double](repeating: 0, count: items)
        for i in 0..<items {
            for k in itemUsers.rowStarts[i]..<itemUsers.rowStarts[i + 1] { lengths[i] += itemValues[k] }
        }
        let average = items > 0 ? Float(lengths.reduce(0, +)) / Float(items) : 1
        let (k1f, bf) = (Float(k1), Float(b))
        for i in 0..<items {
            let lengthNorm = Float(1.0 - b) + bf * Float(lengths[i]) / average
            for k in itemUsers.rowStarts[i]..<itemUsers.rowStarts[i + 1] {
                let u = Int(itemUsers.columnIndices[k])
                let x = Float(itemValues[k])
                let saturated = x * Float(k1 + 1.0) / (k1f * lengthNorm + x)
                itemValues[k] = Double(saturated) * (log(n) - log1p(userDegree[u]))
            }
        }
    }

    /// The same values laid out by learner (rows start at `userStarts`), to walk learner -> courses.
    /// - Complexity: O(nnz).
    private static func learnerLayout(of itemValues: [Double], itemUsers: SparseMatrix,
                                      userStarts: [Int]) -> (columns: [Int32], values: [Double]) {
        var userValues = [Double](repeating: 0, count: itemValues.count)
        var userColumns = [Int32](repeating: 0, count: itemValues.count)
        var next = userStarts
        for i in 0..<itemUsers.rowCount {
            for k in itemUsers.rowStarts[i]..<itemUsers.rowStarts[i + 1] {
                let u = Int(itemUsers.columnIndices[k])
                userColumns[next[u]] = Int32(i)
                userValues[next[u]] = itemValues[k]
                next[u] += 1
            }
        }
        return (userColumns, userValues)
    }

    /// Every course's best `k` neighbours (itself included), best first, computed on `threads`
    /// threads that take 64 courses at a time.
    /// - Complexity: O(sum over learners of (courses touched)^2), spread over `threads`.
    private static func neighborLists(
        itemUsers: SparseMatrix, itemValues: [Double], userStarts: [Int], userColumns: [Int32], userValues: [Double],
        neighbors k: Int, shrinkage: Double, threads: Int, progress: (@Sendable (Int, Int) -> Void)?
    ) -> [[(Int32, Double)]] {
        let items = itemUsers.rowCount
        var perItem = [[(Int32, Double)]](repeating: [], count: items)
        let chunk = 64
        let chunkCount = (items + chunk - 1) / chunk
        let done = AtomicCounter()
        let lock = Lock()
        perItem.withUnsafeMutableBufferPointer { output in
            let output = UnsafeSendable(output)
            itemUsers.rowStarts.withUnsafeBufferPointer { itemStarts in
            itemUsers.columnIndices.withUnsafeBufferPointer { itemColumns in
            itemValues.withUnsafeBufferPointer { itemValues in
            userStarts.withUnsafeBufferPointer { userStarts in
            userColumns.withUnsafeBufferPointer { userColumns in
            userValues.withUnsafeBufferPointer { userValues in
                let shared = UnsafeSendable(SimilarityInput(
                    itemStarts: itemStarts, itemColumns: itemColumns, itemValues: itemValues,
                    userStarts: userStarts, userColumns: userColumns, userValues: userValues
                ))
                let nextChunk = AtomicCounter()
                DispatchQueue.concurrentPerform(iterations: threads) { _ in
                    let input = shared.value
                    let scratch = SimilarityScratch(items: items, countsCommonLearners: shrinkage > 0)
                    defer { scratch.deallocate() }
                    var top = TopK(capacity: k)
                    while true {
                        let c = nextChunk.increment() - 1
                        if c >= chunkCount { break }
                        for i in (c * chunk)..<min(items, (c + 1) * chunk) {
                            let count = accumulateSimilarities(of: i, input: input, scratch: scratch, shrinkage: shrinkage)
                            output.value[i] = bestNeighbors(count: count, scratch: scratch, shrinkage: shrinkage, top: &top)
                        }
                        let finished = done.add(min(items, (c + 1) * chunk) - c * chunk)
                        if let progress { lock.withLock { progress(finished, items) } }
                    }
                }
            }}}}}}
        }
        return perItem
    }

    /// Sums course `i`'s dot products with every course that shares a learner with it into
    /// `scratch.accumulator` (and, with shrinkage, counts the shared learners in `scratch.common`).
    /// - Returns: how many courses it touched; they are `scratch.touched[0..<count]`.
    /// - Complexity: O(sum over course i's learners of the courses they touched).
    @inline(__always)
    private static func accumulateSimilarities(of i: Int, input: SimilarityInput, scratch: SimilarityScratch,
                                               shrinkage: Double) -> Int {
        let (accumulator, stamp, common, touched) = (scratch.accumulator, scratch.stamp, scratch.common, scratch.touched)
        let userColumns = input.userColumns, userValues = input.userValues
        let marker = Int32(i)
        var count = 0
        for a in input.itemStarts[i]..<input.itemStarts[i + 1] {
            let u = Int(input.itemColumns[a])
            let weight = input.itemValues[a]
            var b = input.userStarts[u]
            let end = input.userStarts[u + 1]
            if shrinkage > 0 {
                while b < end {
                    let j = Int(userColumns[b])
                    if stamp[j] != marker {
                        stamp[j] = marker
                        accumulator[j] = 0
                        common[j] = 0
                        touched[count] = Int32(j)
                        count += 1
                    }
                    accumulator[j] += weight * userValues[b]
                    common[j] += 1
                    b += 1
                }
            } else {
                while b < end {
                    let j = Int(userColumns[b])
                    if stamp[j] != marker {
                        stamp[j] = marker
                        accumulator[j] = 0
                        touched[count] = Int32(j)
                        count += 1
                    }
                    accumulator[j] += weight * userValues[b]
                    b += 1
                }
            }
        }
        return count
    }

    /// The best `top.capacity` of the `count` courses that `accumulateSimilarities` touched, best
    /// first, each similarity shrunk to s * n / (n + shrinkage); zero similarities are left out.
    /// - Complexity: O(count x log K + K log K).
    @inline(__always)
    private static func bestNeighbors(count: Int, scratch: SimilarityScratch, shrinkage: Double,
                                      top: inout TopK) -> [(Int32, Double)] {
        top.removeAll()
        for t in 0..<count {
            let j = scratch.touched[t]
            var score = scratch.accumulator[Int(j)]
            if shrinkage > 0 {
                let n = Double(scratch.common[Int(j)])
                score *= n / (n + shrinkage)
            }
            if score != 0 { top.insert(j, score) }
        }
        return top.sortedDescending().map { ($0.index, $0.score) }
    }

    private static func normalizeRows(_ values: inout [Double], starts: [Int], squaresInFloat: Bool) {
        for r in 0..<(starts.count - 1) {
            var sum = 0.0
            for k in starts[r]..<starts[r + 1] {
                sum += squaresInFloat ? Double(Float(values[k]) * Float(values[k])) : values[k] * values[k]
            }
            guard sum > 0 else { continue }
            let norm = sum.squareRoot()
            for k in starts[r]..<starts[r + 1] { values[k] /= norm }
        }
    }
}

/// The weighted matrix as the similarity pass reads it, in both layouts: by course (`item…`) and by
/// learner (`user…`). Raw buffers, read-only while the worker threads run.
private struct SimilarityInput {
    let itemStarts: UnsafeBufferPointer<Int>
    let itemColumns: UnsafeBufferPointer<Int32>
    let itemValues: UnsafeBufferPointer<Double>
    let userStarts: UnsafeBufferPointer<Int>
    let userColumns: UnsafeBufferPointer<Int32>
    let userValues: UnsafeBufferPointer<Double>
}

/// One worker thread's working memory for the similarity pass, made once per thread: per-course
/// sums, the course whose pass last touched each slot (so nothing is cleared between courses),
/// shared-learner counts (only with shrinkage) and the touched list. Never share one.
private struct SimilarityScratch {
    let accumulator: UnsafeMutablePointer<Double>
    let stamp: UnsafeMutablePointer<Int32>
    let common: UnsafeMutablePointer<Int32>
    let touched: UnsafeMutablePointer<Int32>

    /// - Complexity: O(items).
    init(items: Int, countsCommonLearners: Bool) {
        accumulator = .allocate(capacity: items)
        stamp = .allocate(capacity: items)
        common = .allocate(capacity: countsCommonLearners ? items : 1)
        touched = .allocate(capacity: items)
        stamp.initialize(repeating: -1, count: items)
    }

    func deallocate() {
        accumulator.deallocate()
        stamp.deallocate()
        common.deallocate()
        touched.deallocate()
    }
}
