import Foundation

/// A xoshiro256** pseudo-random generator, seeded through SplitMix64, that every draw of the generator goes through.
///
/// Both algorithms are fixed here rather than taken from the standard library, so the same seed gives the
/// same platform on every machine and toolchain (Blackman & Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 2021; https://prng.di.unimi.it).
struct RandomSource {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// Creates a generator whose state is expanded from `seed` by SplitMix64.
    init(seed: UInt64) {
        var state = seed
        s0 = Self.splitMix(&state)
        s1 = Self.splitMix(&state)
        s2 = Self.splitMix(&state)
        s3 = Self.splitMix(&state)
    }

    /// Creates the generator of one independent stream: a purpose and an index (a learner, say) under one seed.
    init(seed: UInt64, stream: RandomStream, index: Int) {
        var state = seed ^ (stream.rawValue &* 0xD1B5_4A32_D192_ED03)
        let base = Self.splitMix(&state)
        var mixed = base &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15
        self.init(seed: Self.splitMix(&mixed))
    }

    /// Advances a SplitMix64 state and returns its next output.
    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Returns the next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Returns a uniform double in [0, 1).
    @inline(__always)
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Returns a uniform integer in 0..<`bound`; `bound` must be positive.
    @inline(__always)
    mutating func below(_ bound: Int) -> Int {
        Int(truncatingIfNeeded: UInt64(bound).multipliedFullWidth(by: next()).high)
    }

    /// Returns a uniform integer in `range`.
    @inline(__always)
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// Returns a uniform double in `range`.
    @inline(__always)
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * unit()
    }

    /// Returns true with probability `probability`.
    @inline(__always)
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// Returns a standard normal deviate (Box-Muller).
    mutating func normal() -> Double {
        let u1 = 1.0 - unit()
        let u2 = unit()
        return (-2.0 * log(u1)).squareRoot() * cos(2.0 * Double.pi * u2)
    }

    /// Returns an exponential deviate with mean 1.
    mutating func exponential() -> Double {
        -log(1.0 - unit())
    }

    /// Returns a uniformly chosen element of a non-empty array.
    @inline(__always)
    mutating func element<Element>(of array: [Element]) -> Element {
        array[below(array.count)]
    }

    /// Returns an index chosen with probability proportional to its weight.
    ///
    /// - Complexity: O(*n*) in the number of weights.
    mutating func index(weightedBy weights: [Double]) -> Int {
        var total = 0.0
        for weight in weights { total += weight }
        var target = unit() * total
        for (index, weight) in weights.enumerated() {
            target -= weight
            if target < 0 { return index }
        }
        return weights.count - 1
    }
}
