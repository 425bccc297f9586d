#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Statistics for online A/B experiments.
public enum ExperimentStatistics {
    /// The variant a learner sees: a stable hash (FNV-1a, 64 bit) of experiment and learner picks a
    /// bucket 0-99, and buckets are dealt to variants by their traffic shares in order.
    /// - Parameter traffic: percentages that add up to 100.
    public static func variant(experiment: String, learner: String, traffic: [Int]) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (experiment + "\u{1F}" + learner).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        // Mix the low bits so nearby ids spread evenly (splitmix64 finaliser).
        hash = (hash ^ (hash >> 30)) &* 0xbf58_476d_1ce4_e5b9
        hash = (hash ^ (hash >> 27)) &* 0x94d0_49bb_1331_11eb
        hash ^= hash >> 31
        let bucket = Int(hash % 100)
        var upper = 0
        for (index, share) in traffic.enumerated() {
            upper += share
            if bucket < upper { return index }
        }
        return max(0, traffic.count - 1)
    }

    /// A proportion with its 95% Wald confidence interval, clamped to 0...1.
    public static func proportion(_ successes: Int, of trials: Int) -> (rate: Double, low: Double, high: Double) {
        guard trials > 0 else { return (.nan, .nan, .nan) }
        let p = Double(successes) / Double(trials)
        let half = 1.959_963_985 * (p * (1 - p) / Double(trials)).squareRoot()
        return (p, max(0, p - half), min(1, p + half))
    }

    /// Two-proportion z-test (pooled): z and the two-sided p-value for "the rates differ".
    public static func twoProportionZTest(successesA: Int, trialsA: Int, successesB: Int, trialsB: Int) -> (z: Double, p: Double) {
        guard trialsA > 0, trialsB > 0 else { return (.nan, .nan) }
        let pA = Double(successesA) / Double(trialsA), pB = Double(successesB) / Double(trialsB)
        let pooled = Double(successesA + successesB) / Double(trialsA + trialsB)
        let se = (pooled * (1 - pooled) * (1 / Double(trialsA) + 1 / Double(trialsB))).squareRoot()
        guard se > 0 else { return (0, 1) }
        let z = (pB - pA) / se
        return (z, erfc(abs(z) / 2.0.squareRoot()))
    }
}
