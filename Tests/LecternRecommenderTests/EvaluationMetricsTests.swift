import Foundation
import Testing
@testable import LecternRecommender

@Suite("Evaluation metrics")
struct EvaluationMetricsTests {
    /// Places 1..5 hold courses 5, 1, 7, 2, 9; courses 1, 2 and 3 are relevant.
    /// Hits at places 2 and 4 (2 hits); course 3 is never found.
    static let ranked: [Int32] = [5, 1, 7, 2, 9]
    static let relevant: Set<Int32> = [1, 2, 3]

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-9) -> Bool { abs(a - b) <= tolerance }

    @Test func precisionBothWays() {
        // implicit: 2 hits / min(K = 5, 3 relevant) = 2/3; textbook: 2 / K = 2/5.
        #expect(Self.close(RankingMetrics.precision(Self.ranked, relevant: Self.relevant, k: 5), 2.0 / 3))
        #expect(Self.close(RankingMetrics.precisionOverK(Self.ranked, relevant: Self.relevant, k: 5), 0.4))
        // K = 2: places 1-2 hold 5, 1: 1 hit; implicit 1 / min(2, 3) = 1/2, textbook 1/2.
        #expect(Self.close(RankingMetrics.precision(Self.ranked, relevant: Self.relevant, k: 2), 0.5))
        // K = 10 on a 5-long list: still 2 hits; implicit 2 / min(10, 3) = 2/3, textbook 2/10.
        #expect(Self.close(RankingMetrics.precision(Self.ranked, relevant: Self.relevant, k: 10), 2.0 / 3))
        #expect(Self.close(RankingMetrics.precisionOverK(Self.ranked, relevant: Self.relevant, k: 10), 0.2))
    }

    @Test func recallHitAndReciprocalRank() {
        // 2 of 3 relevant found; first hit at place 2.
        #expect(Self.close(RankingMetrics.recall(Self.ranked, relevant: Self.relevant, k: 5), 2.0 / 3))
        #expect(Self.close(RankingMetrics.reciprocalRank(Self.ranked, relevant: Self.relevant, k: 5), 0.5))
        // K = 1 sees only course 5: nothing found.
        #expect(RankingMetrics.recall(Self.ranked, relevant: Self.relevant, k: 1) == 0)
        #expect(RankingMetrics.reciprocalRank(Self.ranked, relevant: Self.relevant, k: 1) == 0)
        #expect(RankingMetrics.hits(Self.ranked, relevant: Self.relevant, k: 3) == 1)
    }

    @Test func ndcgByHand() {
        // DCG = 1/log2(3) + 1/log2(5) = 0.630930 + 0.430677 = 1.061606.
        // Ideal: min(5, 3) = 3 hits first: 1 + 0.630930 + 1/log2(4) = 2.130930. NDCG = 0.498189.
        let expected = (1 / log2(3.0) + 1 / log2(5.0)) / (1 + 1 / log2(3.0) + 0.5)
        #expect(Self.close(RankingMetrics.ndcg(Self.ranked, relevant: Self.relevant, k: 5), expected))
        #expect(Self.close(expected, 0.498189, 1e-6))
        // K = 2: DCG = 0.630930; ideal over min(2, 3) = 2 places: 1.630930; 0.386853.
        #expect(Self.close(RankingMetrics.ndcg(Self.ranked, relevant: Self.relevant, k: 2), 0.386853, 1e-6))
        // A perfect list scores 1.
        #expect(Self.close(RankingMetrics.ndcg([1, 2, 3, 4], relevant: Self.relevant, k: 4), 1))
    }

    @Test func averagePrecisionAsImplicit() {
        // Hit at place 2: 1/2; hit at place 4: 2/4. Sum 1.0, over min(5, 3) = 3: 1/3.
        #expect(Self.close(RankingMetrics.averagePrecision(Self.ranked, relevant: Self.relevant, k: 5), 1.0 / 3))
        // K = 2: 1/2 over min(2, 3) = 2: 1/4.
        #expect(Self.close(RankingMetrics.averagePrecision(Self.ranked, relevant: Self.relevant, k: 2), 0.25))
        // One relevant course found at place 1 among 5: 1 / min(5, 1) = 1 (trec_eval would agree here).
        #expect(Self.close(RankingMetrics.averagePrecision([8, 4], relevant: [8], k: 5), 1))
    }

    @Test func limitedAUCAsImplicit() {
        // Catalog of 10, K = 5. Walk: miss (hit 0, area 0), hit, miss (area += 1), hit, miss (area += 2):
        // hit 2, miss 3, area 3; then area += (2 + 3) / 2 x (7 negatives - 3 misses) = 10 -> 13.
        // AUC = 13 / (3 x 7) = 0.619048.
        #expect(Self.close(RankingMetrics.auc(Self.ranked, relevant: Self.relevant, k: 5, catalogSize: 10), 13.0 / 21))
        // A 1-long list at K = 10 (catalog 20, relevant {1, 2}): hit, then 9 missing places count as
        // misses, each adding 1: area 9; + (1 + 2) / 2 x (18 - 9) = 13.5 -> 22.5; / (2 x 18) = 0.625.
        #expect(Self.close(RankingMetrics.auc([1], relevant: [1, 2], k: 10, catalogSize: 20), 0.625))
    }

    @Test func poolingOverLearners() {
        // A: the list above at K = 5 (2 hits, min(5, 3) = 3). B: [4, 8] vs {8} (1 hit at place 2, min = 1).
        // C: [6] vs {3} (nothing).
        let lists: [(ranked: [Int32], relevant: Set<Int32>)] = [(Self.ranked, Self.relevant), ([4, 8], [8]), ([6], [3])]
        let values = RankingMetrics.accuracy(lists, k: 5, catalogSize: 10)
        // Pooled as implicit: (2 + 1 + 0) / (3 + 1 + 1) = 0.6; the mean of per-list values would be
        // (2/3 + 1 + 0) / 3 = 0.5556.
        #expect(Self.close(values[.precision]!, 0.6))
        // Textbook: (2/5 + 1/5 + 0) / 3 = 0.2.
        #expect(Self.close(values[.precisionOverK]!, 0.2))
        // Recall: (2/3 + 1 + 0) / 3 = 0.5556. MRR: (1/2 + 1/2 + 0) / 3 = 1/3. Hit rate: 2 of 3.
        #expect(Self.close(values[.recall]!, 5.0 / 9))
        #expect(Self.close(values[.mrr]!, 1.0 / 3))
        #expect(Self.close(values[.hitRate]!, 2.0 / 3))
        // MAP: (1/3 + (1/2) / 1 + 0) / 3 = 0.2778.
        #expect(Self.close(values[.map]!, (1.0 / 3 + 0.5) / 3))
        // NDCG: (0.498189 + 0.630930 / 1 + 0) / 3 = 0.376373.
        #expect(Self.close(values[.ndcg]!, 0.376373, 1e-6))
        #expect(RankingMetrics.accuracy([], k: 5, catalogSize: 10)[.precision]!.isNaN)
    }

    @Test func coverageAndNovelty() {
        // Courses 1, 2, 3, 4 of 10 appear: 0.4 (course 3 twice counts once).
        #expect(Self.close(RankingMetrics.coverage([[1, 2, 3], [3, 4]], catalogSize: 10), 0.4))
        // Shares 1/2, 1/4, 1/8: self-information 1, 2, 3 bits; mean 2.
        let shares = [0.5, 0.25, 0.125]
        #expect(Self.close(RankingMetrics.novelty([0, 1, 2], popularityShare: shares), 2))
        #expect(Self.close(RankingMetrics.novelty([2], popularityShare: shares), 3))
        #expect(RankingMetrics.novelty([], popularityShare: shares).isNaN)
    }

    @Test func diversityByDomainAndTags() {
        // Domains 0, 0, 1, 2: of the 6 pairs only (course 0, course 1) shares a domain: 5/6.
        #expect(Self.close(RankingMetrics.domainDiversity([0, 1, 2, 3], domains: [0, 0, 1, 2])!, 5.0 / 6))
        #expect(RankingMetrics.domainDiversity([0, 1], domains: [0, 0, 1, 2]) == 0)
        #expect(RankingMetrics.domainDiversity([3], domains: [0, 0, 1, 2]) == nil)
        // Tags {1, 2}, {2, 3}, {}, {}: d(0, 1) = 1 - 1/3 = 2/3; d(0, 2) = 1; d(1, 2) = 1. Mean 8/9.
        let tags: [[Int32]] = [[1, 2], [3, 2, 2], [], []]
        #expect(Self.close(RankingMetrics.tagDiversity([0, 1, 2], tags: tags)!, 8.0 / 9))
        // Two untagged courses are alike.
        #expect(RankingMetrics.tagDiversity([2, 3], tags: tags) == 0)
        #expect(RankingMetrics.tagDiversity([0], tags: tags) == nil)
    }

    @Test func giniOfCreatorExposure() {
        // One of four gets everything: (n - 1) / n = 0.75. Equal shares: 0.
        #expect(Self.close(RankingMetrics.gini([0, 0, 0, 4]), 0.75))
        #expect(RankingMetrics.gini([1, 1, 1, 1]) == 0)
        // 0, 1, 2, 3: sum of |xi - xj| over ordered pairs = 20; / (2 x 4² x mean 1.5 = 48) = 0.416667.
        #expect(Self.close(RankingMetrics.gini([3, 0, 2, 1]), 20.0 / 48))
        #expect(RankingMetrics.gini([0, 0]) == 0)
        // Creators 7, 7, 9, 11 own courses 0-3; lists [0, 1] and [1, 2] give creator 7 three places,
        // 9 one, 11 none (but counted): [3, 1, 0]. Sorted 0, 1, 3 with weights 2i - n - 1 = -2, 0, 2:
        // (0 + 0 + 6) / (n 3 x total 4) = 0.5.
        let exposure = RankingMetrics.creatorExposure([[0, 1], [1, 2]], creators: [7, 7, 9, 11])
        #expect(exposure == [3, 1, 0])
        #expect(Self.close(RankingMetrics.gini(exposure.map(Double.init)), 0.5))
    }

    // MARK: Agreement with implicit 0.7.3 (fixture made by Fixtures/make_metrics_fixture.py)

    @Test func sameListsGiveImplicitsMetrics() throws {
        let fixture = try MetricsFixture.load()
        let lists = fixture.learners.map { (ranked: $0.recommended, relevant: Set($0.relevant)) }
        let ours = RankingMetrics.accuracy(lists, k: fixture.k, catalogSize: fixture.items)
        for (metric, name) in [(Metric.precision, "precision"), (.map, "map"), (.ndcg, "ndcg"), (.auc, "auc")] {
            let theirs = try #require(fixture.metrics[name])
            #expect(abs(ours[metric]! - theirs) < 1e-6, "\(name): ours \(ours[metric]!), implicit \(theirs)")
        }
        // The fixture must make the two precisions differ, or it could not tell them apart.
        #expect(abs(ours[.precision]! - ours[.precisionOverK]!) > 0.01)
    }

    @Test func evaluatorOnImplicitsSplitGivesImplicitsMetrics() throws {
        // Train events from implicit's train rows, test pairs from its test rows; nothing is dropped
        // (every learner and course is known, no test pair was trained on), and the recommender
        // answers with implicit's own lists.
        let fixture = try MetricsFixture.load()
        var train: [MatrixEvent] = []
        var test: [HeldOutPair] = []
        var lists: [Int32: [Int32]] = [:]
        for learner in fixture.learners {
            train += learner.train.map { MatrixEvent(user: learner.user, item: $0, kind: .purchase, time: 0) }
            test += learner.relevant.map { HeldOutPair(user: learner.user, item: $0) }
            lists[learner.user] = learner.recommended
        }
        let catalog = try EvaluationCatalog(domains: .init(repeating: 0, count: fixture.items),
                                            creators: .init(repeating: 0, count: fixture.items),
                                            tags: .init(repeating: [], count: fixture.items))
        let evaluator = try Evaluator(train: train, test: test, catalog: catalog, cutoffs: [fixture.k])
        let report = evaluator.evaluate { user, _, _, _ in lists[user]! }
        #expect(report.drops.total == 0)
        #expect(report.learnerCount == fixture.learners.count)
        for (metric, name) in [(Metric.precision, "precision"), (.map, "map"), (.ndcg, "ndcg"), (.auc, "auc")] {
            #expect(abs(report[metric, fixture.k]! - fixture.metrics[name]!) < 1e-6, "\(name)")
        }
    }
}

/// Fixtures/implicit_metrics.json: implicit's lists, held-out sets and metrics.
struct MetricsFixture {
    struct Learner {
        let user: Int32
        let recommended: [Int32]
        let relevant: [Int32]
        let train: [Int32]
    }

    let k: Int
    let items: Int
    let learners: [Learner]
    let metrics: [String: Double]

    static func load() throws -> MetricsFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/implicit_metrics.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let learners = (json["learners"] as! [[String: Any]]).map { entry in
            Learner(user: Int32(entry["user"] as! Int),
                    recommended: (entry["recommended"] as! [Int]).map(Int32.init),
                    relevant: (entry["relevant"] as! [Int]).map(Int32.init),
                    train: (entry["train"] as! [Int]).map(Int32.init))
        }
        return MetricsFixture(k: json["K"] as! Int, items: json["items"] as! Int, learners: learners,
                              metrics: json["metrics"] as! [String: Double])
    }
}
