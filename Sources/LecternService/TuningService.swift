import Foundation
import LecternCore
import LecternRecommender
import LecternStore

/// One configuration tried by `lectern tune`.
public struct TuningTrial: Sendable {
    public var number: Int
    public var parameters: String
    public var value: Double
    public var seconds: Double
}

/// How `lectern tune` carved its validation part from the training data.
public enum ValidationSplit: Sendable, Equatable {
    /// The newest 20% of events by time.
    case temporal
    /// The newest course of a seeded random half of the learners with two or more, because too few
    /// learners are active on both sides of the newest 20% of events (`reason` says how many).
    case newestPerLearner(reason: String)
    /// A seeded random 20% of each learner's courses, because the times cannot split the data
    /// (`reason` says why: all at one time, or no learner active on both sides of the cut).
    case randomHoldout(reason: String)

    public var description: String {
        switch self {
        case .temporal: "the newest 20% of events by time"
        case .newestPerLearner(let reason): "the newest course of a seeded random half of the learners (\(reason))"
        case .randomHoldout(let reason): "a seeded random 20% of each learner's courses (\(reason))"
        }
    }
}

/// Random search of hyper-parameters on a validation split carved from training data only.
public struct TuningService {
    let db: Database

    public init(_ db: Database) {
        self.db = db
    }

    /// The tunable algorithms whose training runs on one thread: `search` trains several trials at once.
    static let trainsOnOneThread: Set<Algorithm> = [.bpr]

    /// The algorithms with something to tune.
    public static let tunable: [Algorithm] = [.itemknn, .als, .popular, .hybrid, .ease, .rp3beta, .bpr]

    /// Tunes `algorithm` on the database's interactions (the newest 20% by time validate) and saves
    /// the best parameters, which `lectern train` then starts from.
    public func tune(_ algorithm: Algorithm, metric: Metric, k: Int, trials: Int, seed: UInt64,
                     base: TrainingOptions = TrainingOptions(), progress: ((TuningTrial) -> Void)? = nil)
        throws -> (trials: [TuningTrial], best: TuningTrial, validation: ValidationSplit) {
        guard Self.tunable.contains(algorithm) else {
            throw RecommenderError("\(algorithm) has no parameters to tune: choose itemknn, als, popular, hybrid, ease, rp3beta or bpr")
        }
        let data = try TrainingMatrix.build(from: db, weights: base.weights)
        let (events, context) = EvaluationService.familiesAsOne(data)
        let result = try Self.search(algorithm, events: events, context: context, metric: metric, k: k, trials: trials,
                                     seed: seed, base: base, progress: progress)
        try TunedParametersStore(db).save(algorithm: algorithm, parameters: result.best.parameters,
                                          metric: metric.name, k: k, value: result.best.value, trials: trials)
        return (result.trials, result.best, result.validation)
    }

    /// One algorithm's best on validation in `tuneAll`.
    public struct Candidate: Sendable {
        public var algorithm: Algorithm
        public var value: Double
        public var parameters: String
        /// Trials run (1 for an algorithm with nothing to tune).
        public var trials: Int
        /// Each validating learner's value of the metric, for `served`.
        var perLearner: [Double]?
    }

    /// Tunes every algorithm (the hybrid's weights too) on one validation split carved from the data,
    /// saves each one's best parameters, and makes the algorithm `served(_:learners:)` picks the one
    /// served by default.
    /// - Returns: every candidate, best first, how validation was carved, what is served, and the
    ///   learners validation scored.
    public func tuneAll(metric: Metric, k: Int, trials: Int, seed: UInt64, base: TrainingOptions = TrainingOptions(),
                        progress: ((Algorithm, TuningTrial) -> Void)? = nil)
        throws -> (candidates: [Candidate], validation: ValidationSplit, served: Algorithm, learners: Int) {
        let data = try TrainingMatrix.build(from: db, weights: base.weights)
        let (events, context) = EvaluationService.familiesAsOne(data)
        // One validation part for every algorithm; models a search leaves as they were are kept for the next.
        let validation = try Self.validation(events, context: context, metric: metric, k: k, seed: seed)
        var candidates: [Candidate] = []
        var learners = 0
        for algorithm in Algorithm.allCases {
            if Self.tunable.contains(algorithm) {
                let result = try Self.search(algorithm, events: events, context: context, metric: metric, k: k,
                                             trials: trials, seed: seed, base: base, validation: validation) { progress?(algorithm, $0) }
                learners = result.learners
                candidates.append(Candidate(algorithm: algorithm, value: result.best.value, parameters: result.best.parameters,
                                            trials: trials, perLearner: result.perLearner))
            } else {
                // Nothing to tune: scored once on the same validation part.
                let scored = try Self.validationScore(algorithm, events: events, context: context, metric: metric, k: k,
                                                      seed: seed, options: base, validation: validation)
                candidates.append(Candidate(algorithm: algorithm, value: scored.value, parameters: base.json(for: algorithm), trials: 1,
                                            perLearner: scored.perLearner))
            }
        }
        let carved = validation.carved
        candidates.sort { ($0.value.isFinite ? $0.value : -.infinity) > ($1.value.isFinite ? $1.value : -.infinity) }
        guard let served = Self.served(candidates.map { ($0.algorithm, $0.value, $0.perLearner) }, learners: learners) else {
            throw RecommenderError("\(metric.name)@\(k) is undefined on the validation part for every algorithm")
        }
        try db.transaction {
            for candidate in candidates where Self.tunable.contains(candidate.algorithm) {
                try TunedParametersStore(db).save(algorithm: candidate.algorithm, parameters: candidate.parameters,
                                                  metric: metric.name, k: k, value: candidate.value, trials: trials)
            }
            try SettingsStore(db).setServedAlgorithm(served)
        }
        return (candidates, carved, served, learners)
    }

    /// What is served when validation cannot tell the candidates apart: the hybrid, which hedges over
    /// item-kNN, ALS, content and popularity.
    public static let fallback: Algorithm = .hybrid

    /// The algorithm to serve from candidates' validation scores over `learners` learners: the best,
    /// unless the fallback (the hybrid) is within one standard error of it (the one-standard-error
    /// rule). With each learner's values for both, the standard error is that of their differences,
    /// learner by learner (both lists are scored for the same learners, so what the learners share
    /// cancels); without, about 0.3 / sqrt(learners), NDCG's spread over independent learners.
    ///
    /// With few learners to validate on (OULAD leaves 10 or so: few of its learners took two modules
    /// before their last), the best is often best by chance, and a single model chosen so can serve far
    /// worse lists than the blend; with hundreds, a real lead is kept. A tie goes to the hybrid.
    /// - Returns: nil when no score is defined.
    public static func served(_ candidates: [(algorithm: Algorithm, value: Double, perLearner: [Double]?)], learners: Int) -> Algorithm? {
        let defined = candidates.filter(\.value.isFinite)
        guard let best = defined.max(by: { $0.value < $1.value }) else { return nil }
        guard let blend = defined.first(where: { $0.algorithm == fallback }), blend.algorithm != best.algorithm else {
            return best.algorithm
        }
        let lead = best.value - blend.value
        let standardError: Double
        if let ours = best.perLearner, let theirs = blend.perLearner, ours.count == theirs.count, ours.count > 1 {
            let differences = zip(ours, theirs).map { $0 - $1 }
            let mean = differences.reduce(0, +) / Double(differences.count)
            let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(differences.count - 1)
            standardError = (variance / Double(differences.count)).squareRoot()
        } else {
            standardError = 0.3 / Double(max(1, learners)).squareRoot()
        }
        // The tolerance keeps a lead of exactly one standard error (one learner's difference alone) a tie.
        return lead > standardError * (1 + 1e-9) ? best.algorithm : fallback
    }

    /// Fewest learners the newest 20% of events must leave to validate on (fewer where the data has
    /// fewer learners with two courses: a quarter of them). Below that, NDCG over a handful of learners
    /// ranks the algorithms by noise (its standard error is about 0.3 / sqrt(learners)).
    static let fewestValidatingLearners = 100

    /// The validation part of `events`: the newest 20% by time; when that leaves too few learners to
    /// validate on (fewer than `fewestValidatingLearners`, or than a quarter of the learners with two
    /// courses), the newest course of a seeded random half of the learners, if that leaves more (the
    /// other half keep theirs, so that what links courses, learners who took several, is not all held
    /// out where few learners took more than one); when the times cannot split the
    /// data (missing, all tied, or no learner on both sides of the cut), a seeded random 20% of each
    /// learner's courses.
    /// - Throws: `RecommenderError` naming what is needed when none leaves a learner to validate on.
    /// - Complexity: O(events log events).
    static func validationSplit(_ events: [MatrixEvent], seed: UInt64) throws -> (EvaluationSplit, ValidationSplit) {
        let times = events.map(\.time).sorted()
        guard let first = times.first, let last = times.last else { throw RecommenderError("nothing to tune on: no interactions") }
        var reason = "all events have one time"
        if first != last {
            let temporal = EvaluationSplit.temporal(events, cutoff: times[min(times.count - 1, times.count * 8 / 10)])
            let validating = validatingLearners(temporal)
            if validating > 0, validating >= min(fewestValidatingLearners, learnersWithTwoCourses(events) / 4) {
                return (temporal, .temporal)
            }
            // Each learner's courses bunched in time (a course a term, a burst of ratings): few straddle the cut.
            let newest = newestCourseOfHalf(events, seed: seed)
            if validatingLearners(newest) > validating {
                return (newest, .newestPerLearner(reason: "only \(validating) learner(s) active both before and after the newest 20% of events"))
            }
            if validating > 0 { return (temporal, .temporal) }
            reason = "no learner is active both before and after the newest 20% of events"
        }
        let random = try EvaluationSplit.randomHoldout(events, testFraction: 0.2, seed: seed)
        let trained = Set(random.train.map(\.user))
        guard random.test.contains(where: { trained.contains($0.user) }) else {
            let learners = Set(events.map(\.user)).count
            throw RecommenderError("too little data to tune on: validation needs learners with at least two courses each "
                                   + "(\(learners) learner(s) and \(events.count) event(s) here)")
        }
        return (random, .randomHoldout(reason: reason))
    }

    /// The validation part carved from `events` (`validationSplit`), ready to score trials on.
    struct Validation {
        let evaluator: TuningEvaluator
        let carved: ValidationSplit
    }

    /// Carves the validation part of `events` and prepares its protocol (`TuningEvaluator`), keeping
    /// each learner's `metric` at `k` so that `served` can compare candidates learner by learner.
    static func validation(_ events: [MatrixEvent], context: EvaluationContext, metric: Metric, k: Int, seed: UInt64) throws -> Validation {
        let (split, carved) = try validationSplit(events, seed: seed)
        let evaluator = try TuningEvaluator(split: split, facts: context.facts, domainNames: context.domainNames, tags: context.tags,
                                            contents: context.contents, cutoffs: [k], interests: context.interests,
                                            paired: (metric, k))
        return Validation(evaluator: evaluator, carved: carved)
    }

    /// `algorithm` with `options` as they are, scored once on the validation part of `events` (what
    /// `tuneAll` does for an algorithm with nothing to tune); NaN when the metric is undefined there.
    /// - Parameter validation: that part when already carved from `events` with `seed` and `k`.
    static func validationScore(_ algorithm: Algorithm, events: [MatrixEvent], context: EvaluationContext, metric: Metric, k: Int,
                                seed: UInt64, options: TrainingOptions, validation: Validation? = nil)
        throws -> (value: Double, validation: ValidationSplit, learners: Int, perLearner: [Double]?) {
        let validation = try validation ?? Self.validation(events, context: context, metric: metric, k: k, seed: seed)
        let evaluation = try validation.evaluator.evaluate(algorithm, settings: options.evaluationSettings)
        return (evaluation.report[metric, k] ?? .nan, validation.carved, evaluation.report.learnerCount, evaluation.perLearner)
    }

    /// Each learner's newest course held out (`EvaluationSplit.leaveLastOut`), for a seeded random half
    /// of the learners with two or more courses; the others' events all train.
    /// - Complexity: O(events + pairs log pairs).
    static func newestCourseOfHalf(_ events: [MatrixEvent], seed: UInt64) -> EvaluationSplit {
        // leaveLastOut throws only for a count below 1.
        let newest = try! EvaluationSplit.leaveLastOut(events, count: 1)
        var generator = SeededGenerator(seed: seed)
        let learners = Array(Set(newest.heldOut.map(\.user))).sorted().shuffled(using: &generator)
        let chosen = Set(learners.prefix((learners.count + 1) / 2))
        var heldPairs = Set<Int64>()
        for event in newest.heldOut where chosen.contains(event.user) {
            heldPairs.insert(Int64(event.user) << 32 | Int64(UInt32(bitPattern: event.item)))
        }
        var train: [MatrixEvent] = [], heldOut: [MatrixEvent] = []
        for event in events {
            if heldPairs.contains(Int64(event.user) << 32 | Int64(UInt32(bitPattern: event.item))) {
                heldOut.append(event)
            } else {
                train.append(event)
            }
        }
        return EvaluationSplit(train: train, heldOut: heldOut, test: Relevance().relevantPairs(in: heldOut))
    }

    /// Learners `split` leaves to score under the evaluation protocol: those with a held-out pair whose
    /// learner and course occur in training and that the learner did not touch in training.
    /// - Complexity: O(train + test).
    static func validatingLearners(_ split: EvaluationSplit) -> Int {
        var learners = Set<Int32>(), courses = Set<Int32>(), touched = Set<Int64>()
        for event in split.train {
            learners.insert(event.user)
            courses.insert(event.item)
            touched.insert(Int64(event.user) << 32 | Int64(UInt32(bitPattern: event.item)))
        }
        var validating = Set<Int32>()
        for pair in split.test where learners.contains(pair.user) && courses.contains(pair.item)
            && !touched.contains(Int64(pair.user) << 32 | Int64(UInt32(bitPattern: pair.item))) {
            validating.insert(pair.user)
        }
        return validating.count
    }

    /// Learners who touched two or more distinct courses.
    /// - Complexity: O(events).
    static func learnersWithTwoCourses(_ events: [MatrixEvent]) -> Int {
        var first: [Int32: Int32] = [:], many = Set<Int32>()
        for event in events {
            if let course = first[event.user] {
                if course != event.item { many.insert(event.user) }
            } else {
                first[event.user] = event.item
            }
        }
        return many.count
    }

    /// Random search over `events` (training data): carves a validation split from them (`validationSplit`),
    /// tries the current parameters first and then `trials - 1` random draws.
    /// - Parameter validation: that split when already carved from `events` with `seed` and `k`.
    /// - Complexity: per trial, the training of the one model whose parameters it draws (the others
    ///   are kept from the trial before, `TuningEvaluator`) and one list per validating learner.
    static func search(_ algorithm: Algorithm, events: [MatrixEvent], context: EvaluationContext, metric: Metric, k: Int,
                       trials: Int, seed: UInt64, base: TrainingOptions, validation: Validation? = nil,
                       progress: ((TuningTrial) -> Void)?)
        throws -> (trials: [TuningTrial], best: TuningTrial, options: TrainingOptions, validation: ValidationSplit, learners: Int,
                   perLearner: [Double]?) {
        guard tunable.contains(algorithm) else {
            throw RecommenderError("\(algorithm) has no parameters to tune: choose itemknn, als, popular, hybrid, ease, rp3beta or bpr")
        }
        guard (1...10_000).contains(trials) else { throw RecommenderError("--trials must be 1 to 10000, got \(trials)") }
        guard k >= 1 else { throw RecommenderError("K must be at least 1, got \(k)") }
        let validation = try validation ?? Self.validation(events, context: context, metric: metric, k: k, seed: seed)
        var generator = SeededGenerator(seed: seed)
        let drawn = (1...trials).map { number in number == 1 ? base : draw(algorithm, base: base, using: &generator) }
        // A trainer that runs on one thread trains as many trials at once as there are cores.
        let batch = trainsOnOneThread.contains(algorithm) ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        var results: [TuningTrial] = []
        var best: (TuningTrial, TrainingOptions, [Double]?)?
        var learners = 0
        let clock = ContinuousClock()
        for first in stride(from: 0, to: trials, by: batch) {
            let options = Array(drawn[first..<min(trials, first + batch)])
            let start = clock.now
            let evaluations = try validation.evaluator.evaluate(algorithm, settings: options.map(\.evaluationSettings))
            // Trials run side by side share their time equally.
            let seconds = (clock.now - start).inSeconds / Double(options.count)
            for (offset, evaluation) in evaluations.enumerated() {
                guard evaluation.report.learnerCount > 0 else {
                    throw RecommenderError("no learner is left in the validation part: too little data to tune on")
                }
                learners = evaluation.report.learnerCount
                let value = evaluation.report[metric, k] ?? .nan
                let trial = TuningTrial(number: first + offset + 1, parameters: options[offset].json(for: algorithm), value: value,
                                        seconds: seconds)
                results.append(trial)
                progress?(trial)
                if value.isFinite, value > (best?.0.value ?? -.infinity) { best = (trial, options[offset], evaluation.perLearner) }
            }
        }
        guard let best else { throw RecommenderError("\(metric.name)@\(k) is undefined on the validation part") }
        return (results, best.0, best.1, validation.carved, learners, best.2)
    }

    /// A random configuration around the defaults (log-uniform where scale matters).
    static func draw(_ algorithm: Algorithm, base: TrainingOptions, using generator: inout SeededGenerator) -> TrainingOptions {
        var options = base
        func logUniform(_ low: Double, _ high: Double) -> Double {
            exp(Double.random(in: log(low)...log(high), using: &generator))
        }
        // A quarter of the draws weigh a history's courses alike; the rest favour its newest (1-100 courses).
        func recency() -> Double? {
            Int.random(in: 0..<4, using: &generator) == 0 ? nil : logUniform(1, 100)
        }
        switch algorithm {
        case .itemknn:
            let weighting: ItemWeighting
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: weighting = .cosine
            case 1: weighting = .tfidf
            default: weighting = .bm25(k1: Double.random(in: 0.5...2.5, using: &generator), b: Double.random(in: 0.3...1, using: &generator))
            }
            options.itemKNN = ItemKNNParameters(neighbors: Int(logUniform(5, 300)), weighting: weighting,
                                                shrinkage: Bool.random(using: &generator) ? 0 : logUniform(1, 100),
                                                threads: base.itemKNN.threads, recencyHalfLife: recency())
        case .als:
            options.als = ALSParameters(factors: [8, 16, 32, 64, 128].randomElement(using: &generator)!,
                                        regularization: Float(logUniform(1e-3, 10)), alpha: Float(logUniform(0.1, 40)),
                                        iterations: Int.random(in: 5...20, using: &generator), seed: base.als.seed)
        case .popular:
            options.popularityHalfLifeDays = logUniform(3, 365)
        case .hybrid:
            let raw = (0..<4).map { _ in Double.random(in: 0...1, using: &generator) }
            let total = max(raw.reduce(0, +), 1e-9)
            options.hybrid = HybridWeights(itemknn: raw[0] / total, als: raw[1] / total, content: raw[2] / total, popular: raw[3] / total)
        case .ease:
            options.ease = EASEParameters(regularization: logUniform(1, 5_000), neighbors: base.ease.neighbors, threads: base.ease.threads,
                                          recencyHalfLife: recency())
        case .rp3beta:
            options.rp3beta = RP3betaParameters(alpha: Double.random(in: 0.3...1.5, using: &generator),
                                                beta: Double.random(in: 0...1, using: &generator),
                                                neighbors: Int(logUniform(10, 500)), threads: base.rp3beta.threads,
                                                recencyHalfLife: recency())
        case .bpr:
            options.bpr = BPRParameters(factors: [16, 32, 64, 128].randomElement(using: &generator)!,
                                        learningRate: Float(logUniform(1e-3, 0.1)), regularization: Float(logUniform(1e-4, 0.1)),
                                        iterations: Int(logUniform(20, 200)), seed: base.bpr.seed)
        case .content:
            break
        }
        return options
    }
}

/// What evaluation needs to know about the catalog and learners, taken from the database.
struct EvaluationContext {
    let facts: CatalogFacts
    let domainNames: [String]
    let tags: [[Int32]]
    let contents: [CourseContent]?
    let interests: [Int32: [String]]

    init(facts: CatalogFacts, domainNames: [String], tags: [[Int32]], contents: [CourseContent]?, interests: [Int32: [String]]) {
        self.facts = facts
        self.domainNames = domainNames
        self.tags = tags
        self.contents = contents
        self.interests = interests
    }

    init(_ data: TrainingMatrix) {
        let catalog = data.catalog
        var tagIndex: [String: Int32] = [:]
        tags = catalog.courses.map { course in
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
        self.interests = interests
        facts = catalog.facts
        domainNames = catalog.domainNames
        contents = catalog.contents
    }
}

extension TrainingOptions {
    /// The same settings in the form the evaluator takes.
    var evaluationSettings: EvaluationModelSettings {
        var settings = EvaluationModelSettings(weights: weights, itemKNN: itemKNN, als: als, popularityHalfLifeDays: popularityHalfLifeDays,
                                               hybrid: hybrid, rules: rules)
        settings.contentNeighbors = contentNeighbors
        settings.ease = ease
        settings.rp3beta = rp3beta
        settings.bpr = bpr
        return settings
    }

    /// These options with an algorithm's parameters from a JSON object written by `json(for:)`
    /// (as `lectern tune` saves them).
    public func applying(_ json: String, for algorithm: Algorithm) -> TrainingOptions {
        var options = self
        let p = RunParameters(json: json)
        switch algorithm {
        case .itemknn:
            if let n = p.number("neighbors") { options.itemKNN.neighbors = Int(n) }
            if let s = p.number("shrinkage") { options.itemKNN.shrinkage = s }
            if p.values["recency_half_life"] != nil { options.itemKNN.recencyHalfLife = p.number("recency_half_life") }
            switch p.values["weighting"] as? String {
            case "cosine": options.itemKNN.weighting = .cosine
            case "tfidf": options.itemKNN.weighting = .tfidf
            case "bm25": options.itemKNN.weighting = .bm25(k1: p.number("k1") ?? 1.2, b: p.number("b") ?? 0.75)
            default: break
            }
        case .als:
            if let f = p.number("factors") { options.als.factors = Int(f) }
            if let r = p.number("regularization") { options.als.regularization = Float(r) }
            if let a = p.number("alpha") { options.als.alpha = Float(a) }
            if let i = p.number("iterations") { options.als.iterations = Int(i) }
        case .popular:
            if let h = p.number("half_life_days") { options.popularityHalfLifeDays = h }
        case .hybrid:
            if let weights = p.hybridWeights { options.hybrid = weights }
        case .ease:
            if let l = p.number("lambda") { options.ease.regularization = l }
            if let n = p.number("neighbors") { options.ease.neighbors = Int(n) }
            if p.values["recency_half_life"] != nil { options.ease.recencyHalfLife = p.number("recency_half_life") }
        case .rp3beta:
            if let a = p.number("alpha") { options.rp3beta.alpha = a }
            if let b = p.number("beta") { options.rp3beta.beta = b }
            if let n = p.number("neighbors") { options.rp3beta.neighbors = Int(n) }
            if p.values["recency_half_life"] != nil { options.rp3beta.recencyHalfLife = p.number("recency_half_life") }
        case .bpr:
            if let f = p.number("factors") { options.bpr.factors = Int(f) }
            if let r = p.number("learning_rate") { options.bpr.learningRate = Float(r) }
            if let r = p.number("regularization") { options.bpr.regularization = Float(r) }
            if let i = p.number("iterations") { options.bpr.iterations = Int(i) }
        case .content:
            break
        }
        return options
    }
}
