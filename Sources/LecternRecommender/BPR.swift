#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of BPR. The defaults are implicit 0.7.3's, except `factors` (implicit: 100).
public struct BPRParameters: Sendable, Equatable {
    /// The length of every learner and course vector, not counting the course bias (default 64).
    public var factors: Int
    /// The SGD step (default 0.01).
    public var learningRate: Float
    /// L2 shrinkage applied at every step to the vectors it touches (default 0.01).
    public var regularization: Float
    /// Epochs; each draws as many (learner, liked, other) triples as the matrix has entries (default 100).
    public var iterations: Int
    /// Fixes the random start and the sampled triples: the same seed gives a bit-identical model.
    public var seed: UInt64
    /// Whether to skip a sampled "other" course the learner has in fact touched (default true).
    public var verifyNegativeSamples: Bool

    public init(factors: Int = 64, learningRate: Float = 0.01, regularization: Float = 0.01, iterations: Int = 100,
                seed: UInt64 = 42, verifyNegativeSamples: Bool = true) {
        self.factors = factors
        self.learningRate = learningRate
        self.regularization = regularization
        self.iterations = iterations
        self.seed = seed
        self.verifyNegativeSamples = verifyNegativeSamples
    }

    /// - Throws: `FactorModelError` naming the first setting out of range.
    public func validate() throws {
        guard factors >= 1 else { throw FactorModelError("factors must be at least 1, got \(factors)") }
        guard learningRate > 0, learningRate.isFinite else {
            throw FactorModelError("learningRate must be a finite number > 0, got \(learningRate)")
        }
        guard regularization >= 0, regularization.isFinite else {
            throw FactorModelError("regularization must be a finite number >= 0, got \(regularization)")
        }
        guard iterations >= 1 else { throw FactorModelError("iterations must be at least 1, got \(iterations)") }
    }
}

/// Bayesian personalised ranking (Rendle et al. 2009) by SGD, as implicit 0.7.3's CPU
/// `BayesianPersonalizedRanking` does it: each step samples a stored entry (learner u, course i)
/// and another course j by picking a second stored entry at random (so popular courses are
/// sampled as negatives more often), and raises x_u·(y_i - y_j) + b_i - b_j. Course biases are
/// learnt as an extra factor whose learner side is fixed at 1.
///
/// Weights in the matrix are ignored: every stored entry is one positive. Training runs on the
/// calling thread, so a seed gives a bit-identical model (implicit's Hogwild threads do not).
public enum BPR {
    /// - Parameter progress: called after each epoch with (done, iterations).
    /// - Returns: a model with `itemBiases`; `score` and `recommend` include them.
    /// - Throws: `FactorModelError` for invalid parameters.
    /// - Complexity: O(iterations x nnz x (factors + log(courses per learner))).
    public static func train(userItems: SparseMatrix, parameters: BPRParameters = BPRParameters(),
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> FactorModel {
        try parameters.validate()
        var random = SeededGenerator(seed: parameters.seed)
        var (userFactors, itemFactors) = initialFactors(userItems: userItems, factors: parameters.factors, random: &random)
        if userItems.nonZeroCount > 0 {
            runEpochs(userItems: userItems, userFactors: &userFactors, itemFactors: &itemFactors, parameters: parameters,
                      random: &random, progress: progress)
        } else {
            for epoch in 1...parameters.iterations { progress?(epoch, parameters.iterations) }
        }
        return splitBiasColumn(userFactors: userFactors, itemFactors: itemFactors, users: userItems.rowCount,
                               items: userItems.columnCount, parameters: parameters)
    }

    /// The starting learner and course vectors, `factors` + 1 floats each (the last is the bias
    /// column), as implicit draws them: (uniform - 0.5) / factors, courses first; courses nobody
    /// touched start at 0, learners' bias column at 1.
    /// - Complexity: O((learners + courses) x factors + nnz).
    private static func initialFactors(userItems: SparseMatrix, factors k: Int,
                                       random: inout SeededGenerator) -> (user: [Float], item: [Float]) {
        let users = userItems.rowCount, items = userItems.columnCount
        let width = k + 1
        var itemFactors = (0..<(items * width)).map { _ in (random.nextUnitFloat() - 0.5) / Float(k) }
        var userFactors = (0..<(users * width)).map { _ in (random.nextUnitFloat() - 0.5) / Float(k) }
        var touched = [Bool](repeating: false, count: items)
        for column in userItems.columnIndices { touched[Int(column)] = true }
        for item in 0..<items where !touched[item] {
            for j in 0..<width { itemFactors[item * width + j] = 0 }
        }
        for user in 0..<users { userFactors[user * width + k] = 1 }
        return (userFactors, itemFactors)
    }

    /// Runs every epoch of SGD on the vectors (bias column included), calling `progress` after each.
    ///
    /// Samples are drawn, looked up and checked a batch at a time, then applied in order. The draws
    /// and checks do not depend on the factors, so this is exactly the one-by-one loop, with the
    /// batch's independent cache misses overlapping instead of queueing up.
    /// - Complexity: O(iterations x nnz x (factors + log(courses per learner))).
    private static func runEpochs(userItems: SparseMatrix, userFactors: inout [Float], itemFactors: inout [Float],
                                  parameters: BPRParameters, random: inout SeededGenerator,
                                  progress: (@Sendable (Int, Int) -> Void)?) {
        let samples = userItems.nonZeroCount
        let width = parameters.factors + 1
        // The learner of every stored entry, to sample entries uniformly.
        var entryUsers = [Int32](repeating: 0, count: samples)
        for user in 0..<userItems.rowCount {
            for index in userItems.rowStarts[user]..<userItems.rowStarts[user + 1] { entryUsers[index] = Int32(user) }
        }
        let rate = parameters.learningRate, reg = parameters.regularization
        let verify = parameters.verifyNegativeSamples
        let batch = 256
        var userBatch = [Int](repeating: 0, count: batch)
        var likedBatch = [Int](repeating: 0, count: batch)
        var otherBatch = [Int](repeating: 0, count: batch)
        userFactors.withUnsafeMutableBufferPointer { x in
        itemFactors.withUnsafeMutableBufferPointer { y in
        userItems.rowStarts.withUnsafeBufferPointer { starts in
        userItems.columnIndices.withUnsafeBufferPointer { columns in
        entryUsers.withUnsafeBufferPointer { entryUsers in
        userBatch.withUnsafeMutableBufferPointer { userBatch in
        likedBatch.withUnsafeMutableBufferPointer { likedBatch in
        otherBatch.withUnsafeMutableBufferPointer { otherBatch in
            let triples = SampleBatch(users: userBatch, liked: likedBatch, others: otherBatch)
            for epoch in 1...parameters.iterations {
                var done = 0
                while done < samples {
                    let count = min(batch, samples - done)
                    done += count
                    drawSamples(count, into: triples, starts: starts, columns: columns, entryUsers: entryUsers,
                                verify: verify, random: &random)
                    applySamples(count, from: triples, userFactors: x, itemFactors: y, width: width,
                                 rate: rate, regularization: reg)
                }
                progress?(epoch, parameters.iterations)
            }
        }}}}}}}}
    }

    /// Draws `count` (learner, liked, other) triples into `batch`: two stored entries at random, the
    /// first giving the learner and the liked course, the second the other course. With `verify`,
    /// a triple whose other course the learner has touched is marked skipped (learner -1).
    /// - Complexity: O(count x log(courses per learner)).
    @inline(__always)
    private static func drawSamples(_ count: Int, into batch: SampleBatch, starts: UnsafeBufferPointer<Int>,
                                    columns: UnsafeBufferPointer<Int32>, entryUsers: UnsafeBufferPointer<Int32>,
                                    verify: Bool, random: inout SeededGenerator) {
        let samples = entryUsers.count
        let (userBatch, likedBatch, otherBatch) = (batch.users, batch.liked, batch.others)
        for s in 0..<count {
            likedBatch[s] = random.nextIndex(below: samples)
            otherBatch[s] = random.nextIndex(below: samples)
        }
        for s in 0..<count {
            let likedIndex = likedBatch[s]
            userBatch[s] = Int(entryUsers[likedIndex])
            likedBatch[s] = Int(columns[likedIndex])
            otherBatch[s] = Int(columns[otherBatch[s]])
        }
        if verify {
            for s in 0..<count {
                let user = userBatch[s]
                if rowContains(columns.baseAddress!, from: starts[user], to: starts[user + 1], Int32(otherBatch[s])) {
                    userBatch[s] = -1  // skipped
                }
            }
        }
    }

    /// Applies the SGD step of each of the first `count` triples of `batch` that is not skipped, in
    /// order, after bringing all their vectors into cache together (one load per cache line).
    /// - Complexity: O(count x factors).
    @inline(__always)
    private static func applySamples(_ count: Int, from batch: SampleBatch, userFactors x: UnsafeMutableBufferPointer<Float>,
                                     itemFactors y: UnsafeMutableBufferPointer<Float>, width: Int,
                                     rate: Float, regularization reg: Float) {
        let (userBatch, likedBatch, otherBatch) = (batch.users, batch.liked, batch.others)
        var lineSum: UInt32 = 0
        for s in 0..<count where userBatch[s] >= 0 {
            lineSum &+= touch(x.baseAddress! + userBatch[s] * width, width)
                &+ touch(y.baseAddress! + likedBatch[s] * width, width)
                &+ touch(y.baseAddress! + otherBatch[s] * width, width)
        }
        consume(lineSum)
        for s in 0..<count where userBatch[s] >= 0 {
            step(user: x.baseAddress! + userBatch[s] * width,
                 liked: y.baseAddress! + likedBatch[s] * width,
                 other: y.baseAddress! + otherBatch[s] * width,
                 factors: width - 1, rate: rate, regularization: reg)
        }
    }

    /// The trained vectors without their bias column, and the course biases, as a `FactorModel`.
    /// - Complexity: O((learners + courses) x factors).
    private static func splitBiasColumn(userFactors: [Float], itemFactors: [Float], users: Int, items: Int,
                                        parameters: BPRParameters) -> FactorModel {
        let k = parameters.factors, width = k + 1
        var userOut = [Float](repeating: 0, count: users * k)
        var itemOut = [Float](repeating: 0, count: items * k)
        var biases = [Float](repeating: 0, count: items)
        for user in 0..<users {
            for j in 0..<k { userOut[user * k + j] = userFactors[user * width + j] }
        }
        for item in 0..<items {
            for j in 0..<k { itemOut[item * k + j] = itemFactors[item * width + j] }
            biases[item] = itemFactors[item * width + k]
        }
        return FactorModel(uncheckedFactorCount: k, userFactors: userOut, itemFactors: itemOut, itemBiases: biases,
                           regularization: parameters.regularization, alpha: 1)
    }

    /// Reads one word per cache line of `count` floats at `p`, so that they are in cache when
    /// needed; returns a meaningless sum for `consume`.
    @inline(__always)
    static func touch(_ p: UnsafeMutablePointer<Float>, _ count: Int) -> UInt32 {
        let raw = UnsafeRawPointer(p)
        var sum: UInt32 = 0
        var offset = 0
        while offset < count * 4 {
            sum &+= raw.load(fromByteOffset: offset, as: UInt32.self)
            offset += 64
        }
        return sum &+ raw.load(fromByteOffset: count * 4 - 4, as: UInt32.self)
    }

    /// Keeps the optimiser from dropping the loads in `touch` (Swift has no prefetch instruction).
    @inline(never) @_optimize(none)
    static func consume(_ value: UInt32) {}

    /// Whether the sorted `columns[from..<to]` contains `column`.
    @inline(__always)
    static func rowContains(_ columns: UnsafePointer<Int32>, from: Int, to: Int, _ column: Int32) -> Bool {
        var low = from, high = to
        while low < high {
            let mid = (low + high) >> 1
            let value = columns[mid]
            if value == column { return true }
            if value < column { low = mid + 1 } else { high = mid }
        }
        return false
    }

    /// One SGD step on (u, i, j), exactly implicit's `bpr_update` body; vectors have `factors` + 1
    /// floats, the last being the course bias (and 1 for the learner).
    @inline(__always)
    static func step(user: UnsafeMutablePointer<Float>, liked: UnsafeMutablePointer<Float>,
                     other: UnsafeMutablePointer<Float>, factors k: Int, rate: Float, regularization reg: Float) {
        typealias V = FactorKernels.Vector
        // score = x_u · (y_i - y_j), bias column included, in SIMD8 lanes.
        var lanes = V()
        var j = 0
        while j + 8 <= k + 1 {
            lanes += FactorKernels.load(user + j) * (FactorKernels.load(liked + j) - FactorKernels.load(other + j))
            j += 8
        }
        var score = FactorKernels.horizontalSum(lanes)
        while j <= k {
            score += user[j] * (liked[j] - other[j])
            j += 1
        }
        let z = 1 / (1 + expf(score))
        if liked == other {
            // Only without verifyNegativeSamples: updated in place one after the other, as implicit does.
            for j in 0..<k {
                let u = user[j]
                user[j] += rate * (z * (liked[j] - other[j]) - reg * user[j])
                liked[j] += rate * (z * u - reg * liked[j])
                other[j] += rate * (-z * u - reg * other[j])
            }
        } else {
            let zv = V(repeating: z), rv = V(repeating: rate), gv = V(repeating: reg)
            j = 0
            while j + 8 <= k {
                let u = FactorKernels.load(user + j), l = FactorKernels.load(liked + j), o = FactorKernels.load(other + j)
                FactorKernels.store(u + rv * (zv * (l - o) - gv * u), user + j)
                FactorKernels.store(l + rv * (zv * u - gv * l), liked + j)
                FactorKernels.store(o + rv * (-zv * u - gv * o), other + j)
                j += 8
            }
            while j < k {
                let u = user[j], l = liked[j], o = other[j]
                user[j] = u + rate * (z * (l - o) - reg * u)
                liked[j] = l + rate * (z * u - reg * l)
                other[j] = o + rate * (-z * u - reg * o)
                j += 1
            }
        }
        liked[k] += rate * (z - reg * liked[k])
        other[k] += rate * (-z - reg * other[k])
    }
}

/// One batch of sampled BPR triples, by position: learner (-1: skipped), liked course, other course.
private struct SampleBatch {
    let users: UnsafeMutableBufferPointer<Int>
    let liked: UnsafeMutableBufferPointer<Int>
    let others: UnsafeMutableBufferPointer<Int>
}
