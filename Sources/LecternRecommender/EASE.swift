import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LecternCore

/// Settings of EASE.
public struct EASEParameters: Sendable, Equatable {
    /// λ, added to the diagonal of XᵀX (default 500, Steck's setting for the ML-20M-sized data sets).
    public var regularization: Double
    /// Weights kept per course, largest first (default 200); the catalog size keeps the exact model.
    public var neighbors: Int
    /// Worker threads; 0 means one per core.
    public var threads: Int
    /// When scoring, a learner's k-th newest course counts 0.5^(k / half-life) (`HistoryRecency`); nil: all alike.
    public var recencyHalfLife: Double?

    public init(regularization: Double = 500, neighbors: Int = 200, threads: Int = 0, recencyHalfLife: Double? = nil) {
        self.regularization = regularization
        self.neighbors = neighbors
        self.threads = threads
        self.recencyHalfLife = recencyHalfLife
    }

    public func validate() throws {
        guard regularization > 0, regularization.isFinite else {
            throw RecommenderError("EASE lambda must be a finite number > 0, got \(regularization)")
        }
        guard neighbors >= 1 else { throw RecommenderError("neighbors (K) must be at least 1, got \(neighbors)") }
        guard threads >= 0 else { throw RecommenderError("threads cannot be negative") }
        try HistoryRecency.validate(recencyHalfLife, model: "EASE")
    }
}

/// Embarrassingly shallow autoencoder (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse
/// Data", WWW '19, https://arxiv.org/abs/1905.03375): the item-item weights in closed form,
/// B = I - P diag(1 / diag(P)) with P = (XᵀX + λI)⁻¹, so that diag(B) = 0.
///
/// A learner's score for course j is Σ_i x_ui B_ij, so B's rows are kept as neighbour lists in an
/// `ItemKNNModel` and scored, cached, explained and folded in exactly like item-kNN.
/// X holds the matrix's weights as given (Steck uses 0/1; Lectern's weights are the counts and
/// kinds of events, as for every other model).
public enum EASE {
    /// The largest catalog EASE trains on: two dense courses x courses matrices of `Double`
    /// (6.4 GB at 20,000 courses, 12.8 GB at this limit).
    public static let maxCourses = 28_000

    /// Bytes of memory `train` needs for a catalog of `courses` courses.
    public static func bytesNeeded(courses: Int) -> Int {
        2 * courses * courses * MemoryLayout<Double>.size
    }

    /// Computes B and keeps each course's `neighbors` largest weights.
    ///
    /// - Parameter progress: called with (steps done, steps) as the Gram matrix, the factorisation
    ///   and the inverse are computed.
    /// - Throws: `RecommenderError` when the catalog is larger than `maxCourses`, when the memory
    ///   needed is more than three quarters of the machine's, or for invalid parameters.
    /// - Complexity: O(Σ_users (courses touched)²) for XᵀX, then O(courses³) for the inverse (on
    ///   `threads` cores), O(courses²) memory. Courses³ needs its reason: it is the closed form, and
    ///   the catalog size is capped.
    public static func train(userItems: SparseMatrix, parameters: EASEParameters = EASEParameters(),
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> ItemKNNModel {
        try parameters.validate()
        let n = userItems.columnCount
        guard n <= maxCourses else {
            throw RecommenderError("EASE handles at most \(maxCourses) courses (two dense courses x courses matrices); this catalog has \(n): use rp3beta or itemknn")
        }
        let bytes = bytesNeeded(courses: n)
        let physical = Int(sysconf(Int32(_SC_PHYS_PAGES))) * Int(sysconf(Int32(_SC_PAGESIZE)))
        guard physical <= 0 || bytes <= physical / 4 * 3 else {
            throw RecommenderError("EASE on \(n) courses needs \(bytes / 1_048_576) MiB, more than three quarters of this machine's \(physical / 1_048_576) MiB: use rp3beta or itemknn")
        }
        let threads = max(1, parameters.threads == 0 ? activeProcessorCount() : parameters.threads)
        guard n > 0 else { return ItemKNNModel(itemCount: 0, neighborStarts: [0], neighborIndices: [], neighborScores: []) }
        let gram = UnsafeMutablePointer<Double>.allocate(capacity: n * n)
        defer { gram.deallocate() }
        gram.initialize(repeating: 0, count: n * n)
        progress?(0, 3)
        Self.gram(userItems, into: gram, threads: threads)
        for i in 0..<n { gram[i * n + i] += parameters.regularization }
        try Cholesky.factor(gram, n: n, threads: threads)
        progress?(1, 3)
        let p = UnsafeMutablePointer<Double>.allocate(capacity: n * n)
        defer { p.deallocate() }
        Cholesky.invert(factored: gram, n: n, into: p, threads: threads)
        progress?(2, 3)

        // Row i of B: B_ij = -P_ij / P_jj for j != i, 0 on the diagonal.
        let k = min(parameters.neighbors, n)
        var perItem = [[(Int32, Double)]](repeating: [], count: n)
        perItem.withUnsafeMutableBufferPointer { output in
            let shared = UnsafeSendable((output, UnsafePointer(p)))
            let next = AtomicCounter()
            DispatchQueue.concurrentPerform(iterations: min(threads, n)) { _ in
                let (output, p) = shared.value
                var top = TopK(capacity: k)
                while true {
                    let i = next.increment() - 1
                    if i >= n { break }
                    top.removeAll()
                    let row = p + i * n
                    for j in 0..<n where j != i {
                        let weight = -row[j] / p[j * n + j]
                        if weight != 0 && top.admits(Int32(j), weight) { top.insert(Int32(j), weight) }
                    }
                    output[i] = top.sortedDescending().map { ($0.index, $0.score) }
                }
            }
        }
        progress?(3, 3)
        return ItemKNNModel(lists: perItem)
    }

    /// Writes XᵀX (courses x courses, row-major) into `gram`, rows shared among threads.
    /// - Complexity: O(Σ_users (courses touched)²).
    static func gram(_ userItems: SparseMatrix, into gram: UnsafeMutablePointer<Double>, threads: Int) {
        let itemUsers = userItems.transposed()
        let n = itemUsers.rowCount
        let shared = UnsafeSendable(gram)
        let next = AtomicCounter()
        let chunk = 16
        DispatchQueue.concurrentPerform(iterations: min(threads, max(1, n))) { _ in
            let gram = shared.value
            while true {
                let c = next.increment() - 1
                if c * chunk >= n { break }
                for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                    let row = gram + i * n
                    for a in itemUsers.rowStarts[i]..<itemUsers.rowStarts[i + 1] {
                        let u = Int(itemUsers.columnIndices[a])
                        let weight = Double(itemUsers.values[a])
                        for b in userItems.rowStarts[u]..<userItems.rowStarts[u + 1] {
                            row[Int(userItems.columnIndices[b])] += weight * Double(userItems.values[b])
                        }
                    }
                }
            }
        }
    }
}

extension ItemKNNModel {
    /// A model from each course's neighbour list, best first.
    init(lists: [[(Int32, Double)]]) {
        var starts = [Int](repeating: 0, count: lists.count + 1)
        for i in lists.indices { starts[i + 1] = starts[i] + lists[i].count }
        var indices = [Int32](), scores = [Double]()
        indices.reserveCapacity(starts[lists.count])
        scores.reserveCapacity(starts[lists.count])
        for list in lists {
            for (j, s) in list {
                indices.append(j)
                scores.append(s)
            }
        }
        self.init(itemCount: lists.count, neighborStarts: starts, neighborIndices: indices, neighborScores: scores)
    }
}
