import LecternRecommender
import LecternSQLite
import LecternStore

/// How `lectern evaluate` splits behaviour into what models learn from and what they must predict.
public enum EvaluationProtocol: Sendable, Equatable {
    /// Everything before `cutoff` trains (nil: the time by which 80% of events happened).
    case temporal(cutoff: Int64?)
    /// Each learner's first `trainFraction` of events (by time) trains.
    case learnerTemporal(trainFraction: Double)
    /// Each learner's last `count` distinct courses are held out.
    case leaveLastOut(count: Int)
    /// A seeded random `testFraction` of each learner's courses is held out.
    case randomHoldout(testFraction: Double, seed: UInt64)
    /// k-fold cross-validation over learners; the held-out fold's learners lose `testFraction` of their courses.
    case kFold(folds: Int, testFraction: Double, seed: UInt64)
    /// A split made elsewhere (`--train FILE --test FILE`).
    case given

    var json: String {
        switch self {
        case .temporal(let cutoff): "{\"split\":\"temporal\",\"cutoff\":\(cutoff.map(String.init) ?? "null")}"
        case .learnerTemporal(let f): "{\"split\":\"learner-temporal\",\"train_fraction\":\(f)}"
        case .leaveLastOut(let n): "{\"split\":\"leave-last-out\",\"count\":\(n)}"
        case .randomHoldout(let f, let seed): "{\"split\":\"random\",\"test_fraction\":\(f),\"seed\":\(seed)}"
        case .kFold(let k, let f, let seed): "{\"split\":\"kfold\",\"folds\":\(k),\"test_fraction\":\(f),\"seed\":\(seed)}"
        case .given: "{\"split\":\"given\"}"
        }
    }
}

/// The outcome of one evaluation: every algorithm's metrics at every K.
public struct EvaluationOutcome: Sendable {
    public var rows: [EvaluationRow]
    public var learners: Int
    public var testPairs: Int
    public var dropped: Int
    public var evaluationID: Int64?
}

/// Measures Lectern's algorithms offline: trains each on the training part only and scores its
/// lists against the held-out part.
public struct EvaluationService {
    let db: Connection

    public init(_ db: Connection) {
        self.db = db
    }

    /// Evaluates on the database's own interactions and stores the results.
    public func evaluate(_ split: EvaluationProtocol, algorithms: [Algorithm], cutoffs: [Int],
                         options: TrainingOptions = TrainingOptions()) throws -> EvaluationOutcome {
        try options.validate()
        let data = try TrainingMatrix.build(from: db, weights: options.weights)
        let catalog = data.catalog
        var tagIndex: [String: Int32] = [:]
        let tags = catalog.courses.map { course in
            course.tags.map { tag in
                if let index = tagIndex[tag] { return index }
                let index = Int32(tagIndex.count)
                tagIndex[tag] = index
                return index
            }
        }
        var interests: [Int32: [String]] = [:]
        for (row, learner) in data.snapshot.learners.enumerated() where !learner.interests.isEmpty {
            interests[Int32(row)] = learner.interests
        }
        let outcome = try Self.run(split, events: data.events, algorithms: algorithms, cutoffs: cutoffs, options: options,
                                   facts: catalog.facts, domainNames: catalog.domainNames, tags: tags,
                                   contents: catalog.contents, interests: interests)
        var stored = outcome
        stored.evaluationID = try EvaluationStore(db).save(source: "database", protocol: split.json, learners: outcome.learners,
                                                           testPairs: outcome.testPairs, rows: outcome.rows)
        return stored
    }

    /// Evaluates on an external file of (user, item, weight, timestamp) with no catalog: the
    /// content model is left out and list metrics treat every item as one domain and creator.
    public static func evaluate(file: ExternalInteractions, split: EvaluationProtocol, algorithms: [Algorithm],
                                cutoffs: [Int], options: TrainingOptions = TrainingOptions()) throws -> EvaluationOutcome {
        try options.validate()
        let events = file.events.map { MatrixEvent(user: $0.user, item: $0.item, kind: .view, time: $0.time, weight: $0.weight) }
        let facts = Self.flatCatalog(items: file.items.count)
        return try run(split, events: events, algorithms: algorithms.filter { $0 != .content }, cutoffs: cutoffs,
                       options: options, facts: facts, domainNames: ["all"], tags: Array(repeating: [], count: file.items.count),
                       contents: nil, interests: [:])
    }

    /// Evaluates on a split made elsewhere: `train` is learnt from, `test` is predicted.
    public static func evaluate(train: ExternalInteractions, test: ExternalInteractions, algorithms: [Algorithm],
                                cutoffs: [Int], options: TrainingOptions = TrainingOptions()) throws -> EvaluationOutcome {
        try options.validate()
        let trainEvents = train.events.map { MatrixEvent(user: $0.user, item: $0.item, kind: .view, time: $0.time, weight: $0.weight) }
        let testEvents = test.events.map { MatrixEvent(user: $0.user, item: $0.item, kind: .view, time: $0.time, weight: $0.weight) }
        let split = EvaluationSplit(train: trainEvents, heldOut: testEvents, test: Relevance().relevantPairs(in: testEvents))
        let facts = Self.flatCatalog(items: train.items.count)
        return try evaluate(splits: [split], algorithms: algorithms.filter { $0 != .content }, cutoffs: cutoffs, options: options,
                            facts: facts, domainNames: ["all"], tags: Array(repeating: [], count: train.items.count),
                            contents: nil, interests: [:])
    }

    static func flatCatalog(items: Int) -> CatalogFacts {
        CatalogFacts(creators: Array(repeating: 0, count: items), domains: Array(repeating: 0, count: items),
                     available: Array(repeating: true, count: items), prerequisites: Array(repeating: [], count: items))
    }

    static func run(_ split: EvaluationProtocol, events: [MatrixEvent], algorithms: [Algorithm], cutoffs: [Int],
                    options: TrainingOptions, facts: CatalogFacts, domainNames: [String], tags: [[Int32]],
                    contents: [CourseContent]?, interests: [Int32: [String]]) throws -> EvaluationOutcome {
        let splits: [EvaluationSplit]
        switch split {
        case .temporal(let cutoff):
            let times = events.map(\.time).sorted()
            let at = cutoff ?? times[min(times.count - 1, times.count * 8 / 10)]
            splits = [EvaluationSplit.temporal(events, cutoff: at)]
        case .learnerTemporal(let fraction): splits = [try EvaluationSplit.temporalPerLearner(events, trainFraction: fraction)]
        case .leaveLastOut(let count): splits = [try EvaluationSplit.leaveLastOut(events, count: count)]
        case .randomHoldout(let fraction, let seed): splits = [try EvaluationSplit.randomHoldout(events, testFraction: fraction, seed: seed)]
        case .kFold(let folds, let fraction, let seed):
            splits = try EvaluationSplit.kFold(events, folds: folds, testFraction: fraction, seed: seed)
        case .given:
            throw RecommenderError("a given split needs --train and --test files")
        }
        return try evaluate(splits: splits, algorithms: algorithms, cutoffs: cutoffs, options: options, facts: facts,
                            domainNames: domainNames, tags: tags, contents: contents, interests: interests)
    }

    static func evaluate(splits: [EvaluationSplit], algorithms: [Algorithm], cutoffs: [Int], options: TrainingOptions,
                         facts: CatalogFacts, domainNames: [String], tags: [[Int32]], contents: [CourseContent]?,
                         interests: [Int32: [String]]) throws -> EvaluationOutcome {
        guard splits.allSatisfy({ !$0.test.isEmpty }) else {
            throw RecommenderError("the test part is empty: choose another split or cutoff")
        }
        let settings = EvaluationModelSettings(weights: options.weights, itemKNN: options.itemKNN, als: options.als,
                                               popularityHalfLifeDays: options.popularityHalfLifeDays,
                                               hybrid: options.hybrid, rules: options.rules)
        var rows: [EvaluationRow] = []
        var learners = 0, pairs = 0, dropped = 0
        if splits.count == 1 {
            let results = try Evaluator.compareAlgorithms(algorithms, split: splits[0], facts: facts, domainNames: domainNames,
                                                          tags: tags, contents: contents, cutoffs: cutoffs, settings: settings,
                                                          interests: interests)
            for result in results {
                learners = result.report.learnerCount
                pairs = result.report.testPairCount
                dropped = result.report.drops.total
                for k in cutoffs {
                    for metric in Metric.allCases {
                        rows.append(EvaluationRow(algorithm: result.algorithm.rawValue, parameters: options.json(for: result.algorithm),
                                                  trainingSeconds: seconds(result.trainingTime), k: k, metric: metric.name,
                                                  value: result.report[metric, k], spread: nil))
                    }
                }
            }
        } else {
            let results = try Evaluator.crossValidateAlgorithms(algorithms, splits: splits, facts: facts, domainNames: domainNames,
                                                                tags: tags, contents: contents, cutoffs: cutoffs,
                                                                settings: settings, interests: interests)
            for result in results {
                learners = result.report.folds.map(\.learnerCount).reduce(0, +)
                pairs = result.report.folds.map(\.testPairCount).reduce(0, +)
                dropped = result.report.folds.map(\.drops.total).reduce(0, +)
                let time = result.trainingTimes.map(seconds).reduce(0, +) / Double(max(1, result.trainingTimes.count))
                for k in cutoffs {
                    for metric in Metric.allCases {
                        rows.append(EvaluationRow(algorithm: result.algorithm.rawValue, parameters: options.json(for: result.algorithm),
                                                  trainingSeconds: time, k: k, metric: metric.name,
                                                  value: result.report.mean[k]?[metric],
                                                  spread: result.report.standardDeviation[k]?[metric]))
                    }
                }
            }
        }
        guard learners > 0 else {
            throw RecommenderError("no learner is left to evaluate: every test pair was dropped (unknown learner or course, or already in training)")
        }
        return EvaluationOutcome(rows: rows, learners: learners, testPairs: pairs, dropped: dropped)
    }
}
