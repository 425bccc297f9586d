import Synchronization

/// A parameter or input that matrix factorization (ALS, BPR, `FactorModel`) cannot work with,
/// said in a sentence.
public struct FactorModelError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// Learner and course vectors from matrix factorization: a learner's predicted interest in a
/// course is the dot product of their vectors (plus the course's bias, for BPR).
///
/// Factors are stored as Float32, row-major: `userFactors[u * factorCount ..< (u + 1) * factorCount]`
/// is learner u's vector and likewise for courses, as implicit stores them.
public struct FactorModel: Sendable {
    /// The length of every vector.
    public let factorCount: Int
    public let userCount: Int
    public let itemCount: Int
    /// `userCount` x `factorCount`, row-major.
    public let userFactors: [Float]
    /// `itemCount` x `factorCount`, row-major.
    public let itemFactors: [Float]
    /// One bias per course, added to every score (BPR learns them), or empty (ALS).
    public let itemBiases: [Float]
    /// The regularization and the confidence scaling c = 1 + alpha * w that `foldIn(items:)` uses:
    /// those the model was trained with.
    public let regularization: Float
    public let alpha: Float

    /// YᵀY of the course factors, computed the first time `foldIn` needs it.
    private let cache = FactorModelCache()

    /// A model from factor arrays (for example trained earlier and stored).
    /// - Throws: `FactorModelError` when the arrays do not hold whole vectors of `factorCount`,
    ///   or `itemBiases` is neither empty nor one per course.
    public init(factorCount: Int, userFactors: [Float], itemFactors: [Float], itemBiases: [Float] = [],
                regularization: Float = 0.01, alpha: Float = 1) throws {
        guard factorCount >= 1 else {
            throw FactorModelError("factorCount must be at least 1, got \(factorCount)")
        }
        guard userFactors.count % factorCount == 0, itemFactors.count % factorCount == 0 else {
            throw FactorModelError("factor arrays must hold whole vectors of \(factorCount) floats, got "
                + "\(userFactors.count) user and \(itemFactors.count) course floats")
        }
        guard itemBiases.isEmpty || itemBiases.count == itemFactors.count / factorCount else {
            throw FactorModelError("itemBiases must be empty or hold one bias per course "
                + "(\(itemFactors.count / factorCount)), got \(itemBiases.count)")
        }
        guard regularization >= 0, regularization.isFinite, alpha >= 0, alpha.isFinite else {
            throw FactorModelError("regularization and alpha must be finite and not negative")
        }
        self.init(uncheckedFactorCount: factorCount, userFactors: userFactors, itemFactors: itemFactors,
                  itemBiases: itemBiases, regularization: regularization, alpha: alpha)
    }

    init(uncheckedFactorCount factorCount: Int, userFactors: [Float], itemFactors: [Float],
         itemBiases: [Float], regularization: Float, alpha: Float) {
        self.factorCount = factorCount
        self.userCount = userFactors.count / factorCount
        self.itemCount = itemFactors.count / factorCount
        self.userFactors = userFactors
        self.itemFactors = itemFactors
        self.itemBiases = itemBiases
        self.regularization = regularization
        self.alpha = alpha
    }

    /// Learner `user`'s vector.
    public func userVector(_ user: Int) -> ArraySlice<Float> {
        precondition(user >= 0 && user < userCount, "user \(user) outside 0..<\(userCount)")
        return userFactors[(user * factorCount)..<((user + 1) * factorCount)]
    }

    /// Course `item`'s vector.
    public func itemVector(_ item: Int) -> ArraySlice<Float> {
        precondition(item >= 0 && item < itemCount, "item \(item) outside 0..<\(itemCount)")
        return itemFactors[(item * factorCount)..<((item + 1) * factorCount)]
    }

    /// The predicted interest of learner `user` in course `item`: the dot product of their vectors
    /// (plus the course's bias, if the model has biases).
    public func score(user: Int, item: Int) -> Float {
        precondition(user >= 0 && user < userCount, "user \(user) outside 0..<\(userCount)")
        precondition(item >= 0 && item < itemCount, "item \(item) outside 0..<\(itemCount)")
        let k = factorCount
        let dot = userFactors.withUnsafeBufferPointer { users in
            itemFactors.withUnsafeBufferPointer { items in
                FactorKernels.dot(users.baseAddress! + user * k, items.baseAddress! + item * k, k)
            }
        }
        return itemBiases.isEmpty ? dot : dot + itemBiases[item]
    }

    /// The `count` courses with the highest scores for learner `user`, best first, leaving out
    /// `excluded` (typically what the learner already has). Equal scores go to the lower index first.
    /// - Complexity: O(items x factors + items log count).
    public func recommend(user: Int, excluding excluded: Set<Int32> = [], count: Int) -> [(item: Int32, score: Float)] {
        precondition(user >= 0 && user < userCount, "user \(user) outside 0..<\(userCount)")
        return userFactors.withUnsafeBufferPointer { users in
            recommend(vector: users.baseAddress! + user * factorCount, excluding: excluded, count: count)
        }
    }

    /// The `count` best courses for a learner given by their vector (for example from `foldIn`),
    /// leaving out `excluded`, best first; equal scores go to the lower index first.
    public func recommend(userVector: [Float], excluding excluded: Set<Int32> = [], count: Int) -> [(item: Int32, score: Float)] {
        precondition(userVector.count == factorCount, "userVector has \(userVector.count) factors, the model \(factorCount)")
        return userVector.withUnsafeBufferPointer { vector in
            recommend(vector: vector.baseAddress!, excluding: excluded, count: count)
        }
    }

    private func recommend(vector: UnsafePointer<Float>, excluding excluded: Set<Int32>, count: Int) -> [(item: Int32, score: Float)] {
        guard count > 0, itemCount > 0 else { return [] }
        var top = FactorTopScores(capacity: count)
        let k = factorCount
        itemFactors.withUnsafeBufferPointer { items in
            itemBiases.withUnsafeBufferPointer { biases in
                var row = items.baseAddress!
                for item in 0..<itemCount {
                    var score = FactorKernels.dot(row, vector, k)
                    if !biases.isEmpty { score += biases[item] }
                    row += k
                    if top.admits(score, Int32(item)) && !excluded.contains(Int32(item)) {
                        top.insert(score, Int32(item))
                    }
                }
            }
        }
        return top.sortedDescending()
    }

    /// The `count` courses most like course `item` by the cosine of their vectors, best first,
    /// leaving out `item` itself; equal similarities go to the lower index first. Courses with an
    /// all-zero vector have similarity 0 to everything.
    public func similarItems(to item: Int, count: Int) -> [(item: Int32, score: Float)] {
        precondition(item >= 0 && item < itemCount, "item \(item) outside 0..<\(itemCount)")
        guard count > 0 else { return [] }
        let k = factorCount
        var top = FactorTopScores(capacity: count)
        itemFactors.withUnsafeBufferPointer { items in
            let base = items.baseAddress!
            let query = base + item * k
            let queryNorm = FactorKernels.dot(query, query, k).squareRoot()
            var row = base
            for other in 0..<itemCount {
                defer { row += k }
                if other == item { continue }
                let norm = FactorKernels.dot(row, row, k).squareRoot()
                let denominator = norm * queryNorm
                let similarity = denominator > 0 ? FactorKernels.dot(row, query, k) / denominator : 0
                if top.admits(similarity, Int32(other)) { top.insert(similarity, Int32(other)) }
            }
        }
        return top.sortedDescending()
    }

    /// The vector of a new or changed learner, from the courses they touched and the weights w (as
    /// in the training matrix), with the course factors held fixed: the exact solution of
    /// (YᵀY + Yᵀ(Cu - I)Y + regularization I) x = Yᵀ Cu p(u), c = 1 + alpha w, as implicit's
    /// `recalculate_user` computes it (by Cholesky, in Double). Courses listed twice have their
    /// weights summed. No courses gives the zero vector, as in training.
    ///
    /// This is the ALS problem; on a BPR model it gives a least-squares fit to its course vectors
    /// that ignores the biases.
    /// - Complexity: O(factors² x (courses listed + factors)), plus O(items x factors²) once per model.
    public func foldIn(items: [(item: Int32, weight: Float)]) -> [Float] {
        let k = factorCount
        for entry in items {
            precondition(entry.item >= 0 && Int(entry.item) < itemCount, "item \(entry.item) outside 0..<\(itemCount)")
        }
        guard !items.isEmpty else { return [Float](repeating: 0, count: k) }
        // Merge repeats: sum weights per course.
        let merged: [(item: Int32, weight: Float)]
        if items.count == 1 {
            merged = items
        } else {
            let sorted = items.sorted { $0.item < $1.item }
            var out: [(item: Int32, weight: Float)] = []
            out.reserveCapacity(sorted.count)
            for entry in sorted {
                if let last = out.last, last.item == entry.item {
                    out[out.count - 1].weight += entry.weight
                } else {
                    out.append(entry)
                }
            }
            merged = out
        }

        var a = itemGram()
        var b = [Double](repeating: 0, count: k)
        let alpha = Double(self.alpha)
        itemFactors.withUnsafeBufferPointer { factors in
            for entry in merged {
                let y = factors.baseAddress! + Int(entry.item) * k
                let confidence = 1 + alpha * Double(entry.weight)
                let extra = confidence - 1
                for j in 0..<k {
                    let yj = Double(y[j])
                    b[j] += confidence * yj
                    let scaled = extra * yj
                    for c in j..<k { a[j * k + c] += scaled * Double(y[c]) }
                }
            }
        }
        for j in 0..<k { a[j * k + j] += Double(regularization) }
        // Only the upper triangle was updated: mirror it before factorising.
        for j in 0..<k {
            for c in (j + 1)..<max(j + 1, k) { a[c * k + j] = a[j * k + c] }
        }
        let x = FactorModel.solveSymmetricPositiveDefinite(a, b, k)
        return x.map { Float($0) }
    }

    /// Solves A x = b for a symmetric positive definite `n` x `n` A (row-major, full) by Cholesky.
    /// Should A not be positive definite numerically, a growing multiple of the identity is added.
    static func solveSymmetricPositiveDefinite(_ a: [Double], _ b: [Double], _ n: Int) -> [Double] {
        var trace = 0.0
        for j in 0..<n { trace += abs(a[j * n + j]) }
        var jitter = 0.0
        for _ in 0..<20 {
            if let l = choleskyFactor(a, n, adding: jitter) {
                // L y = b, then Lᵀ x = y.
                var y = b
                for i in 0..<n {
                    var sum = y[i]
                    for j in 0..<i { sum -= l[i * n + j] * y[j] }
                    y[i] = sum / l[i * n + i]
                }
                for i in stride(from: n - 1, through: 0, by: -1) {
                    var sum = y[i]
                    for j in (i + 1)..<max(i + 1, n) { sum -= l[j * n + i] * y[j] }
                    y[i] = sum / l[i * n + i]
                }
                return y
            }
            jitter = jitter == 0 ? max(trace / Double(max(n, 1)), 1) * 1e-10 : jitter * 10
        }
        return [Double](repeating: 0, count: n)
    }

    /// The lower-triangular L with L Lᵀ = A + jitter I, or nil if that is not positive definite.
    private static func choleskyFactor(_ a: [Double], _ n: Int, adding jitter: Double) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0...i {
                var sum = a[i * n + j] + (i == j ? jitter : 0)
                for p in 0..<j { sum -= l[i * n + p] * l[j * n + p] }
                if i == j {
                    guard sum > 0, sum.isFinite else { return nil }
                    l[i * n + i] = sum.squareRoot()
                } else {
                    l[i * n + j] = sum / l[j * n + j]
                }
            }
        }
        return l
    }

    /// YᵀY of the course factors in Double, full `factorCount` x `factorCount`, cached.
    func itemGram() -> [Double] {
        if let gram = cache.gram.withLock({ $0 }) { return gram }
        let k = factorCount
        var gram = [Double](repeating: 0, count: k * k)
        // Sum blocks of 256 rows in Float (fast kernel), then the blocks in Double.
        var block = [Float](repeating: 0, count: k * k)
        itemFactors.withUnsafeBufferPointer { factors in
            block.withUnsafeMutableBufferPointer { block in
                var start = 0
                while start < itemCount {
                    let end = min(itemCount, start + 256)
                    block.update(repeating: 0)
                    FactorKernels.addGram(factors.baseAddress!, rows: start..<end, n: k, into: block.baseAddress!)
                    for j in 0..<k {
                        for c in j..<k { gram[j * k + c] += Double(block[j * k + c]) }
                    }
                    start = end
                }
            }
        }
        for j in 0..<k {
            for c in (j + 1)..<max(j + 1, k) { gram[c * k + j] = gram[j * k + c] }
        }
        cache.gram.withLock { $0 = gram }
        return gram
    }
}

extension FactorModel: Equatable {
    public static func == (lhs: FactorModel, rhs: FactorModel) -> Bool {
        lhs.factorCount == rhs.factorCount && lhs.userFactors == rhs.userFactors
            && lhs.itemFactors == rhs.itemFactors && lhs.itemBiases == rhs.itemBiases
            && lhs.regularization == rhs.regularization && lhs.alpha == rhs.alpha
    }
}

/// Values a `FactorModel` computes once, on first use, behind a lock.
final class FactorModelCache: Sendable {
    let gram = Mutex<[Double]?>(nil)
}

/// The best `capacity` (score, item) pairs seen: higher score first, then lower item.
/// A binary heap whose root is the worst pair kept. NaN scores are never admitted.
struct FactorTopScores {
    let capacity: Int
    private var scores: [Float] = []
    private var items: [Int32] = []

    init(capacity: Int) {
        self.capacity = capacity
        scores.reserveCapacity(min(capacity, 1 << 16))
        items.reserveCapacity(min(capacity, 1 << 16))
    }

    /// Whether (score, item) ranks below (worseScore, worseItem).
    @inline(__always)
    private static func isWorse(_ score: Float, _ item: Int32, than otherScore: Float, _ otherItem: Int32) -> Bool {
        score < otherScore || (score == otherScore && item > otherItem)
    }

    /// Whether `insert` would keep (score, item): cheap, to test before costlier checks.
    @inline(__always)
    func admits(_ score: Float, _ item: Int32) -> Bool {
        guard !score.isNaN else { return false }
        return scores.count < capacity || Self.isWorse(scores[0], items[0], than: score, item)
    }

    mutating func insert(_ score: Float, _ item: Int32) {
        guard admits(score, item) else { return }
        if scores.count < capacity {
            scores.append(score)
            items.append(item)
            var child = scores.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.isWorse(scores[child], items[child], than: scores[parent], items[parent]) else { break }
                scores.swapAt(child, parent)
                items.swapAt(child, parent)
                child = parent
            }
        } else {
            scores[0] = score
            items[0] = item
            var parent = 0
            while true {
                let left = 2 * parent + 1, right = left + 1
                var worst = parent
                if left < scores.count && Self.isWorse(scores[left], items[left], than: scores[worst], items[worst]) { worst = left }
                if right < scores.count && Self.isWorse(scores[right], items[right], than: scores[worst], items[worst]) { worst = right }
                if worst == parent { break }
                scores.swapAt(parent, worst)
                items.swapAt(parent, worst)
                parent = worst
            }
        }
    }

    func sortedDescending() -> [(item: Int32, score: Float)] {
        zip(items, scores)
            .sorted { Self.isWorse($1.1, $1.0, than: $0.1, $0.0) }
            .map { (item: $0.0, score: $0.1) }
    }
}
