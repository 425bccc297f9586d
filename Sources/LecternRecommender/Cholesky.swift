import Dispatch
import LecternCore

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

    /// Columns of the inverse solved together: L is read once per block, not once per column.
    static let block = 16

    /// Writes A⁻¹ into `inverse`, given L from `factor` in the lower triangle of `l`.
    ///
    /// Each thread solves `block` unit columns at a time (L Y = E, then Lᵀ X = Y), so that each
    /// row of L, read from memory, serves 16 right-hand sides held side by side.
    /// - Complexity: O(n³) multiply-adds, O(n x block) extra memory per thread.
    static func invert(factored l: UnsafePointer<Double>, n: Int, into inverse: UnsafeMutablePointer<Double>, threads: Int) {
        let shared = UnsafeSendable((l, inverse))
        let next = AtomicCounter()
        let width = block
        let blocks = (n + width - 1) / width
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, blocks))) { _ in
            let (l, inverse) = shared.value
            // y[i * width + c]: row i of the block's c-th right-hand side.
            let y = UnsafeMutablePointer<Double>.allocate(capacity: max(n, 1) * width)
            let sums = UnsafeMutablePointer<Double>.allocate(capacity: width)
            defer {
                y.deallocate()
                sums.deallocate()
            }
            while true {
                let b = next.increment() - 1
                if b >= blocks { break }
                let first = b * width
                let count = min(width, n - first)
                // L Y = E: the rows above `first` are zero in every column of the block.
                y.update(repeating: 0, count: first * width)
                for i in first..<n {
                    let row = l + i * n
                    for c in 0..<width { sums[c] = first + c == i && c < count ? 1 : 0 }
                    for k in first..<i {
                        let lik = row[k]
                        let yk = y + k * width
                        for c in 0..<width { sums[c] -= lik * yk[c] }
                    }
                    let yi = y + i * width
                    let pivot = row[i]
                    for c in 0..<width { yi[c] = sums[c] / pivot }
                }
                // Lᵀ X = Y, bottom up, reading L by rows: X overwrites Y.
                var i = n - 1
                while i >= 0 {
                    let row = l + i * n
                    let yi = y + i * width
                    let pivot = row[i]
                    for c in 0..<width { yi[c] /= pivot }
                    let low = i
                    for k in 0..<low {
                        let lik = row[k]
                        let yk = y + k * width
                        for c in 0..<width { yk[c] -= lik * yi[c] }
                    }
                    i -= 1
                }
                // A⁻¹ is symmetric: the block's columns are written as rows.
                for c in 0..<count {
                    let out = inverse + (first + c) * n
                    for r in 0..<n { out[r] = y[r * width + c] }
                }
            }
        }
    }
}
