#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Top-K metrics for one ranked list against a set of relevant courses, and over many lists.
///
/// Accuracy metrics follow implicit 0.7.3's `ranking_metrics_at_k` (`implicit/evaluation.pyx`)
/// exactly, position by position: only the first K entries of a list count; a list shorter than
/// K counts its missing places as misses; a course listed twice counts twice (the `Evaluator`
/// removes repeats before scoring, so its lists never do). Relevance is binary. Where implicit
/// has one definition and a textbook another, both are here under different names:
///
/// - implicit's precision divides by min(K, |relevant|), so a learner with 2 relevant courses
///   who gets both scores 1 at K = 10; and over learners it pools hits (sum of hits over sum of
///   min(K, |relevant|)) instead of averaging each learner's value. `precisionOverK` is the
///   textbook hits / K, averaged over learners.
/// - MAP normalises each learner's sum of precisions at hits by min(K, |relevant|), not by
///   |relevant| (as trec_eval does) nor by the number of hits.
/// - NDCG: gain 1 for a relevant course at place i (from 0), discount 1 / log2(i + 2); the ideal
///   DCG puts min(K, |relevant|) relevant courses first.
///
/// implicit computes neither recall, MRR, hit rate nor the list metrics; they are defined here.
public enum RankingMetrics {
    /// The number of relevant courses among the first `k` of `ranked`.
    public static func hits(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Int {
        var count = 0
        for item in ranked.prefix(k) where relevant.contains(item) { count += 1 }
        return count
    }

    /// implicit's precision of one list: hits / min(K, |relevant|). `relevant` must not be empty.
    public static func precision(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        precondition(!relevant.isEmpty && k >= 1, "precision needs relevant courses and K >= 1")
        return Double(hits(ranked, relevant: relevant, k: k)) / Double(min(k, relevant.count))
    }

    /// Textbook precision of one list: hits / K.
    public static func precisionOverK(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        precondition(k >= 1, "precision needs K >= 1")
        return Double(hits(ranked, relevant: relevant, k: k)) / Double(k)
    }

    /// hits / |relevant|. `relevant` must not be empty.
    public static func recall(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        precondition(!relevant.isEmpty, "recall needs relevant courses")
        return Double(hits(ranked, relevant: relevant, k: k)) / Double(relevant.count)
    }

    /// The discount of place `index` (from 0): 1 / log2(index + 2).
    @inline(__always)
    static func discount(_ index: Int) -> Double { 1 / log2(Double(index + 2)) }

    /// DCG / ideal DCG, binary gains, log2 discount; the ideal ranks min(K, |relevant|) relevant
    /// courses first. `relevant` must not be empty.
    public static func ndcg(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        precondition(!relevant.isEmpty && k >= 1, "NDCG needs relevant courses and K >= 1")
        var dcg = 0.0
        for (index, item) in ranked.prefix(k).enumerated() where relevant.contains(item) { dcg += discount(index) }
        var ideal = 0.0
        for index in 0..<min(k, relevant.count) { ideal += discount(index) }
        return dcg / ideal
    }

    /// implicit's average precision: the sum of precision@(i + 1) over places i holding a relevant
    /// course, divided by min(K, |relevant|). `relevant` must not be empty.
    public static func averagePrecision(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        precondition(!relevant.isEmpty && k >= 1, "average precision needs relevant courses and K >= 1")
        var found = 0.0, sum = 0.0
        for (index, item) in ranked.prefix(k).enumerated() where relevant.contains(item) {
            found += 1
            sum += found / Double(index + 1)
        }
        return sum / Double(min(k, relevant.count))
    }

    /// 1 / (place of the first relevant course, from 1) within the first `k`, or 0.
    public static func reciprocalRank(_ ranked: [Int32], relevant: Set<Int32>, k: Int) -> Double {
        for (index, item) in ranked.prefix(k).enumerated() where relevant.contains(item) { return 1 / Double(index + 1) }
        return 0
    }

    /// implicit's AUC limited to the top K: the top K ranked as listed, every other course tied
    /// below them. Places past the end of a short list count as misses (as implicit's -1 ids).
    /// NaN when every course of the catalog is relevant (implicit divides 0 by 0 there too).
    public static func auc(_ ranked: [Int32], relevant: Set<Int32>, k: Int, catalogSize: Int) -> Double {
        precondition(!relevant.isEmpty && k >= 1, "AUC needs relevant courses and K >= 1")
        var hit = 0.0, miss = 0.0, area = 0.0
        for index in 0..<k {
            if index < ranked.count && relevant.contains(ranked[index]) {
                hit += 1
            } else {
                miss += 1
                area += hit
            }
        }
        let positives = Double(relevant.count), negatives = Double(catalogSize) - positives
        area += (hit + positives) / 2 * (negatives - miss)
        return area / (positives * negatives)
    }

    /// The accuracy metrics over learners, each learner's list scored against their relevant set:
    /// `precision` pooled as implicit does, the others averaged with each learner counting once.
    /// Every value is NaN when `lists` is empty; every relevant set must be non-empty.
    /// - Complexity: O(lists x K).
    public static func accuracy(_ lists: [(ranked: [Int32], relevant: Set<Int32>)], k: Int, catalogSize: Int) -> [Metric: Double] {
        var pooledHits = 0.0, pooledDivisor = 0.0
        var sums: [Metric: Double] = [:]
        for (ranked, relevant) in lists {
            let found = hits(ranked, relevant: relevant, k: k)
            pooledHits += Double(found)
            pooledDivisor += Double(min(k, relevant.count))
            sums[.precisionOverK, default: 0] += precisionOverK(ranked, relevant: relevant, k: k)
            sums[.recall, default: 0] += recall(ranked, relevant: relevant, k: k)
            sums[.ndcg, default: 0] += ndcg(ranked, relevant: relevant, k: k)
            sums[.map, default: 0] += averagePrecision(ranked, relevant: relevant, k: k)
            sums[.mrr, default: 0] += reciprocalRank(ranked, relevant: relevant, k: k)
            sums[.hitRate, default: 0] += found > 0 ? 1 : 0
            sums[.auc, default: 0] += auc(ranked, relevant: relevant, k: k, catalogSize: catalogSize)
        }
        let n = Double(lists.count)
        var out: [Metric: Double] = [.precision: lists.isEmpty ? .nan : pooledHits / pooledDivisor]
        for metric in [Metric.precisionOverK, .recall, .ndcg, .map, .mrr, .hitRate, .auc] {
            out[metric] = lists.isEmpty ? .nan : sums[metric, default: 0] / n
        }
        return out
    }

    /// One learner's value of `metric` at `k`, for the metrics averaged with each learner counting
    /// once (`accuracy`); nil for pooled precision and the list metrics, which have none per learner.
    public static func perLearner(_ metric: Metric, ranked: [Int32], relevant: Set<Int32>, k: Int, catalogSize: Int) -> Double? {
        switch metric {
        case .precisionOverK: precisionOverK(ranked, relevant: relevant, k: k)
        case .recall: recall(ranked, relevant: relevant, k: k)
        case .ndcg: ndcg(ranked, relevant: relevant, k: k)
        case .map: averagePrecision(ranked, relevant: relevant, k: k)
        case .mrr: reciprocalRank(ranked, relevant: relevant, k: k)
        case .hitRate: hits(ranked, relevant: relevant, k: k) > 0 ? 1 : 0
        case .auc: auc(ranked, relevant: relevant, k: k, catalogSize: catalogSize)
        case .precision, .coverage, .novelty, .domainDiversity, .tagDiversity, .creatorGini: nil
        }
    }

    // MARK: Lists

    /// Distinct courses in all lists / `catalogSize` (courses outside 0..<catalogSize ignored).
    public static func coverage(_ lists: [[Int32]], catalogSize: Int) -> Double {
        guard catalogSize > 0 else { return 0 }
        var recommended = Set<Int32>()
        for list in lists {
            for item in list where item >= 0 && Int(item) < catalogSize { recommended.insert(item) }
        }
        return Double(recommended.count) / Double(catalogSize)
    }

    /// Mean self-information of a list's courses, -log2(`popularityShare[item]`); NaN for an
    /// empty list. Shares must be positive (the `Evaluator` gives courses nobody touched the share
    /// of one learner).
    public static func novelty(_ list: [Int32], popularityShare: [Double]) -> Double {
        guard !list.isEmpty else { return .nan }
        var sum = 0.0
        for item in list { sum -= log2(popularityShare[Int(item)]) }
        return sum / Double(list.count)
    }

    /// The share of unordered pairs of a list whose courses are in different domains; nil for a
    /// list of fewer than two courses.
    /// - Complexity: O(list²).
    public static func domainDiversity(_ list: [Int32], domains: [Int32]) -> Double? {
        guard list.count >= 2 else { return nil }
        var different = 0
        for a in 0..<list.count {
            for b in (a + 1)..<list.count where domains[Int(list[a])] != domains[Int(list[b])] { different += 1 }
        }
        return Double(different) / Double(list.count * (list.count - 1) / 2)
    }

    /// The mean Jaccard distance of the tag sets of every unordered pair of a list; nil for a list
    /// of fewer than two courses. Two courses without tags are at distance 0.
    /// - Complexity: O(list² x tags).
    public static func tagDiversity(_ list: [Int32], tags: [[Int32]]) -> Double? {
        guard list.count >= 2 else { return nil }
        let sets = list.map { Set(tags[Int($0)]) }
        var sum = 0.0
        for a in 0..<sets.count {
            for b in (a + 1)..<sets.count { sum += jaccardDistance(sets[a], sets[b]) }
        }
        return sum / Double(list.count * (list.count - 1) / 2)
    }

    /// 1 - |a ∩ b| / |a ∪ b|; 0 when both are empty.
    public static func jaccardDistance(_ a: Set<Int32>, _ b: Set<Int32>) -> Double {
        let union = a.union(b).count
        guard union > 0 else { return 0 }
        return 1 - Double(a.intersection(b).count) / Double(union)
    }

    /// How many places of all lists went to each creator: one count per distinct creator of the
    /// catalog (`creators[item]` is course item's creator), ascending by creator, zeros included.
    public static func creatorExposure(_ lists: [[Int32]], creators: [Int32]) -> [Int] {
        let all = Array(Set(creators)).sorted()
        var position: [Int32: Int] = [:]
        for (index, creator) in all.enumerated() { position[creator] = index }
        var counts = [Int](repeating: 0, count: all.count)
        for list in lists {
            for item in list { counts[position[creators[Int(item)]]!] += 1 }
        }
        return counts
    }

    /// The Gini coefficient of non-negative amounts: sum over pairs of |x_i - x_j| / (2 n² mean),
    /// computed from the sorted amounts as sum_i (2i - n - 1) x_(i) / (n sum x), i from 1.
    /// 0 means everyone gets the same; (n - 1) / n means one gets everything. 0 when the total
    /// is 0 or there are no amounts.
    /// - Complexity: O(n log n).
    public static func gini(_ amounts: [Double]) -> Double {
        let sorted = amounts.sorted()
        let n = Double(sorted.count)
        let total = sorted.reduce(0, +)
        guard n > 0, total > 0 else { return 0 }
        var weighted = 0.0
        for (index, x) in sorted.enumerated() { weighted += (2 * Double(index + 1) - n - 1) * x }
        return weighted / (n * total)
    }
}
