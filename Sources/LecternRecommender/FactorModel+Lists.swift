extension FactorModel {
    /// Courses kept in cache per tile of the blocked product: 1,024 vectors of 64 floats are 256 KiB.
    static let tileFloats = 65_536

    /// The `count` best courses for each learner in `users`, as `recommend(user:excluding:count:)`
    /// gives them (the same scores, bit for bit, and the same ties), computed as a blocked product:
    /// a tile of course vectors stays in cache while four learners at a time are scored against it,
    /// so each course vector is read from memory once per tile, not once per learner.
    ///
    /// Call it from several threads on disjoint sets of learners to use every core.
    /// - Parameter excluded: the courses to leave out for learner `users[i]`, given i.
    /// - Complexity: O(|users| x courses x factors) multiply-adds, O(|users| x count) memory.
    public func recommendations(users: [Int], count: Int, excluded: (Int) -> Set<Int32>) -> [[(item: Int32, score: Float)]] {
        precondition(users.allSatisfy { $0 >= 0 && $0 < userCount }, "a learner outside 0..<\(userCount)")
        guard count > 0, itemCount > 0, !users.isEmpty else { return users.map { _ in [] } }
        let k = factorCount
        let exclusions = users.indices.map { excluded($0) }
        var tops = users.map { _ in FactorTopScores(capacity: count) }
        let tile = max(16, Self.tileFloats / k)
        userFactors.withUnsafeBufferPointer { userBuffer in
            itemFactors.withUnsafeBufferPointer { itemBuffer in
                itemBiases.withUnsafeBufferPointer { biases in
                    let userBase = userBuffer.baseAddress!, itemBase = itemBuffer.baseAddress!
                    var tileStart = 0
                    while tileStart < itemCount {
                        let tileEnd = min(itemCount, tileStart + tile)
                        var u = 0
                        while u < users.count {
                            let group = min(4, users.count - u)
                            if group == 4 {
                                let a0 = userBase + users[u] * k, a1 = userBase + users[u + 1] * k
                                let a2 = userBase + users[u + 2] * k, a3 = userBase + users[u + 3] * k
                                                                for item in tileStart..<tileEnd {
                                    let b = itemBase + item * k
                                    var s = FactorKernels.sameOrderDot4(a0, a1, a2, a3, b, k)
                                    if !biases.isEmpty {
                                        s.0 += biases[item]; s.1 += biases[item]; s.2 += biases[item]; s.3 += biases[item]
                                    }
                                    let index = Int32(item)
                                    if tops[u].admits(s.0, index) && !exclusions[u].contains(index) { tops[u].insert(s.0, index) }
                                    if tops[u + 1].admits(s.1, index) && !exclusions[u + 1].contains(index) { tops[u + 1].insert(s.1, index) }
                                    if tops[u + 2].admits(s.2, index) && !exclusions[u + 2].contains(index) { tops[u + 2].insert(s.2, index) }
                                    if tops[u + 3].admits(s.3, index) && !exclusions[u + 3].contains(index) { tops[u + 3].insert(s.3, index) }
                                }
                            } else {
                                for g in 0..<group {
                                    let a = userBase + users[u + g] * k
                                    for item in tileStart..<tileEnd {
                                        var score = FactorKernels.dot(a, itemBase + item * k, k)
                                        if !biases.isEmpty { score += biases[item] }
                                        let index = Int32(item)
                                        if tops[u + g].admits(score, index) && !exclusions[u + g].contains(index) {
                                            tops[u + g].insert(score, index)
                                        }
                                    }
                                }
                            }
                            u += group
                        }
                        tileStart = tileEnd
                    }
                }
            }
        }
        return tops.map { $0.sortedDescending() }
    }
}

extension FactorKernels {
    /// Four dot products a0·b, a1·b, a2·b, a3·b over `n` floats, reading b once: each summed in the
    /// same order as `dot(_:_:_:)`, so the results equal four calls to it bit for bit.
    @inline(__always)
    static func sameOrderDot4(_ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, _ a2: UnsafePointer<Float>,
                     _ a3: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> (Float, Float, Float, Float) {
        var p0 = Vector(), q0 = Vector(), p1 = Vector(), q1 = Vector()
        var p2 = Vector(), q2 = Vector(), p3 = Vector(), q3 = Vector()
        var j = 0
        while j + 16 <= n {
            let x = load(b + j), y = load(b + j + 8)
            p0 += load(a0 + j) * x; q0 += load(a0 + j + 8) * y
            p1 += load(a1 + j) * x; q1 += load(a1 + j + 8) * y
            p2 += load(a2 + j) * x; q2 += load(a2 + j + 8) * y
            p3 += load(a3 + j) * x; q3 += load(a3 + j + 8) * y
            j &+= 16
        }
        if j + 8 <= n {
            let x = load(b + j)
            p0 += load(a0 + j) * x
            p1 += load(a1 + j) * x
            p2 += load(a2 + j) * x
            p3 += load(a3 + j) * x
            j &+= 8
        }
        var s0 = horizontalSum(p0 + q0), s1 = horizontalSum(p1 + q1)
        var s2 = horizontalSum(p2 + q2), s3 = horizontalSum(p3 + q3)
        while j < n {
            s0 += a0[j] * b[j]
            s1 += a1[j] * b[j]
            s2 += a2[j] * b[j]
            s3 += a3[j] * b[j]
            j &+= 1
        }
        return (s0, s1, s2, s3)
    }
}
