import Dispatch
import LecternCore
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Settings of implicit-feedback ALS. The defaults are implicit 0.7.3's, except `factors`
/// (implicit: 100).
public struct ALSParameters: Sendable, Equatable {
    /// The length of every learner and course vector (default 64).
    public var factors: Int
    /// λ in (YᵀCuY + λI): shrinks vectors towards zero (default 0.01).
    public var regularization: Float
    /// Confidence c = 1 + alpha * w for a stored weight w; unobserved pairs have c = 1 (default 1).
    public var alpha: Float
    /// Alternations: each solves every learner, then every course (default 15).
    public var iterations: Int
    /// Conjugate gradient steps per vector and alternation, warm-started (default 3).
    public var cgSteps: Int
    /// Fixes the random start: the same seed and data give bit-identical models.
    public var seed: UInt64
    /// Worker threads; 0 also means one per core. The result does not depend on it.
    public var threads: Int

    public init(factors: Int = 64, regularization: Float = 0.01, alpha: Float = 1, iterations: Int = 15,
                cgSteps: Int = 3, seed: UInt64 = 42, threads: Int = ALSParameters.processorCount) {
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.cgSteps = cgSteps
        self.seed = seed
        self.threads = threads
    }

    /// The number of cores this process may run on.
    public static var processorCount: Int {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// - Throws: `FactorModelError` naming the first setting out of range.
    public func validate() throws {
        guard factors >= 1 else { throw FactorModelError("factors must be at least 1, got \(factors)") }
        guard regularization >= 0, regularization.isFinite else {
            throw FactorModelError("regularization must be a finite number >= 0, got \(regularization)")
        }
        guard alpha >= 0, alpha.isFinite else { throw FactorModelError("alpha must be a finite number >= 0, got \(alpha)") }
        guard iterations >= 1 else { throw FactorModelError("iterations must be at least 1, got \(iterations)") }
        guard cgSteps >= 1 else { throw FactorModelError("cgSteps must be at least 1, got \(cgSteps)") }
        guard threads >= 0 else { throw FactorModelError("threads cannot be negative, got \(threads)") }
    }
}

/// Weighted alternating least squares for implicit feedback (Hu, Koren & Volinsky 2008), each
/// least-squares problem solved approximately by a few warm-started conjugate gradient steps
/// (Takács, Pilászy & Tikk 2011), as implicit 0.7.3's `least_squares_cg` does.
///
/// With weights w from the learner x course matrix, it minimises
/// Σ over all (u, i) of c_ui (p_ui - x_u·y_i)² + λ (Σ|x_u|² + Σ|y_i|²),
/// where p_ui = 1 and c_ui = 1 + alpha w_ui for stored entries, p_ui = 0 and c_ui = 1 elsewhere.
public enum ALS {
    /// Factorises a learner x course matrix of weights.
    ///
    /// - Parameters:
    ///   - userItems: learners x courses, weights w >= 0 (stored zeros count as observed, c = 1).
    ///   - initialModel: start from these vectors instead of random ones (same shape and factors),
    ///     for example to refresh yesterday's model with a few iterations.
    ///   - progress: called on the calling thread after each iteration with (done, iterations).
    /// - Throws: `FactorModelError` for invalid parameters, negative or non-finite weights, or an
    ///   `initialModel` of another shape.
    /// - Complexity: per iteration O((cgSteps + 1) x (entries x factors + (users + items) x factors²)),
    ///   spread over `threads`. Memory: the matrix's transpose, the two factor arrays and a few
    ///   vectors per thread.
    public static func train(userItems: SparseMatrix, parameters: ALSParameters = ALSParameters(),
                             initialModel: FactorModel? = nil,
                             progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> FactorModel {
        try parameters.validate()
        for value in userItems.values where !(value >= 0 && value.isFinite) {
            throw FactorModelError("ALS needs finite weights >= 0; the matrix holds \(value)")
        }
        let users = userItems.rowCount, items = userItems.columnCount, k = parameters.factors
        var userFactors: [Float]
        var itemFactors: [Float]
        if let initialModel {
            guard initialModel.factorCount == k, initialModel.userCount == users, initialModel.itemCount == items else {
                throw FactorModelError("initialModel is \(initialModel.userCount) x \(initialModel.itemCount) with "
                    + "\(initialModel.factorCount) factors; the matrix is \(users) x \(items) and factors is \(k)")
            }
            userFactors = initialModel.userFactors
            itemFactors = initialModel.itemFactors
        } else {
            // Like implicit: uniform [0, 1) * 0.01, learners first, then courses.
            var random = SeededGenerator(seed: parameters.seed)
            userFactors = (0..<(users * k)).map { _ in random.nextUnitFloat() * 0.01 }
            itemFactors = (0..<(items * k)).map { _ in random.nextUnitFloat() * 0.01 }
        }

        if users == 0 || items == 0 {
            // Every row is empty: implicit sets such vectors to zero.
            return FactorModel(uncheckedFactorCount: k, userFactors: [Float](repeating: 0, count: users * k),
                               itemFactors: [Float](repeating: 0, count: items * k), itemBiases: [],
                               regularization: parameters.regularization, alpha: parameters.alpha)
        }
        let itemUsers = userItems.transposed()
        let threads = parameters.threads == 0 ? ALSParameters.processorCount : parameters.threads
        let userChunks = ALSSolver.chunkBounds(userItems, factors: k)
        let itemChunks = ALSSolver.chunkBounds(itemUsers, factors: k)
        var gram = [Float](repeating: 0, count: k * k)
        for iteration in 1...parameters.iterations {
            ALSSolver.gramMatrix(itemFactors, rows: items, factors: k, regularization: parameters.regularization,
                                 threads: threads, into: &gram)
            ALSSolver.solve(userItems, chunks: userChunks, solving: &userFactors, fixed: itemFactors, gram: gram,
                            factors: k, alpha: parameters.alpha, cgSteps: parameters.cgSteps, threads: threads)
            ALSSolver.gramMatrix(userFactors, rows: users, factors: k, regularization: parameters.regularization,
                                 threads: threads, into: &gram)
            ALSSolver.solve(itemUsers, chunks: itemChunks, solving: &itemFactors, fixed: userFactors, gram: gram,
                            factors: k, alpha: parameters.alpha, cgSteps: parameters.cgSteps, threads: threads)
            progress?(iteration, parameters.iterations)
        }
        return FactorModel(uncheckedFactorCount: k, userFactors: userFactors, itemFactors: itemFactors,
                           itemBiases: [], regularization: parameters.regularization, alpha: parameters.alpha)
    }
}

/// The parallel pieces of one ALS half-iteration.
enum ALSSolver {
    /// Rows per partial Gram sum. Fixed, so that the sum's rounding does not depend on threads.
    static let gramBlock = 512

    /// Splits the rows into contiguous chunks of similar work (rows cost ~ factors/2 + entries),
    /// about 512 of them, for threads to take one at a time.
    static func chunkBounds(_ matrix: SparseMatrix, factors: Int) -> [Int] {
        let rows = matrix.rowCount
        let perRow = max(1, factors / 2)
        let total = matrix.nonZeroCount + rows * perRow
        let target = max(1, total / 512)
        var bounds = [0]
        var cost = 0
        for row in 0..<rows {
            cost += perRow + matrix.rowLength(row)
            if cost >= target {
                bounds.append(row + 1)
                cost = 0
            }
        }
        if bounds.last != rows { bounds.append(rows) }
        return bounds
    }

    /// Runs `work(chunk)` for chunk in 0..<chunkCount on up to `threads` threads, each thread
    /// taking the next chunk when done; `makeScratch` gives each thread its own scratch memory.
    static func forEachChunk<Scratch: Sendable>(_ chunkCount: Int, threads: Int, makeScratch: @Sendable () -> Scratch,
                                                releaseScratch: @Sendable (Scratch) -> Void,
                                                _ work: @Sendable (Int, Scratch) -> Void) {
        guard chunkCount > 0 else { return }
        let workers = max(1, min(threads, chunkCount))
        if workers == 1 {
            let scratch = makeScratch()
            for chunk in 0..<chunkCount { work(chunk, scratch) }
            releaseScratch(scratch)
            return
        }
        let next = AtomicCounter()
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let scratch = makeScratch()
            while true {
                let chunk = next.increment() - 1
                if chunk >= chunkCount { break }
                work(chunk, scratch)
            }
            releaseScratch(scratch)
        }
    }

    /// gram = YᵀY + regularization I for the `rows` x `factors` row-major Y, full and symmetric.
    /// Blocks of `gramBlock` rows are summed in Float in parallel, the blocks in order in Double.
    static func gramMatrix(_ y: [Float], rows: Int, factors k: Int, regularization: Float, threads: Int,
                           into gram: inout [Float]) {
        let blocks = (rows + gramBlock - 1) / gramBlock
        var partials = [Float](repeating: 0, count: max(1, blocks) * k * k)
        y.withUnsafeBufferPointer { y in
            partials.withUnsafeMutableBufferPointer { partials in
                let y = UnsafeSendable(y.baseAddress!), partials = UnsafeSendable(partials.baseAddress!)
                forEachChunk(blocks, threads: threads, makeScratch: {}, releaseScratch: { _ in }) { block, _ in
                    let start = block * gramBlock
                    FactorKernels.addGram(y.value, rows: start..<min(rows, start + gramBlock), n: k,
                                          into: partials.value + block * k * k)
                }
            }
        }
        var sum = [Double](repeating: 0, count: k * k)
        for block in 0..<blocks {
            let base = block * k * k
            for j in 0..<k {
                for c in j..<k { sum[j * k + c] += Double(partials[base + j * k + c]) }
            }
        }
        for j in 0..<k {
            for c in j..<k {
                let value = Float(sum[j * k + c]) + (j == c ? regularization : 0)
                gram[j * k + c] = value
                gram[c * k + j] = value
            }
        }
    }

    /// Updates every row's vector in `x` by `cgSteps` CG steps towards the least-squares solution
    /// against the fixed vectors `y`, with `gram` = YᵀY + λI. Rows are independent, so the result
    /// does not depend on how chunks are spread over threads.
    static func solve(_ matrix: SparseMatrix, chunks: [Int], solving x: inout [Float], fixed y: [Float],
                      gram: [Float], factors k: Int, alpha: Float, cgSteps: Int, threads: Int) {
        let scratchSize = 3 * k
        x.withUnsafeMutableBufferPointer { x in
        y.withUnsafeBufferPointer { y in
        gram.withUnsafeBufferPointer { gram in
        matrix.rowStarts.withUnsafeBufferPointer { starts in
        matrix.columnIndices.withUnsafeBufferPointer { columns in
        matrix.values.withUnsafeBufferPointer { values in
            let x = UnsafeSendable(x.baseAddress!), y = UnsafeSendable(y.baseAddress!), gram = UnsafeSendable(gram.baseAddress!)
            let starts = UnsafeSendable(starts.baseAddress!), columns = UnsafeSendable(columns.baseAddress!)
            let values = UnsafeSendable(values.baseAddress!)
            forEachChunk(chunks.count - 1, threads: threads,
                         makeScratch: { UnsafeSendable(UnsafeMutablePointer<Float>.allocate(capacity: scratchSize)) },
                         releaseScratch: { $0.value.deallocate() }) { chunk, scratch in
                let r = scratch.value, p = r + k, ap = p + k
                for row in chunks[chunk]..<chunks[chunk + 1] {
                    let start = starts.value[row], end = starts.value[row + 1]
                    conjugateGradient(x: x.value + row * k, columns: columns.value + start,
                                      weights: values.value + start, count: end - start, gram: gram.value,
                                      y: y.value, k: k, alpha: alpha, steps: cgSteps, r: r, p: p, ap: ap)
                }
            }
        }}}}}}
    }

    /// implicit's least_squares_cg for one row: x is warm-started, `r`, `p`, `ap` are scratch.
    @inline(__always)
    static func conjugateGradient(x: UnsafeMutablePointer<Float>, columns: UnsafePointer<Int32>,
                                  weights: UnsafePointer<Float>, count: Int, gram: UnsafePointer<Float>,
                                  y: UnsafePointer<Float>, k: Int, alpha: Float, steps: Int,
                                  r: UnsafeMutablePointer<Float>, p: UnsafeMutablePointer<Float>,
                                  ap: UnsafeMutablePointer<Float>) {
        if count == 0 {
            x.update(repeating: 0, count: k)
            return
        }
        // ap = A x - b = (YᵀY + λI) x + Yᵀ(Cu - I)Y x - Yᵀ Cu p(u); r = p = -ap.
        FactorKernels.symmetricProduct(gram, x, ap, k)
        FactorKernels.sparseUpdate(rows: columns, weights: weights, count: count, alpha: alpha,
                                   shiftByConfidence: true, factors: y, v: x, out: ap, n: k)
        var rsOld = negateInto(ap, r, p, k)
        if rsOld < 1e-20 { return }
        for _ in 0..<steps {
            // ap = A p, without forming Yᵀ Cu Y.
            FactorKernels.symmetricProduct(gram, p, ap, k)
            FactorKernels.sparseUpdate(rows: columns, weights: weights, count: count, alpha: alpha,
                                       shiftByConfidence: false, factors: y, v: p, out: ap, n: k)
            let pAp = FactorKernels.dot(p, ap, k)
            guard pAp > 0 else { break }  // only for a singular A (regularization 0)
            let step = rsOld / pAp
            let rsNew = stepSolution(x: x, r: r, p: p, ap: ap, step: step, k)
            if rsNew < 1e-20 { break }
            updateDirection(p: p, r: r, beta: rsNew / rsOld, k)
            rsOld = rsNew
        }
    }

    /// r = p = -a; returns r·r.
    @inline(__always)
    static func negateInto(_ a: UnsafeMutablePointer<Float>, _ r: UnsafeMutablePointer<Float>,
                           _ p: UnsafeMutablePointer<Float>, _ k: Int) -> Float {
        typealias V = FactorKernels.Vector
        var sum = V()
        var j = 0
        while j + 8 <= k {
            let v = -FactorKernels.load(a + j)
            FactorKernels.store(v, r + j)
            FactorKernels.store(v, p + j)
            sum += v * v
            j += 8
        }
        var total = FactorKernels.horizontalSum(sum)
        while j < k {
            let v = -a[j]
            r[j] = v
            p[j] = v
            total += v * v
            j += 1
        }
        return total
    }

    /// x += step p; r -= step ap; returns r·r.
    @inline(__always)
    static func stepSolution(x: UnsafeMutablePointer<Float>, r: UnsafeMutablePointer<Float>,
                             p: UnsafeMutablePointer<Float>, ap: UnsafeMutablePointer<Float>, step: Float,
                             _ k: Int) -> Float {
        typealias V = FactorKernels.Vector
        let s = V(repeating: step)
        var sum = V()
        var j = 0
        while j + 8 <= k {
            FactorKernels.store(FactorKernels.load(x + j) + s * FactorKernels.load(p + j), x + j)
            let rv = FactorKernels.load(r + j) - s * FactorKernels.load(ap + j)
            FactorKernels.store(rv, r + j)
            sum += rv * rv
            j += 8
        }
        var total = FactorKernels.horizontalSum(sum)
        while j < k {
            x[j] += step * p[j]
            r[j] -= step * ap[j]
            total += r[j] * r[j]
            j += 1
        }
        return total
    }

    /// p = r + beta p.
    @inline(__always)
    static func updateDirection(p: UnsafeMutablePointer<Float>, r: UnsafeMutablePointer<Float>, beta: Float, _ k: Int) {
        typealias V = FactorKernels.Vector
        let b = V(repeating: beta)
        var j = 0
        while j + 8 <= k {
            FactorKernels.store(FactorKernels.load(r + j) + b * FactorKernels.load(p + j), p + j)
            j += 8
        }
        while j < k {
            p[j] = r[j] + beta * p[j]
            j += 1
        }
    }
}
