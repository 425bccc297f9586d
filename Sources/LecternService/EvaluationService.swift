import LecternCore
import LecternRecommender
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
    /// With `--tune`: how each tuning carved its validation part (distinct, in the order met).
    public var validation: [ValidationSplit] = []
    /// With `--tune`: each algorithm's best NDCG at the first cut-off on its validation part (the
    /// mean over folds), by algorithm name.
    public var validationScores: [String: Double] = [:]
    /// With `--tune`: the learners each validation part scored (the fewest over folds).
    public var validationLearners = 0
    /// With `--tune`: each validating learner's NDCG, fold after fold, by algorithm name.
    var validationPerLearner: [String: [Double]] = [:]
    /// With `--tune`: what `lectern tune --all` would serve from these scores (`TuningService.served`).
    public var served: String? {
        TuningService.served(validationScores.compactMap { name, value in
            Algorithm(rawValue: name).map { ($0, value, validationPerLearner[name]) }
        }, learners: validationLearners)?.rawValue
    }
    /// With `keepingLists`: the learners scored and the lists scored for them at each cut-off (see
    /// `EvaluationReport.lists`), by algorithm name.
    public var rankedLists: [String: (learners: [Int32], lists: [Int: [[Int32]]])] = [:]
}

/// Measures Lectern's algorithms offline: trains each on the training part only and scores its
/// lists against the held-out part.
public struct EvaluationService {
    let db: Database

    public init(_ db: Database) {
        self.db = db
    }

    /// Evaluates on the database's own interactions and stores the results.
    ///
    /// With `tuneTrials` > 0, each tunable algorithm's parameters are first searched (NDCG at the
    /// first cut-off) on a validation split carved from the training part alone.
    public func evaluate(_ split: EvaluationProtocol, algorithms: [Algorithm], cutoffs: [Int],
                         options: TrainingOptions = TrainingOptions(), tuneTrials: Int = 0) throws -> EvaluationOutcome {
        try options.validate()
        let data = try TrainingMatrix.build(from: db, weights: options.weights)
        let (events, context) = Self.familiesAsOne(data)
        let outcome = try Self.run(split, events: events, algorithms: algorithms, cutoffs: cutoffs, options: options,
                                   facts: context.facts, domainNames: context.domainNames, tags: context.tags,
                                   contents: context.contents, interests: context.interests, tuneTrials: tuneTrials)
        var stored = outcome
        stored.evaluationID = try EvaluationStore(db).save(source: "database", protocol: split.json, learners: outcome.learners,
                                                           testPairs: outcome.testPairs, rows: outcome.rows)
        return stored
    }

    /// Evaluates on an external file of (user, item, weight, timestamp) with no catalog: the
    /// content model is left out and list metrics treat every item as one domain and creator.
    /// With `keepingLists` the outcome keeps the lists scored (one split only, not k-fold).
    public static func evaluate(file: ExternalInteractions, split: EvaluationProtocol, algorithms: [Algorithm],
                                cutoffs: [Int], options: TrainingOptions = TrainingOptions(), tuneTrials: Int = 0,
                                keepingLists: Bool = false) throws -> EvaluationOutcome {
        try options.validate()
        let events = file.events.map { MatrixEvent(user: $0.user, item: $0.item, kind: .view, time: $0.time, weight: $0.weight) }
        let facts = Self.flatCatalog(items: file.items.count)
        return try run(split, events: events, algorithms: algorithms.filter { $0 != .content }, cutoffs: cutoffs,
                       options: options, facts: facts, domainNames: ["all"], tags: Array(repeating: [], count: file.items.count),
                       contents: nil, interests: [:], tuneTrials: tuneTrials, keepingLists: keepingLists)
    }

    /// Evaluates on a split made elsewhere: `train` is learnt from, `test` is predicted. With
    /// `keepingLists` the outcome keeps the lists scored.
    public static func evaluate(train: ExternalInteractions, test: ExternalInteractions, algorithms: [Algorithm],
                                cutoffs: [Int], options: TrainingOptions = TrainingOptions(), tuneTrials: Int = 0,
                                keepingLists: Bool = false) throws -> EvaluationOutcome {
        try options.validate()
        let trainEvents = train.events.map { MatrixEvent(user: $0.user, item: $0.item, kind: .view, time: $0.time, weight: $0.weight) }
        let testEvents = test.events.map { MatrixEvent(user: $0.user, item: $0.item, kind: .view, time: $0.time, weight: $0.weight) }
        let split = EvaluationSplit(train: trainEvents, heldOut: testEvents, test: Relevance().relevantPairs(in: testEvents))
        let facts = Self.flatCatalog(items: train.items.count)
        return try evaluate(splits: [split], algorithms: algorithms.filter { $0 != .content }, cutoffs: cutoffs, options: options,
                            facts: facts, domainNames: ["all"], tags: Array(repeating: [], count: train.items.count),
                            contents: nil, interests: [:], tuneTrials: tuneTrials, keepingLists: keepingLists)
    }

    /// The data as offline evaluation (and tuning) sees it: a family of course runs counts as one
    /// course. Every run's events go to the family's first run, and the other runs are left out of
    /// every list, so recommending any run of a family a learner took later is one hit, not a miss.
    static func familiesAsOne(_ data: TrainingMatrix) -> (events: [MatrixEvent], context: EvaluationContext) {
        let context = EvaluationContext(data)
        let otherRuns = data.catalog.otherRuns
        guard otherRuns.contains(where: { !$0.isEmpty }) else { return (data.events, context) }
        let first = otherRuns.indices.map { i in min(Int32(i), otherRuns[i].min() ?? Int32(i)) }
        var facts = context.facts
        for i in first.indices where first[i] != Int32(i) { facts.available[i] = false }
        let events = data.events.map { event -> MatrixEvent in
            var event = event
            event.item = first[Int(event.item)]
            return event
        }
        return (events, EvaluationContext(facts: facts, domainNames: context.domainNames, tags: context.tags,
                                          contents: context.contents, interests: context.interests))
    }

    static func flatCatalog(items: Int) -> CatalogFacts {
        CatalogFacts(creators: Array(repeating: 0, count: items), domains: Array(repeating: 0, count: items),
                     available: Array(repeating: true, count: items), prerequisites: Array(repeating: [], count: items))
    }

    /// How listening to dismissals changes each algorithm's lists, on `split` (the first fold of a
    /// k-fold split): see `DismissalEffect`. Nothing is stored.
    public func dismissalEffect(_ split: EvaluationProtocol, algorithms: [Algorithm], k: Int,
                                options: TrainingOptions = TrainingOptions()) throws -> [DismissalEffect] {
        try options.validate()
        guard k >= 1 else { throw StoreError(.invalidInput, "k must be at least 1, got \(k)") }
        let data = try TrainingMatrix.build(from: db, weights: options.weights)
        let (events, context) = Self.familiesAsOne(data)
        let first = try Self.splits(split, events: events)[0]
        return try DismissalEffect.measure(split: first, algorithms: algorithms, facts: context.facts,
                                           domainNames: context.domainNames, contents: context.contents,
                                           settings: options.evaluationSettings, k: k, interests: context.interests)
    }

    /// The training and held-out parts `split` makes of `events`.
    static func splits(_ split: EvaluationProtocol, events: [MatrixEvent]) throws -> [EvaluationSplit] {
        switch split {
        case .temporal(let cutoff):
            let times = events.map(\.time).sorted()
            let at = cutoff ?? times[min(times.count - 1, times.count * 8 / 10)]
            return [EvaluationSplit.temporal(events, cutoff: at)]
        case .learnerTemporal(let fraction): return [try EvaluationSplit.temporalPerLearner(events, trainFraction: fraction)]
        case .leaveLastOut(let count): return [try EvaluationSplit.leaveLastOut(events, count: count)]
        case .randomHoldout(let fraction, let seed): return [try EvaluationSplit.randomHoldout(events, testFraction: fraction, seed: seed)]
        case .kFold(let folds, let fraction, let seed):
            return try EvaluationSplit.kFold(events, folds: folds, testFraction: fraction, seed: seed)
        case .given:
            throw RecommenderError("a given split needs --train and --test files")
        }
    }

    static func run(_ split: EvaluationProtocol, events: [MatrixEvent], algorithms: [Algorithm], cutoffs: [Int],
                    options: TrainingOptions, facts: CatalogFacts, domainNames: [String], tags: [[Int32]],
                    contents: [CourseContent]?, interests: [Int32: [String]], tuneTrials: Int,
                    keepingLists: Bool = false) throws -> EvaluationOutcome {
        let splits = try Self.splits(split, events: events)
        return try evaluate(splits: splits, algorithms: algorithms, cutoffs: cutoffs, options: options, facts: facts,
                            domainNames: domainNames, tags: tags, contents: contents, interests: interests, tuneTrials: tuneTrials,
                            keepingLists: keepingLists)
    }

    static func evaluate(splits: [EvaluationSplit], algorithms: [Algorithm], cutoffs: [Int], options: TrainingOptions,
                         facts: CatalogFacts, domainNames: [String], tags: [[Int32]], contents: [CourseContent]?,
                         interests: [Int32: [String]], tuneTrials: Int, keepingLists: Bool = false) throws -> EvaluationOutcome {
        guard splits.allSatisfy({ !$0.test.isEmpty }) else {
            throw RecommenderError("the test part is empty: choose another split or cutoff")
        }
        guard tuneTrials >= 0 else { throw RecommenderError("--tune cannot be negative") }
        guard !keepingLists || splits.count == 1 else { throw RecommenderError("ranked lists are kept for one split, not for k-fold") }
        // Each fold's reports per algorithm; parameters are tuned per fold on its training part only.
        var reports: [Algorithm: [(report: EvaluationReport, seconds: Double, parameters: String)]] = [:]
        var tally = ValidationTally()
        for split in splits {
            for algorithm in algorithms {
                var chosen = options
                if tuneTrials > 0 {
                    // As `lectern tune --all` does: the tunable are searched, the rest scored once, on
                    // one validation part carved from this split's training part.
                    let context = EvaluationContext(facts: facts, domainNames: domainNames, tags: tags,
                                                    contents: contents, interests: interests)
                    if TuningService.tunable.contains(algorithm) {
                        let tuned = try TuningService.search(algorithm, events: split.train, context: context, metric: .ndcg,
                                                             k: cutoffs[0], trials: tuneTrials, seed: options.als.seed,
                                                             base: options, progress: nil)
                        chosen = tuned.options
                        tally.add(algorithm, tuned.best.value, learners: tuned.learners, perLearner: tuned.perLearner,
                                  carved: tuned.validation)
                    } else {
                        let scored = try TuningService.validationScore(algorithm, events: split.train, context: context, metric: .ndcg,
                                                                       k: cutoffs[0], seed: options.als.seed, options: options)
                        tally.add(algorithm, scored.value, learners: scored.learners, perLearner: scored.perLearner,
                                  carved: scored.validation)
                    }
                }
                let result = try Evaluator.compareAlgorithms([algorithm], split: split, facts: facts, domainNames: domainNames,
                                                             tags: tags, contents: contents, cutoffs: cutoffs,
                                                             settings: chosen.evaluationSettings, interests: interests,
                                                             keepingLists: keepingLists)[0]
                reports[algorithm, default: []].append((result.report, result.trainingTime.inSeconds, chosen.json(for: algorithm)))
            }
        }
        var rows: [EvaluationRow] = []
        var learners = 0, pairs = 0, dropped = 0
        for algorithm in algorithms {
            let folds = reports[algorithm] ?? []
            learners = folds.map(\.report.learnerCount).reduce(0, +)
            pairs = folds.map(\.report.testPairCount).reduce(0, +)
            dropped = folds.map(\.report.drops.total).reduce(0, +)
            let time = folds.map(\.seconds).reduce(0, +) / Double(max(1, folds.count))
            let summary = folds.count > 1 ? CrossValidationReport(folds: folds.map(\.report)) : nil
            for k in cutoffs {
                for metric in Metric.allCases {
                    let value = summary.map { $0.mean[k]?[metric] } ?? folds.first?.report[metric, k]
                    rows.append(EvaluationRow(algorithm: algorithm, parameters: folds.last?.parameters ?? "{}",
                                              trainingSeconds: time, k: k, metric: metric.name, value: value ?? nil,
                                              spread: summary?.standardDeviation[k]?[metric],
                                              minimum: summary?.minimum[k]?[metric], maximum: summary?.maximum[k]?[metric]))
                }
            }
        }
        guard learners > 0 else {
            throw RecommenderError("no learner is left to evaluate: every test pair was dropped (unknown learner or course, or already in training)")
        }
        var outcome = EvaluationOutcome(rows: rows, learners: learners, testPairs: pairs, dropped: dropped, validation: tally.carved)
        tally.fill(&outcome)
        if keepingLists {
            for (algorithm, folds) in reports {
                guard let report = folds.first?.report else { continue }
                outcome.rankedLists[algorithm.rawValue] = (report.learners, report.lists)
            }
        }
        return outcome
    }
}

extension EvaluationService {
    /// `lectern evaluate --task audience`: how well each way of finding a course's audience finds the
    /// learners who took it after a global temporal cutoff (see `AudienceEvaluation`). Nothing is stored.
    public func audienceQuality(cutoff: Int64?, size: Int, seed: UInt64,
                                options: TrainingOptions = TrainingOptions()) throws -> (evaluation: AudienceEvaluation, cutoff: Int64) {
        try options.validate()
        let data = try TrainingMatrix.build(from: db, weights: options.weights)
        let (events, context) = Self.familiesAsOne(data)
        guard !events.isEmpty else { throw StoreError(.invalidInput, "there are no events to evaluate") }
        let times = events.map(\.time).sorted()
        let at = cutoff ?? times[min(times.count - 1, times.count * 8 / 10)]
        let split = EvaluationSplit.temporal(events, cutoff: at)
        let users = Int(events.map(\.user).max() ?? -1) + 1
        let models = try EvaluationModels.train(events: split.train, users: users, facts: context.facts,
                                                domainNames: context.domainNames, contents: context.contents,
                                                settings: options.evaluationSettings, algorithms: [.itemknn, .als, .content])
        let recommender = models.recommender
        let evaluation = try AudienceEvaluation.measure(split: split, itemKNN: recommender.itemKNN, factors: recommender.factorModel,
                                                        content: recommender.content, contents: context.contents,
                                                        interests: context.interests, size: size, seed: seed)
        return (evaluation, at)
    }
}

/// What `--tune` learns about each algorithm on validation, fold after fold, for `EvaluationOutcome`.
private struct ValidationTally {
    /// How each fold's validation part was carved (distinct, in the order met).
    var carved: [ValidationSplit] = []
    var values: [Algorithm: [Double]] = [:]
    var learners = Int.max
    var perLearner: [Algorithm: [[Double]?]] = [:]

    mutating func add(_ algorithm: Algorithm, _ value: Double, learners: Int, perLearner: [Double]?, carved: ValidationSplit) {
        values[algorithm, default: []].append(value)
        self.learners = min(self.learners, learners)
        self.perLearner[algorithm, default: []].append(perLearner)
        if !self.carved.contains(carved) { self.carved.append(carved) }
    }

    /// Each algorithm's mean over folds, the fewest learners a fold validated on, and each learner's
    /// values fold after fold (when every fold has them).
    func fill(_ outcome: inout EvaluationOutcome) {
        for (algorithm, folds) in values {
            outcome.validationScores[algorithm.rawValue] = folds.reduce(0, +) / Double(folds.count)
        }
        if !values.isEmpty { outcome.validationLearners = learners }
        for (algorithm, folds) in perLearner where folds.allSatisfy({ $0 != nil }) {
            outcome.validationPerLearner[algorithm.rawValue] = folds.flatMap { $0! }
        }
    }
}
