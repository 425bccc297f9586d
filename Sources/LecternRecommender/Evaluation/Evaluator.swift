import Dispatch
import LecternCore
/// What the list metrics need to know about every course, by matrix column.
public struct EvaluationCatalog: Sendable, Equatable {
    public var domains: [Int32]
    public var creators: [Int32]
    /// Each course's tags (as tag indices); order and repeats do not matter.
    public var tags: [[Int32]]

    /// - Throws: `RecommenderError` when the arrays do not all have one entry per course.
    public init(domains: [Int32], creators: [Int32], tags: [[Int32]]) throws {
        guard domains.count == creators.count, creators.count == tags.count else {
            throw RecommenderError("the catalog needs a domain, a creator and tags for every course, got "
                + "\(domains.count) domains, \(creators.count) creators and \(tags.count) tag lists")
        }
        self.domains = domains
        self.creators = creators
        self.tags = tags
    }

    /// The number of courses.
    public var count: Int { domains.count }
}

/// Offline evaluation of a recommender on one split, under one fixed protocol.
///
/// The protocol:
/// 1. Models learn from the training events only (`EvaluationModels` trains Lectern's).
/// 2. A test pair is dropped when its learner has no training event, when no learner touched its
///    course in training (or the course is outside the catalog), or when the learner already
///    touched the course in training (any kind of event). `ProtocolDrops` counts each reason.
/// 3. Each learner with a test pair left counts once; their relevant set is their test pairs'
///    courses. Relevance is binary (see `Relevance`).
/// 4. The recommender is asked, once per cutoff K, for the learner's top K given their training
///    history (the learner's row of the interaction matrix built from training events with
///    `weights`) and the courses to exclude (every course they touched in training). From its
///    answer the evaluator drops excluded courses, repeats and courses outside the catalog, so
///    a course seen in training is never counted as recommended, and keeps the first K.
/// 5. Every `Metric` is computed over those lists (`RankingMetrics` defines each). Novelty uses
///    the share of training learners who touched a course; a course none touched counts as
///    touched by one.
public struct Evaluator: Sendable {
    /// Returns a learner's ranked list: `(user, trainHistory, exclude, k)`. `trainHistory` is the
    /// learner's (course, weight) row of the training matrix, `exclude` every course they touched
    /// in training, `k` the number of courses wanted.
    public typealias Recommend = (_ user: Int32, _ trainHistory: [(item: Int32, weight: Float)],
                                  _ exclude: Set<Int32>, _ k: Int) -> [Int32]

    public let catalog: EvaluationCatalog
    /// The cutoffs K, ascending and distinct.
    public let cutoffs: [Int]
    /// The learners scored, ascending.
    public let learners: [Int32]
    /// Each scored learner's relevant courses (parallel to `learners`).
    public let relevant: [Set<Int32>]
    /// Each scored learner's row of the training matrix (parallel to `learners`).
    public let histories: [[(item: Int32, weight: Float)]]
    /// Each scored learner's courses touched in training (parallel to `learners`).
    public let exclusions: [Set<Int32>]
    /// Each course's share of training learners who touched it, at least 1 / training learners.
    public let popularityShare: [Double]
    public let drops: ProtocolDrops
    /// The test pairs left after the protocol.
    public let testPairCount: Int

    /// Prepares the protocol for `train` and `test` (see the type's documentation).
    ///
    /// - Parameters:
    ///   - cutoffs: the K values (default [10]); repeats are ignored.
    ///   - weights: how training events become the histories handed to the recommender.
    ///   - now: when `weights` decays, the time it decays to; default the last training event's
    ///     time, so that nothing after the training part shapes a history.
    /// - Throws: `RecommenderError` for a cutoff below 1, no cutoff, or a training event naming a
    ///   negative learner or a course outside the catalog.
    /// - Complexity: O(train + test + courses).
    public init(train: [MatrixEvent], test: [HeldOutPair], catalog: EvaluationCatalog, cutoffs: [Int] = [10],
                weights: InteractionWeights = InteractionWeights(), now: Int64? = nil) throws {
        let cutoffs = Array(Set(cutoffs)).sorted()
        guard let smallest = cutoffs.first, smallest >= 1 else {
            throw RecommenderError("evaluation needs cutoffs K of at least 1, got \(cutoffs)")
        }
        let items = catalog.count
        var users = 0
        for event in train {
            guard event.user >= 0, event.item >= 0, Int(event.item) < items else {
                throw RecommenderError("a training event names learner \(event.user) or course \(event.item) outside the catalog")
            }
            users = max(users, Int(event.user) + 1)
        }
        var seen = [Set<Int32>](repeating: [], count: users)
        var learnersPerCourse = [Int](repeating: 0, count: items)
        for event in train where seen[Int(event.user)].insert(event.item).inserted {
            learnersPerCourse[Int(event.item)] += 1
        }
        let trainingLearners = Double(max(1, seen.filter { !$0.isEmpty }.count))
        let matrix = try weights.matrix(users: users, items: items, events: train, now: now ?? train.map(\.time).max() ?? 0)

        var drops = ProtocolDrops()
        var relevantByLearner: [Int32: Set<Int32>] = [:]
        for pair in Set(test) {
            guard pair.user >= 0, Int(pair.user) < users, !seen[Int(pair.user)].isEmpty else {
                drops.unknownLearner += 1
                continue
            }
            guard pair.item >= 0, Int(pair.item) < items, learnersPerCourse[Int(pair.item)] > 0 else {
                drops.unknownCourse += 1
                continue
            }
            guard !seen[Int(pair.user)].contains(pair.item) else {
                drops.alreadyInTrain += 1
                continue
            }
            relevantByLearner[pair.user, default: []].insert(pair.item)
        }
        let learners = relevantByLearner.keys.sorted()
        self.catalog = catalog
        self.cutoffs = cutoffs
        self.learners = learners
        self.relevant = learners.map { relevantByLearner[$0]! }
        self.histories = learners.map { user in
            let row = matrix.row(Int(user))
            return zip(row.columns, row.values).map { (item: $0, weight: $1) }
        }
        self.exclusions = learners.map { seen[Int($0)] }
        self.popularityShare = learnersPerCourse.map { Double(max($0, 1)) / trainingLearners }
        self.drops = drops
        self.testPairCount = relevantByLearner.values.reduce(0) { $0 + $1.count }
    }

    /// Prepares the protocol for a split's training events and test pairs.
    public init(split: EvaluationSplit, catalog: EvaluationCatalog, cutoffs: [Int] = [10],
                weights: InteractionWeights = InteractionWeights(), now: Int64? = nil) throws {
        try self.init(train: split.train, test: split.test, catalog: catalog, cutoffs: cutoffs, weights: weights, now: now)
    }

    /// Every metric at every cutoff for the lists `recommend` makes.
    /// - Parameters:
    ///   - threads: learners scored at once; more than 1 only for a `recommend` that may be
    ///     called from several threads (it reads shared models and keeps no state of its own).
    ///   - keepingLists: keep the scored lists in the report (`EvaluationReport.lists`), so that
    ///     someone else's code can score the very same lists.
    /// - Complexity: O(cutoffs x learners x (one call + K²)), the calls spread over `threads`; kept
    ///   lists take O(cutoffs x learners x K) memory.
    public func evaluate(_ recommend: Recommend, threads: Int = 1, keepingLists: Bool = false) -> EvaluationReport {
        var values: [Int: [Metric: Double]] = [:]
        var kept: [Int: [[Int32]]] = [:]
        for k in cutoffs {
            var lists = [[Int32]](repeating: [], count: learners.count)
            if threads <= 1 {
                for index in learners.indices {
                    lists[index] = cleaned(recommend(learners[index], histories[index], exclusions[index], k), exclusions[index], k)
                }
            } else {
                let chunk = 256
                let chunks = (learners.count + chunk - 1) / chunk
                withoutActuallyEscaping(recommend) { recommend in
                    let call = UnsafeSendable(recommend)
                    lists.withUnsafeMutableBufferPointer { buffer in
                        let output = UnsafeSendable(buffer)
                        DispatchQueue.concurrentPerform(iterations: chunks) { c in
                            for index in (c * chunk)..<min(learners.count, (c + 1) * chunk) {
                                output.value[index] = cleaned(call.value(learners[index], histories[index], exclusions[index], k),
                                                              exclusions[index], k)
                            }
                        }
                    }
                }
            }
            values[k] = metrics(lists: lists, k: k)
            if keepingLists { kept[k] = lists }
        }
        var report = EvaluationReport(cutoffs: cutoffs, values: values, learnerCount: learners.count,
                                      testPairCount: testPairCount, drops: drops)
        if keepingLists {
            report.learners = learners
            report.lists = kept
        }
        return report
    }

    /// The first `k` courses of `list` that are in the catalog, not excluded and not repeated.
    func cleaned(_ list: [Int32], _ excluded: Set<Int32>, _ k: Int) -> [Int32] {
        var out: [Int32] = []
        var taken = Set<Int32>()
        for item in list where out.count < k {
            guard item >= 0, Int(item) < catalog.count, !excluded.contains(item), taken.insert(item).inserted else { continue }
            out.append(item)
        }
        return out
    }

    /// Every metric for `lists`, one per scored learner (parallel to `learners`), at cutoff `k`.
    func metrics(lists: [[Int32]], k: Int) -> [Metric: Double] {
        precondition(lists.count == learners.count)
        var out = RankingMetrics.accuracy(Array(zip(lists, relevant)), k: k, catalogSize: catalog.count)
        out[.coverage] = RankingMetrics.coverage(lists, catalogSize: catalog.count)
        out[.novelty] = Self.mean(lists.filter { !$0.isEmpty }.map { RankingMetrics.novelty($0, popularityShare: popularityShare) })
        out[.domainDiversity] = Self.mean(lists.compactMap { RankingMetrics.domainDiversity($0, domains: catalog.domains) })
        out[.tagDiversity] = Self.mean(lists.compactMap { RankingMetrics.tagDiversity($0, tags: catalog.tags) })
        let exposure = RankingMetrics.creatorExposure(lists, creators: catalog.creators)
        out[.creatorGini] = RankingMetrics.gini(exposure.map(Double.init))
        return out
    }

    /// The mean, or NaN for no values.
    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// Evaluates each split of a k-fold cross-validation (`EvaluationSplit.kFold`) with the
    /// recommender `makeRecommender` returns for it (trained on that split's training events),
    /// and the folds' mean and standard deviation.
    /// - Throws: what `makeRecommender` or `init(split:…)` throws.
    public static func crossValidate(_ splits: [EvaluationSplit], catalog: EvaluationCatalog, cutoffs: [Int] = [10],
                                     weights: InteractionWeights = InteractionWeights(),
                                     makeRecommender: (_ fold: Int, _ split: EvaluationSplit) throws -> Recommend) throws -> CrossValidationReport {
        var reports: [EvaluationReport] = []
        for (fold, split) in splits.enumerated() {
            let evaluator = try Evaluator(split: split, catalog: catalog, cutoffs: cutoffs, weights: weights)
            reports.append(evaluator.evaluate(try makeRecommender(fold, split)))
        }
        return CrossValidationReport(folds: reports)
    }
}
