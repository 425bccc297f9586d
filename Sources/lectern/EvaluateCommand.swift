import ArgumentParser
import Foundation
import LecternCore
import LecternRecommender
import LecternService
import LecternReports
import LecternStore

extension Lectern {
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the algorithms offline on held-out behaviour.",
            discussion: """
                Each algorithm is trained on the training part only (popularity and content too) and its \
                lists are scored against the held-out part. Protocol: test pairs whose learner or course is \
                absent from training, or that already occur in training, are dropped; each learner with a \
                test pair counts once; courses the learner touched in training are never recommended; \
                relevance is binary (a view, wishlist, enrollment, purchase, completion or a rating of 4+). \
                precision follows implicit (hits / min(K, relevant)); precision_over_k divides by K. \
                Results on the database are stored in `evaluations`.

                --interactions FILE evaluates a CSV or TSV with a header user,item[,weight][,timestamp] \
                instead of the database; --train FILE --test FILE takes a split made elsewhere.

                --tune N tunes each algorithm on a validation part carved from the training part alone, \
                as `lectern tune --all` does, and shows each one's NDCG on validation; `served` marks the \
                best there, the algorithm `tune --all` would serve. --lists FILE writes the ranked lists \
                that were scored, so other code can score the same lists.
                """)

        enum Split: String, ExpressibleByArgument, CaseIterable {
            case temporal, learnerTemporal = "learner-temporal", leaveLast = "leave-last", random, kfold
        }

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "temporal, learner-temporal, leave-last, random or kfold.") var split: Split = .temporal
        @Option(help: "temporal: train on events before this time (default: when 80% had happened).") var cutoff: String?
        @Option(help: "learner-temporal: share of each learner's events that trains.") var trainFraction: Double = 0.8
        @Option(help: "leave-last: courses held out per learner.") var leave: Int = 1
        @Option(help: "random, kfold: share of each learner's courses held out.") var testFraction: Double = 0.2
        @Option(help: "kfold: number of folds.") var folds: Int = 5
        @Option(help: "Seed of the random splits.") var seed: UInt64 = 42
        @Option(help: "Cut-offs, comma-separated (default 10).") var k: String = "10"
        @Option(help: "Algorithms, comma-separated (itemknn, als, popular, content, hybrid, ease, rp3beta, bpr), or all (the first five).") var algorithm: String = "all"
        @Option(help: "Metrics to show, comma-separated, or all.") var metrics: String = "precision,recall,ndcg,map,mrr,hit_rate,coverage,novelty,diversity_domain,gini_creator"
        @Option(help: "Evaluate this interactions file instead of the database.") var interactions: String?
        @Option(help: "A training file made elsewhere (with --test).") var train: String?
        @Option(help: "A test file made elsewhere (with --train).") var test: String?
        @Option(help: "ALS factors.") var factors: Int = 64
        @Option(help: "ALS iterations.") var iterations: Int = 15
        @Option(name: .customLong("neighbors"), help: "Item-kNN neighbours.") var neighbors: Int = 50
        @Option(help: ArgumentHelp("Item-kNN recency: a learner's k-th newest course counts 0.5^(k/N) when scoring; 0 for none (default).",
                                   valueName: "N")) var knnRecency: Double = 0
        @Option(help: "EASE lambda (default 500).") var easeLambda: Double = 500
        @Option(help: ArgumentHelp("EASE recency half-life in courses, as --knn-recency; 0 for none (default).", valueName: "N"))
        var easeRecency: Double = 0
        @Option(help: "RP3beta alpha (default 1).") var rp3Alpha: Double = 1
        @Option(help: "RP3beta beta (default 0.5).") var rp3Beta: Double = 0.5
        @Option(help: "RP3beta neighbours per course (default 100).") var rp3Neighbors: Int = 100
        @Option(help: ArgumentHelp("RP3beta recency half-life in courses, as --knn-recency; 0 for none (default).", valueName: "N"))
        var rp3Recency: Double = 0
        @Option(help: "BPR factors (default 64).") var bprFactors: Int = 64
        @Option(help: "BPR learning rate (default 0.01).") var bprLearningRate: Double = 0.01
        @Option(help: "BPR regularization (default 0.01).") var bprRegularization: Double = 0.01
        @Option(help: "BPR epochs (default 100).") var bprIterations: Int = 100
        @Option(help: ArgumentHelp(
            "recommend (default): score learners' lists; audience: score course audiences (see below).", valueName: "task"))
        var task: EvaluationTask = .recommend
        @Option(help: "audience: how many learners each audience holds (precision@N, recall@N).") var audienceSize: Int = 50
        @Option(help: "Before scoring, tune each algorithm with this many trials on a validation split carved from the training part.") var tune: Int = 0
        @Option(help: "Write the ranked lists scored to this CSV (algorithm,k,user,rank,item); with --interactions or --train/--test.") var lists: String?
        @Flag(help: ArgumentHelp(
            "Compare lists that use the learners' dismissals with lists that ignore them, instead of the usual metrics.",
            discussion: """
                For each algorithm, at the first cut-off: the share of listed places taken by a course the learner \
                dismissed later (lower is better), and NDCG on the courses they bought later (higher is better), \
                with models trained on the training part with and without its dismissals.
                """)) var dismissals = false

        func cutoffs() throws -> [Int] {
            let values = k.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !values.isEmpty, let list = values as? [Int], list.allSatisfy({ $0 >= 1 }) else {
                throw CommandFailure("--k needs whole numbers of at least 1, such as 10 or 5,10,20; got '\(k)'")
            }
            return list
        }

        func algorithms() throws -> [Algorithm] {
            if algorithm == "all" { return Algorithm.standard }
            return try algorithm.split(separator: ",").map {
                let name = $0.trimmingCharacters(in: .whitespaces)
                guard let value = Algorithm(rawValue: name) else {
                    throw CommandFailure("unknown algorithm '\(name)': use \(Algorithm.allCases.map(\.rawValue).joined(separator: ", ")) or all")
                }
                return value
            }
        }

        func shownMetrics() throws -> [Metric] {
            if metrics == "all" { return Metric.allCases }
            return try metrics.split(separator: ",").map {
                let name = $0.trimmingCharacters(in: .whitespaces)
                guard let metric = Metric(rawValue: name) else {
                    throw CommandFailure("unknown metric '\(name)': use \(Metric.allCases.map(\.name).joined(separator: ", ")) or all")
                }
                return metric
            }
        }

        enum EvaluationTask: String, ExpressibleByArgument, CaseIterable { case recommend, audience }

        func splitProtocol() throws -> EvaluationProtocol {
            switch split {
            case .temporal: return .temporal(cutoff: try cutoff.map { try parseTime($0, option: "--cutoff") })
            case .learnerTemporal: return .learnerTemporal(trainFraction: trainFraction)
            case .leaveLast: return .leaveLastOut(count: leave)
            case .random: return .randomHoldout(testFraction: testFraction, seed: seed)
            case .kfold: return .kFold(folds: folds, testFraction: testFraction, seed: seed)
            }
        }

        func run() throws {
            let cutoffs = try cutoffs(), algorithms = try algorithms(), shown = try shownMetrics()
            guard tune >= 0 else { throw CommandFailure("--tune cannot be negative") }
            if dismissals { return try compareDismissals(algorithms: algorithms, k: cutoffs[0]) }
            if task == .audience { return try evaluateAudiences() }
            let options = try trainingOptions()
            let outcome: EvaluationOutcome
            let source: String
            // A file from elsewhere has no catalog: every item is one domain and one creator.
            var hasCatalog = false
            var names: (users: [String], items: [String]) = ([], [])
            if train != nil || test != nil {
                guard let train, let test else { throw CommandFailure("--train and --test go together") }
                let data = try ExternalInteractions.load(train: train, test: test)
                outcome = try EvaluationService.evaluate(train: data.train, test: data.test, algorithms: algorithms, cutoffs: cutoffs,
                                                         options: options, tuneTrials: tune, keepingLists: lists != nil)
                source = "\(train) + \(test)"
                names = (data.users, data.items)
            } else if let interactions {
                if lists != nil, split == .kfold { throw CommandFailure("--lists needs one split: choose a --split other than kfold") }
                let data = try ExternalInteractions.load(from: interactions)
                outcome = try EvaluationService.evaluate(file: data, split: try splitProtocol(), algorithms: algorithms,
                                                         cutoffs: cutoffs, options: options, tuneTrials: tune, keepingLists: lists != nil)
                source = interactions
                names = (data.users, data.items)
            } else {
                guard lists == nil else { throw CommandFailure("--lists needs --interactions FILE or --train FILE --test FILE") }
                let db = try database.openEitherEngine()
                source = db.path
                outcome = try EvaluationService(db).evaluate(try splitProtocol(), algorithms: algorithms, cutoffs: cutoffs, options: options, tuneTrials: tune)
                hasCatalog = true
            }
            let kfold = outcome.rows.contains { $0.spread != nil }
            // Without a catalog these say nothing and show n/a (null in JSON), not a misleading 0.
            let withoutCatalog: Set<String> = hasCatalog ? [] : ["diversity_domain", "gini_creator"]
            // k-fold in JSON and CSV: each metric's mean, then its sd, min and max over the folds (the
            // table shows mean±sd in one cell).
            let spreadColumns = kfold && output.format != .table
            // With --tune: each algorithm's NDCG on validation, and the best there (what `tune --all` serves).
            // JSON and CSV also name the parameters tuning chose (too wide for the table).
            let showParameters = tune > 0 && output.format != .table
            let validationColumns = tune > 0 ? ["validation_ndcg@\(cutoffs[0])", "served"] + (showParameters ? ["parameters"] : []) : []
            let served = outcome.served
            var listing = Listing(["algorithm", "k"] + shown.flatMap { metric in
                spreadColumns ? [metric.name, metric.name + "_sd", metric.name + "_min", metric.name + "_max"] : [metric.name]
            } + ["train_s"] + validationColumns)
            for algorithm in algorithms {
                for k in cutoffs {
                    let rows = outcome.rows.filter { $0.algorithm == algorithm && $0.k == k }
                    guard let first = rows.first else { continue }
                    var cells: [Listing.Cell] = [.text(algorithm.rawValue), .int(Int64(k))]
                    cells += metricCells(rows, shown: shown, withoutCatalog: withoutCatalog, spreadColumns: spreadColumns, kfold: kfold)
                    cells.append(.number(first.trainingSeconds, decimals: 2))
                    if tune > 0 {
                        cells.append(.number(outcome.validationScores[algorithm.rawValue], decimals: 4))
                        cells.append(.text(served == algorithm.rawValue ? "yes" : ""))
                        if showParameters { cells.append(.text(first.parameters)) }
                    }
                    listing.append(cells)
                }
            }
            let tuning = outcome.validation.map { "tuned on \($0.description)" }.joined(separator: "; ")
            if output.format == .table {
                print("Evaluated \(source): \(outcome.learners) learners, \(outcome.testPairs) test pairs (\(outcome.dropped) dropped by the protocol)\(kfold ? ", mean±sd over \(folds) folds" : "")")
                if !tuning.isEmpty { print("Parameters \(tuning).") }
            } else if !tuning.isEmpty {
                FileHandle.standardError.write(Data("validation: \(tuning)\n".utf8))
            }
            print(listing.rendered(output.format), terminator: "")
            if let lists { try writeLists(outcome, algorithms: algorithms, names: names, to: lists) }
        }

        /// One algorithm's figures at one cut-off, in `shown`'s order: n/a where the data has no
        /// catalog; with k-fold, each metric's mean, sd, min and max (JSON, CSV) or mean±sd (table).
        func metricCells(_ rows: [EvaluationRow], shown: [Metric], withoutCatalog: Set<String>, spreadColumns: Bool,
                         kfold: Bool) -> [Listing.Cell] {
            var cells: [Listing.Cell] = []
            for metric in shown {
                let row = rows.first { $0.metric == metric.name }
                let value = row?.value.flatMap { $0.isFinite ? $0 : nil }
                if withoutCatalog.contains(metric.name) {
                    let missing: Listing.Cell = output.format == .json ? .number(nil, decimals: 4) : .text("n/a")
                    cells.append(contentsOf: Array(repeating: missing, count: spreadColumns ? 4 : 1))
                } else if spreadColumns {
                    for figure in [value, row?.spread, row?.minimum, row?.maximum] {
                        cells.append(.number(figure.flatMap { $0.isFinite ? $0 : nil }, decimals: 4))
                    }
                } else if kfold && output.format == .table, let value, let spread = row?.spread, spread.isFinite {
                    cells.append(.text(String(format: "%.4f±%.4f", value, spread)))
                } else {
                    cells.append(.number(value, decimals: 4))
                }
            }
            return cells
        }

        /// The models' parameters from the options.
        func trainingOptions() throws -> TrainingOptions {
            var options = TrainingOptions()
            options.als = ALSParameters(factors: factors, iterations: iterations, seed: seed)
            options.itemKNN.neighbors = neighbors
            options.itemKNN.recencyHalfLife = knnRecency == 0 ? nil : knnRecency
            options.ease.regularization = easeLambda
            options.ease.recencyHalfLife = easeRecency == 0 ? nil : easeRecency
            options.rp3beta = RP3betaParameters(alpha: rp3Alpha, beta: rp3Beta, neighbors: rp3Neighbors,
                                                recencyHalfLife: rp3Recency == 0 ? nil : rp3Recency)
            options.bpr = BPRParameters(factors: bprFactors, learningRate: Float(bprLearningRate),
                                        regularization: Float(bprRegularization), iterations: bprIterations, seed: seed)
            try options.validate()
            return options
        }

        /// `--task audience`: each audience method against the most-active and random baselines.
        func evaluateAudiences() throws {
            guard interactions == nil, train == nil, test == nil, lists == nil, tune == 0, split == .temporal else {
                throw CommandFailure("--task audience reads the database on a temporal split: it goes without --split, --interactions, --train, --test, --lists and --tune")
            }
            guard audienceSize >= 1 else { throw CommandFailure("--audience-size must be at least 1, got \(audienceSize)") }
            let db = try database.openEitherEngine()
            let path = db.path
            let (evaluation, at) = try EvaluationService(db)
                .audienceQuality(cutoff: try cutoff.map { try parseTime($0, option: "--cutoff") }, size: audienceSize, seed: seed,
                                 options: try trainingOptions())
            var listing = Listing(["courses", "method", "count", "precision", "recall", "lift_over_active", "lift_over_random"])
            for row in evaluation.rows {
                listing.append([.text(row.group), .text(row.method), .int(Int64(row.courses)), .number(row.precision, decimals: 4),
                                .number(row.recall, decimals: 4),
                                .number(evaluation.lift(row.method, over: "active", group: row.group), decimals: 2),
                                .number(evaluation.lift(row.method, over: "random", group: row.group), decimals: 2)])
            }
            if output.format == .table {
                print("""
                    Audiences on \(path), cutoff \(Timestamp.format(at)): for each course taken after the cutoff, \
                    \(audienceSize) learners per method; \(evaluation.truthPairs) later takers to find.
                    precision: share of the audience that took the course later; recall: share of the later takers found.
                    established: courses taken before the cutoff; new: first taken after it (content alone can judge them).
                    """)
            }
            print(listing.rendered(output.format), terminator: "")
        }

        /// `--dismissals`: the same split, lists with and without the learners' dismissals.
        func compareDismissals(algorithms: [Algorithm], k: Int) throws {
            guard interactions == nil, train == nil, test == nil, lists == nil, tune == 0 else {
                throw CommandFailure("--dismissals reads the database: it goes without --interactions, --train, --test, --lists and --tune")
            }
            let db = try database.openEitherEngine()
            let path = db.path
            let effects = try EvaluationService(db)
                .dismissalEffect(try splitProtocol(), algorithms: algorithms, k: k, options: try trainingOptions())
            var listing = Listing(["algorithm", "k", "learners", "later_dismissed_using", "later_dismissed_ignoring",
                                   "purchase_ndcg_using", "purchase_ndcg_ignoring"])
            for effect in effects {
                listing.append([.text(effect.algorithm.rawValue), .int(Int64(effect.k)), .int(Int64(effect.learners)),
                                .number(effect.using.laterDismissed, decimals: 4), .number(effect.ignoring.laterDismissed, decimals: 4),
                                .number(effect.using.purchaseNDCG, decimals: 4), .number(effect.ignoring.purchaseNDCG, decimals: 4)])
            }
            if output.format == .table, let first = effects.first {
                print("""
                    Dismissals on \(path): \(first.trainingDismissals) in the training part; \(first.learners) learners \
                    scored (\(first.dismissing) dismissed a new course later, \(first.buying) bought one).
                    later_dismissed: share of the top \(k) the learner dismissed later (lower is better).
                    purchase_ndcg: NDCG@\(k) on what they bought later (higher is better).
                    """)
            }
            print(listing.rendered(output.format), terminator: "")
        }

        /// Writes every algorithm's scored lists as CSV, learners and items named as in the input files.
        /// - Complexity: O(algorithms x cutoffs x learners x K).
        func writeLists(_ outcome: EvaluationOutcome, algorithms: [Algorithm], names: (users: [String], items: [String]),
                        to path: String) throws {
            var listing = Listing(["algorithm", "k", "user", "rank", "item"])
            for algorithm in algorithms {
                guard let kept = outcome.rankedLists[algorithm.rawValue] else { continue }
                for k in kept.lists.keys.sorted() {
                    for (learner, list) in zip(kept.learners, kept.lists[k]!) {
                        for (rank, item) in list.enumerated() {
                            listing.append([.text(algorithm.rawValue), .int(Int64(k)), .text(names.users[Int(learner)]),
                                            .int(Int64(rank + 1)), .text(names.items[Int(item)])])
                        }
                    }
                }
            }
            try OutputPath.write(Data(listing.rendered(.csv).utf8), to: path)
        }
    }
}
