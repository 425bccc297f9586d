import Dispatch

/// Inverts a dense symmetric positive definite matrix by Cholesky factorisation (A = L Lᵀ),
/// on several threads; no LAPACK.
///
/// Row-major n x n buffers of `Double`. Factorisation is column by column (the rows below the
/// diagonal of one column are independent, so they are shared among threads); the inverse is then
/// solved one unit column at a time (L y = e_j, Lᵀ x = y), columns shared among threads.
enum Cholesky {
    /// Replaces the lower triangle of `a` with L; the strict upper triangle is left as it was.
    /// - Throws: `RecommenderError` when `a` is not positive definite (a pivot is not positive).
    /// - Complexity: O(n³ / 3) multiply-adds, O(1) extra memory.
    static func factor(_ a: UnsafeMutablePointer<Double>, n: Int, threads: Int) throws {
        let shared = UnsafeSendable(a)
        for j in 0..<n {
            let rowJ = a + j * n
            var pivot = rowJ[j]
            for k in 0..<j { pivot -= rowJ[k] * rowJ[k] }
            guard pivot > 0, pivot.isFinite else {
                throw RecommenderError("the matrix is not positive definite at column \(j): raise the regularisation")
            }
            let diagonal = pivot.squareRoot()
            rowJ[j] = diagonal
            let below = n - j - 1
            guard below > 0 else { continue }
            // Each row below the diagonal costs j multiply-adds: split among threads only when it pays.
            let workers = below * j < 32_768 ? 1 : min(threads, below)
            let per = (below + workers - 1) / workers
            let column: @Sendable (Int) -> Void = { w in
                let a = shared.value
                let rowJ = a + j * n
                let start = j + 1 + w * per
                let end = min(n, start + per)
                guard start < end else { return }
                for i in start..<end {
                    let rowI = a + i * n
                    var sum = rowI[j]
                    for k in 0..<j { sum -= rowI[k] * rowJ[k] }
                    rowI[j] = sum / diagonal
                }
            }
            if workers == 1 { column(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: column) }
        }
    }

    /// Writes A⁻¹ into `inverse`, given L from `factor` in the lower triangle of `l`.
    /// - Complexity: O(n³) multiply-adds, O(n) extra memory per thread.
    static func invert(factored l: UnsafePointer<Double>, n: Int, into inverse: UnsafeMutablePointer<Double>, threads: Int) {
        let shared = UnsafeSendable((l, inverse))
        let next = Counter()
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, n))) { _ in
            let (l, inverse) = shared.value
            let y = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1))
            defer { y.deallocate() }
            while true {
                let j = next.increment() - 1
                if j >= n { break }
                // L y = e_j: y is zero above j.
                for i in 0..<j { y[i] = 0 }
                for i in j..<n {
                    let row = l + i * n
                    var sum = i == j ? 1.0 : 0.0
                    for k in j..<i { sum -= row[k] * y[k] }
                    y[i] = sum / row[i]
                }
                // Lᵀ x = y, column-oriented so that L is read by rows: x overwrites y.
                var i = n - 1
                while i >= 0 {
                    let row = l + i * n
                    let x = y[i] / row[i]
                    y[i] = x
                    for k in 0..<i { y[k] -= row[k] * x }
                    i -= 1
                }
                // A⁻¹ is symmetric: column j is written as row j.
                (inverse + j * n).update(from: y, count: n)
            }
        }
    }
}
