import Dispatch
import LecternCore

/// Scores one setting after another of Lectern's models on one split, as tuning does.
///
/// `Evaluator.compareAlgorithms` builds everything afresh: the split's protocol (relevant sets,
/// histories, exclusions), the interaction matrix, and every model. Tuning calls it once per trial
/// with one algorithm's parameters changed, so most of that work would be repeated. This keeps the
/// protocol for the event weights it was built with, and each trial keeps every model of the
/// trial before whose settings it leaves as they were (`EvaluationModels.train(reusing:)`): a trial
/// of EASE's λ trains EASE alone, and a trial of the hybrid's weights trains nothing. A trial's
/// report is the one `compareAlgorithms` gives for the same algorithm and settings.
///
/// A class, since each trial replaces the models kept; use it from one thread.
public final class TuningEvaluator {
    private let split: EvaluationSplit
    private let catalog: EvaluationCatalog
    private let cutoffs: [Int]
    private let facts: CatalogFacts
    private let domainNames: [String]
    private let contents: [CourseContent]?
    private let interests: [Int32: [String]]
    private let users: Int
    /// The protocol, for the event weights it was built with.
    private var evaluator: (weights: InteractionWeights, evaluator: Evaluator)?
    /// The last trial's models.
    private var models: EvaluationModels?
    /// The metric and cutoff whose per-learner values each evaluation keeps (`AlgorithmEvaluation.perLearner`).
    private let paired: (metric: Metric, k: Int)?

    /// Prepares to score lists on `split` (models learn from `split.train` only).
    /// - Parameter paired: the metric and cutoff (one of `cutoffs`) whose per-learner values each
    ///   evaluation keeps, so that two candidates can be compared learner by learner.
    /// - Throws: `RecommenderError` when the catalog's arrays do not have one entry per course.
    public init(split: EvaluationSplit, facts: CatalogFacts, domainNames: [String], tags: [[Int32]],
                contents: [CourseContent]? = nil, cutoffs: [Int] = [10], interests: [Int32: [String]] = [:],
                paired: (metric: Metric, k: Int)? = nil) throws {
        self.split = split
        self.paired = paired
        catalog = try EvaluationCatalog(domains: facts.domains, creators: facts.creators, tags: tags)
        self.cutoffs = cutoffs
        self.facts = facts
        self.domainNames = domainNames
        self.contents = contents
        self.interests = interests
        users = Int((split.train + split.heldOut).map(\.user).max() ?? -1) + 1
    }

    /// `algorithm` trained with `settings` on the split's training part and scored on its test pairs.
    /// - Throws: what `EvaluationModels.train` or `Evaluator.init` throws.
    public func evaluate(_ algorithm: Algorithm, settings: EvaluationModelSettings) throws -> AlgorithmEvaluation {
        try evaluate(algorithm, settings: [settings])[0]
    }

    /// `evaluate` for each of `settings` in turn, with the models trained side by side, one thread
    /// each: for an algorithm whose trainer runs on one thread (BPR), so that tuning uses every core.
    /// Each model keeps what it can from the models kept before the call; the last setting's models
    /// are kept after it. The reports are those `evaluate` gives for each setting in turn.
    /// - Throws: the first error of `EvaluationModels.train`, in the order of `settings`, or what
    ///   `Evaluator.init` throws.
    public func evaluate(_ algorithm: Algorithm, settings: [EvaluationModelSettings]) throws -> [AlgorithmEvaluation] {
        guard let first = settings.first else { return [] }
        guard settings.allSatisfy({ $0.weights == first.weights }) else {
            return try settings.map { try evaluate(algorithm, settings: $0) }
        }
        let evaluator: Evaluator
        if let built = self.evaluator, built.weights == first.weights {
            evaluator = built.evaluator
        } else {
            evaluator = try Evaluator(split: split, catalog: catalog, cutoffs: cutoffs, weights: first.weights)
            self.evaluator = (first.weights, evaluator)
        }
        let (train, users, facts, domainNames, contents, previous) = (split.train, users, facts, domainNames, contents, models)
        @Sendable func trainModels(_ settings: EvaluationModelSettings) -> Result<EvaluationModels, any Error> {
            Result {
                try EvaluationModels.train(events: train, users: users, facts: facts, domainNames: domainNames, contents: contents,
                                           settings: settings, now: nil, algorithms: [algorithm], reusing: previous)
            }
        }
        var trained: [Result<EvaluationModels, any Error>]
        if settings.count == 1 {
            trained = [trainModels(first)]
        } else {
            trained = Array(repeating: .failure(RecommenderError("not trained")), count: settings.count)
            trained.withUnsafeMutableBufferPointer { results in
                let output = UnsafeSendable(results)
                // Each worker writes its own element only.
                DispatchQueue.concurrentPerform(iterations: settings.count) { index in
                    output.value[index] = trainModels(settings[index])
                }
            }
        }
        var reports: [AlgorithmEvaluation] = []
        let keeping = paired.map { evaluator.cutoffs.contains($0.k) } ?? false
        for result in trained {
            let models = try result.get()
            self.models = models
            var report = evaluator.evaluate(models.recommend(algorithm, interests: interests), threads: activeProcessorCount(),
                                            keepingLists: keeping)
            var perLearner: [Double]?
            if keeping, let (metric, k) = paired, let lists = report.lists[k] {
                perLearner = zip(lists, evaluator.relevant).compactMap { list, relevant in
                    RankingMetrics.perLearner(metric, ranked: list, relevant: relevant, k: k, catalogSize: catalog.count)
                }
                if perLearner?.count != lists.count { perLearner = nil }
                report.learners = []
                report.lists = [:]
            }
            reports.append(AlgorithmEvaluation(algorithm: algorithm, trainingTime: models.trainingTimes[algorithm] ?? .zero,
                                               report: report, perLearner: perLearner))
        }
        return reports
    }
}
