/// The dense vector kernels behind ALS, BPR and `FactorModel`: dot products, a symmetric
/// matrix-vector product, Gram matrices and the sparse CG updates, on raw pointers with SIMD8
/// accumulators, so that they vectorize on the plain x86-64 (SSE2) or ARM64 baseline without
/// compiler flags.
///
/// Every kernel sums in a fixed order that depends only on the vector length, never on the
/// thread that runs it, so results are bit-for-bit reproducible.
enum FactorKernels {
    typealias Vector = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func load(_ p: UnsafeMutablePointer<Float>) -> Vector {
        UnsafeRawPointer(p).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ v: Vector, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vector.self)
    }

    @inline(__always)
    static func horizontalSum(_ v: Vector) -> Float {
        let a = v.lowHalf + v.highHalf
        let b = a.lowHalf + a.highHalf
        return b[0] + b[1]
    }

    /// a · b over `n` floats.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var s0 = Vector(), s1 = Vector()
        var j = 0
        while j + 16 <= n {
            s0 += load(a + j) * load(b + j)
            s1 += load(a + j + 8) * load(b + j + 8)
            j &+= 16
        }
        if j + 8 <= n {
            s0 += load(a + j) * load(b + j)
            j &+= 8
        }
        var sum = horizontalSum(s0 + s1)
        while j < n {
            sum += a[j] * b[j]
            j &+= 1
        }
        return sum
    }

    /// y += a x over `n` floats.
    @inline(__always)
    static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        let av = Vector(repeating: a)
        var j = 0
        while j + 8 <= n {
            store(load(y + j) + av * load(x + j), y + j)
            j &+= 8
        }
        while j < n {
            y[j] += a * x[j]
            j &+= 1
        }
    }

    /// out = A x for a symmetric `n` x `n` matrix stored in full, row-major (so row i is column i).
    /// Accumulates out as the sum over i of x[i] * A[i, :], 32 columns at a time.
    static func symmetricProduct(_ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
                                 _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        var column = 0
        while column + 32 <= n {
            var c0 = Vector(), c1 = Vector(), c2 = Vector(), c3 = Vector()
            var row = a + column
            for i in 0..<n {
                let xi = Vector(repeating: x[i])
                c0 += load(row) * xi
                c1 += load(row + 8) * xi
                c2 += load(row + 16) * xi
                c3 += load(row + 24) * xi
                row += n
            }
            store(c0, out + column)
            store(c1, out + column + 8)
            store(c2, out + column + 16)
            store(c3, out + column + 24)
            column &+= 32
        }
        while column + 8 <= n {
            // Two accumulators (even and odd rows) to halve the dependency chain.
            var c0 = Vector(), c1 = Vector()
            var i = 0
            while i + 2 <= n {
                c0 += load(a + i * n + column) * Vector(repeating: x[i])
                c1 += load(a + (i + 1) * n + column) * Vector(repeating: x[i + 1])
                i &+= 2
            }
            if i < n { c0 += load(a + i * n + column) * Vector(repeating: x[i]) }
            store(c0 + c1, out + column)
            column &+= 8
        }
        while column < n {
            out[column] = dot(a + column * n, x, n)  // row `column` equals column `column`
            column &+= 1
        }
    }

    /// out += sum over the listed rows r of t_r * Y[r, :], where t_r = scale_r * (Y[r, :] · v) + shift_r
    /// with scale_r = alpha * w_r and shift_r = `shiftByConfidence` ? -(1 + alpha * w_r) : 0.
    ///
    /// This is the sparse part of both CG products in implicit ALS: with `shiftByConfidence` false it
    /// adds Yᵀ(Cu - I)Y v; with true it adds Yᵀ(Cu - I)Y v - Yᵀ Cu p(u). Rows are taken four at a
    /// time so that each load of `v` and each load and store of `out` serves four rows, and the four
    /// dot products are reduced together.
    @inline(__always)
    static func sparseUpdate(rows: UnsafePointer<Int32>, weights: UnsafePointer<Float>, count: Int,
                             alpha: Float, shiftByConfidence: Bool,
                             factors y: UnsafePointer<Float>, v: UnsafePointer<Float>,
                             out: UnsafeMutablePointer<Float>, n: Int) {
        var index = 0
        while index + 4 <= count {
            let y0 = y + Int(rows[index]) * n
            let y1 = y + Int(rows[index + 1]) * n
            let y2 = y + Int(rows[index + 2]) * n
            let y3 = y + Int(rows[index + 3]) * n
            let scale = SIMD4<Float>(weights[index], weights[index + 1], weights[index + 2], weights[index + 3]) * alpha
            var t = dot4(y0, y1, y2, y3, v, n) * scale
            if shiftByConfidence { t -= 1 + scale }
            axpy4(t, y0, y1, y2, y3, out, n)
            index += 4
        }
        while index < count {
            let y0 = y + Int(rows[index]) * n
            let s0 = alpha * weights[index]
            var d0 = s0 * dot(y0, v, n)
            if shiftByConfidence { d0 -= 1 + s0 }
            axpy(d0, y0, out, n)
            index += 1
        }
    }

    /// (a · v, b · v, c · v, d · v) in one pass over v.
    @inline(__always)
    static func dot4(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafePointer<Float>,
                     _ d: UnsafePointer<Float>, _ v: UnsafePointer<Float>, _ n: Int) -> SIMD4<Float> {
        var sa = Vector(), sb = Vector(), sc = Vector(), sd = Vector()
        var j = 0
        while j + 8 <= n {
            let vj = load(v + j)
            sa += load(a + j) * vj
            sb += load(b + j) * vj
            sc += load(c + j) * vj
            sd += load(d + j) * vj
            j += 8
        }
        var sums = horizontalSums(sa, sb, sc, sd)
        while j < n {
            sums += SIMD4(a[j], b[j], c[j], d[j]) * v[j]
            j += 1
        }
        return sums
    }

    /// The lane sums of four vectors, reduced together.
    @inline(__always)
    static func horizontalSums(_ a: Vector, _ b: Vector, _ c: Vector, _ d: Vector) -> SIMD4<Float> {
        let a4 = a.lowHalf + a.highHalf, b4 = b.lowHalf + b.highHalf
        let c4 = c.lowHalf + c.highHalf, d4 = d.lowHalf + d.highHalf
        // [a0+a2, b0+b2, a1+a3, b1+b3] and the same for c, d.
        let ab = SIMD4(a4[0], b4[0], a4[1], b4[1]) + SIMD4(a4[2], b4[2], a4[3], b4[3])
        let cd = SIMD4(c4[0], d4[0], c4[1], d4[1]) + SIMD4(c4[2], d4[2], c4[3], d4[3])
        return SIMD4(ab[0], ab[1], cd[0], cd[1]) + SIMD4(ab[2], ab[3], cd[2], cd[3])
    }

    /// out += t[0] a + t[1] b + t[2] c + t[3] d.
    @inline(__always)
    static func axpy4(_ t: SIMD4<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                      _ c: UnsafePointer<Float>, _ d: UnsafePointer<Float>,
                      _ out: UnsafeMutablePointer<Float>, _ n: Int) {
        let ta = Vector(repeating: t[0]), tb = Vector(repeating: t[1])
        let tc = Vector(repeating: t[2]), td = Vector(repeating: t[3])
        var j = 0
        while j + 8 <= n {
            let sum = (ta * load(a + j) + tb * load(b + j)) + (tc * load(c + j) + td * load(d + j))
            store(load(out + j) + sum, out + j)
            j += 8
        }
        while j < n {
            out[j] += (t[0] * a[j] + t[1] * b[j]) + (t[2] * c[j] + t[3] * d[j])
            j += 1
        }
    }

    /// Adds YᵀY over rows `rows` of the row-major `n`-column matrix `y` to the upper triangle
    /// (j <= c) of the row-major `n` x `n` matrix `gram`; the lower triangle gets partial sums of
    /// no meaning and is fixed by `symmetrize`.
    @inline(__always)
    static func addGram(_ y: UnsafePointer<Float>, rows: Range<Int>, n: Int, into gram: UnsafeMutablePointer<Float>) {
        addCrossProducts(left: y + rows.lowerBound * n, right: y + rows.lowerBound * n, count: rows.count, n: n,
                         into: gram)
    }

    /// Adds LᵀR to the upper triangle (j <= c) of the row-major `n` x `n` matrix `out`, for
    /// `count` x `n` row-major L and R (with L = diag(s) R this adds Σ s_r r rᵀ). The lower
    /// triangle gets partial sums of no meaning, fixed by `symmetrize`.
    static func addCrossProducts(left: UnsafePointer<Float>, right: UnsafePointer<Float>, count: Int, n: Int,
                                 into out: UnsafeMutablePointer<Float>) {
        // Tiles of 4 rows x 8 columns of `out`, each summed over all `count` rows in registers.
        var j0 = 0
        while j0 < n {
            let jCount = min(4, n - j0)
            var c0 = (j0 / 8) * 8
            while c0 < n {
                if c0 + 8 <= n {
                    var a0 = Vector(), a1 = Vector(), a2 = Vector(), a3 = Vector()
                    var l = left, r = right
                    if jCount == 4 {
                        for _ in 0..<count {
                            let v = load(r + c0)
                            a0 += Vector(repeating: l[j0]) * v
                            a1 += Vector(repeating: l[j0 + 1]) * v
                            a2 += Vector(repeating: l[j0 + 2]) * v
                            a3 += Vector(repeating: l[j0 + 3]) * v
                            l += n
                            r += n
                        }
                    } else {
                        for _ in 0..<count {
                            let v = load(r + c0)
                            a0 += Vector(repeating: l[j0]) * v
                            if jCount > 1 { a1 += Vector(repeating: l[j0 + 1]) * v }
                            if jCount > 2 { a2 += Vector(repeating: l[j0 + 2]) * v }
                            l += n
                            r += n
                        }
                    }
                    let target = out + j0 * n + c0
                    store(load(target) + a0, target)
                    if jCount > 1 { store(load(target + n) + a1, target + n) }
                    if jCount > 2 { store(load(target + 2 * n) + a2, target + 2 * n) }
                    if jCount > 3 { store(load(target + 3 * n) + a3, target + 3 * n) }
                    c0 += 8
                } else {
                    // Fewer than 8 columns left: scalar.
                    for jj in 0..<jCount {
                        let j = j0 + jj
                        for c in c0..<n where c >= j {
                            var sum: Float = 0
                            var l = left, r = right
                            for _ in 0..<count {
                                sum += l[j] * r[c]
                                l += n
                                r += n
                            }
                            out[j * n + c] += sum
                        }
                    }
                    c0 = n
                }
            }
            j0 += 4
        }
    }

    /// Copies the upper triangle of a row-major `n` x `n` matrix onto its lower triangle.
    static func symmetrize(_ a: UnsafeMutablePointer<Float>, _ n: Int) {
        for j in 0..<n {
            for c in (j + 1)..<max(j + 1, n) {
                a[c * n + j] = a[j * n + c]
            }
        }
    }
}
