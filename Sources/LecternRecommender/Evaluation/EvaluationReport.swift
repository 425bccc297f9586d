/// How many test pairs the protocol set aside, by reason; each pair counts once, for the first
/// reason that applies, in this order.
public struct ProtocolDrops: Sendable, Equatable {
    /// The learner has no training event.
    public var unknownLearner = 0
    /// No learner touched the course in training (or it is outside the catalog).
    public var unknownCourse = 0
    /// The learner already touched the course in training.
    public var alreadyInTrain = 0

    public init(unknownLearner: Int = 0, unknownCourse: Int = 0, alreadyInTrain: Int = 0) {
        self.unknownLearner = unknownLearner
        self.unknownCourse = unknownCourse
        self.alreadyInTrain = alreadyInTrain
    }

    public var total: Int { unknownLearner + unknownCourse + alreadyInTrain }
}

/// Every metric at every cutoff for one recommender on one split.
public struct EvaluationReport: Sendable, Equatable {
    /// The cutoffs K, ascending.
    public var cutoffs: [Int]
    /// `values[k][metric]`; NaN where a metric is undefined (no learner to test, no list of two).
    public var values: [Int: [Metric: Double]]
    /// Learners scored: those with at least one test pair left after the protocol.
    public var learnerCount: Int
    /// Test pairs scored.
    public var testPairCount: Int
    public var drops: ProtocolDrops
    /// The learners scored, ascending; kept with `lists` only.
    public var learners: [Int32] = []
    /// `lists[k][i]`: the ranked list at cutoff `k` that was scored for `learners[i]`, kept only when
    /// the evaluator was asked to (`Evaluator.evaluate(_:threads:keepingLists:)`); empty otherwise.
    public var lists: [Int: [[Int32]]] = [:]

    public init(cutoffs: [Int], values: [Int: [Metric: Double]], learnerCount: Int, testPairCount: Int, drops: ProtocolDrops) {
        self.cutoffs = cutoffs
        self.values = values
        self.learnerCount = learnerCount
        self.testPairCount = testPairCount
        self.drops = drops
    }

    /// The value of `metric` at cutoff `k`, or nil if `k` was not evaluated.
    public subscript(metric: Metric, k: Int) -> Double? {
        values[k]?[metric]
    }

    /// The metrics at cutoff `k` by name, in `Metric.allCases` order (empty if `k` was not evaluated).
    public func named(at k: Int) -> [(name: String, value: Double)] {
        guard let atK = values[k] else { return [] }
        return Metric.allCases.compactMap { metric in atK[metric].map { (metric.name, $0) } }
    }

    // NaN != NaN, so compare NaNs as equal.
    public static func == (lhs: EvaluationReport, rhs: EvaluationReport) -> Bool {
        guard lhs.cutoffs == rhs.cutoffs, lhs.learnerCount == rhs.learnerCount, lhs.testPairCount == rhs.testPairCount,
              lhs.drops == rhs.drops, lhs.values.count == rhs.values.count else { return false }
        for (k, left) in lhs.values {
            guard let right = rhs.values[k], left.count == right.count else { return false }
            for (metric, a) in left {
                guard let b = right[metric], a == b || (a.isNaN && b.isNaN) else { return false }
            }
        }
        return true
    }
}

/// Reports of k-fold cross-validation: one per fold, and their mean and standard deviation.
public struct CrossValidationReport: Sendable, Equatable {
    public var folds: [EvaluationReport]
    /// `mean[k][metric]` over folds.
    public var mean: [Int: [Metric: Double]]
    /// `standardDeviation[k][metric]`: the sample standard deviation over folds (divides by
    /// folds - 1; 0 for a single fold).
    public var standardDeviation: [Int: [Metric: Double]]
    /// `minimum[k][metric]` and `maximum[k][metric]` over folds.
    public var minimum: [Int: [Metric: Double]]
    public var maximum: [Int: [Metric: Double]]

    /// Mean, standard deviation and range of `folds`, which must share their cutoffs.
    public init(folds: [EvaluationReport]) {
        self.folds = folds
        var mean: [Int: [Metric: Double]] = [:]
        var deviation: [Int: [Metric: Double]] = [:]
        var minimum: [Int: [Metric: Double]] = [:], maximum: [Int: [Metric: Double]] = [:]
        let cutoffs = folds.first?.cutoffs ?? []
        let n = Double(folds.count)
        for k in cutoffs {
            for metric in Metric.allCases {
                let values = folds.map { $0[metric, k] ?? .nan }
                let average = values.reduce(0, +) / n
                let squares = values.reduce(0) { $0 + ($1 - average) * ($1 - average) }
                mean[k, default: [:]][metric] = average
                deviation[k, default: [:]][metric] = folds.count > 1 ? (squares / (n - 1)).squareRoot() : 0
                minimum[k, default: [:]][metric] = values.contains(where: \.isNaN) ? .nan : values.min()
                maximum[k, default: [:]][metric] = values.contains(where: \.isNaN) ? .nan : values.max()
            }
        }
        self.mean = mean
        self.standardDeviation = deviation
        self.minimum = minimum
        self.maximum = maximum
    }
}
