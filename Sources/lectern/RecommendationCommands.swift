import ArgumentParser
import Foundation
import LecternCore
import LecternRecommender
import LecternService
import LecternReports
import LecternStore

extension Algorithm: ExpressibleByArgument {}

extension Lectern {
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train recommendation models and cache their results.",
            discussion: """
                Each algorithm's cache is refreshed atomically: readers see the old lists or the new ones, \
                never a mix, and a failed training leaves the old cache in place. The new lists are written \
                in short transactions and swapped in by one, so `lectern record` and HTTP writes never wait \
                more than a moment. The last 3 runs of each algorithm are kept; older ones are pruned in small \
                batches. With --active-within, only learners active in that window get a cached list; \
                everyone else is folded in when first asked for.
                """)

        enum Choice: String, ExpressibleByArgument, CaseIterable {
            case itemknn, als, popular, content, hybrid, ease, rp3beta, bpr, all
        }

        @OptionGroup var database: DatabaseOptions
        @Option(help: "itemknn, als, popular, content, hybrid, ease, rp3beta, bpr, or all (the first five: ease, rp3beta and bpr cost more and are asked for by name).")
        var algorithm: Choice = .all
        @Option(help: "Courses cached per learner.") var top: Int = 20
        @Option(help: ArgumentHelp("Cache lists only for learners with an event this recently before the newest one: 90d, 12h, 2w (default: everyone).",
                                   valueName: "duration"))
        var activeWithin: String?
        @Option(help: "Content neighbours kept per course (default 50).") var contentNeighbors: Int?

        // Interaction weights.
        @Option(help: "Weight of a view.") var viewWeight: Double = 1
        @Option(help: "Weight of a wishlist.") var wishlistWeight: Double = 2
        @Option(help: "Weight of an enrollment.") var enrollWeight: Double = 3
        @Option(help: "Weight of a purchase (a refund takes it back).") var purchaseWeight: Double = 5
        @Option(help: "Weight of a completion.") var completeWeight: Double = 5
        @Option(help: "Weight of a 5-star rating (1 star takes it away).") var rateWeight: Double = 4
        @Option(help: "Half-life of an event's weight in days (default: no decay).") var halfLife: Double?

        // Model parameters: left out, they come from `lectern tune` when it ran, else the defaults.
        @Option(name: .customLong("k"), help: "Item-kNN neighbours per course (default 50).") var neighbors: Int?
        @Option(help: "Item-kNN weighting: cosine, tfidf or bm25 (default cosine).") var weighting: String?
        @Option(help: "BM25 K1 (default 1.2).") var k1: Double?
        @Option(help: "BM25 B (default 0.75).") var b: Double?
        @Option(help: "Item-kNN shrinkage, 0 for none (default 0).") var shrinkage: Double?
        @Option(help: ArgumentHelp("Item-kNN recency: a learner's k-th newest course counts 0.5^(k/N) when scoring; 0 for none (default).",
                                   valueName: "N")) var knnRecency: Double?
        @Option(help: "ALS latent factors (default 64).") var factors: Int?
        @Option(help: "ALS regularization (default 0.01).") var regularization: Double?
        @Option(help: "ALS confidence: 1 + alpha * weight (default 1).") var alpha: Double?
        @Option(help: "ALS iterations (default 15).") var iterations: Int?
        @Option(help: "EASE lambda, added to the diagonal of XᵀX (default 500).") var easeLambda: Double?
        @Option(help: "EASE weights kept per course (default 200).") var easeNeighbors: Int?
        @Option(help: ArgumentHelp("EASE recency half-life in courses, as --knn-recency; 0 for none (default).", valueName: "N"))
        var easeRecency: Double?
        @Option(help: "RP3beta exponent on transition probabilities (default 1).") var rp3Alpha: Double?
        @Option(help: "RP3beta popularity penalty exponent (default 0.5).") var rp3Beta: Double?
        @Option(help: "RP3beta neighbours kept per course (default 100).") var rp3Neighbors: Int?
        @Option(help: ArgumentHelp("RP3beta recency half-life in courses, as --knn-recency; 0 for none (default).", valueName: "N"))
        var rp3Recency: Double?
        @Option(help: "BPR latent factors (default 64).") var bprFactors: Int?
        @Option(help: "BPR learning rate (default 0.01).") var bprLearningRate: Double?
        @Option(help: "BPR regularization (default 0.01).") var bprRegularization: Double?
        @Option(help: "BPR epochs (default 100).") var bprIterations: Int?
        @Option(help: "Random seed (the same seed gives the same model).") var seed: UInt64 = 42
        @Option(help: "Popularity half-life in days (default 30).") var popularityHalfLife: Double?
        @Option(help: "Hybrid blend weights itemknn,als,content,popular (default 0.4,0.3,0.15,0.15).") var blend: String?
        @Flag(help: "Ignore parameters saved by `lectern tune`.") var ignoreTuned = false
        @Option(help: "At most this many courses per creator in a list.") var maxPerCreator: Int?
        @Option(help: "At most this many courses per domain in a list.") var maxPerDomain: Int?
        @Option(help: "Every N-th place goes to a course from a domain the learner has not touched.") var crossDomainEvery: Int?
        @Option(help: "Score multiplier for courses whose prerequisites the learner lacks (0-1).") var prerequisitePenalty: Double = 0.5
        @Flag(help: "Leave out courses whose prerequisites the learner lacks.") var filterMissingPrerequisites = false

        /// The defaults, then what `lectern tune` saved, then the options given here.
        func options(tuned: [Algorithm: String] = [:]) throws -> TrainingOptions {
            var options = TrainingOptions()
            for (algorithm, json) in tuned where !ignoreTuned { options = options.applying(json, for: algorithm) }
            options.listLength = top
            if let activeWithin { options.activeWithinSeconds = try Self.seconds(activeWithin, option: "--active-within") }
            if let contentNeighbors { options.contentNeighbors = contentNeighbors }
            options.weights = InteractionWeights(view: viewWeight, wishlist: wishlistWeight, enroll: enrollWeight,
                                                 purchase: purchaseWeight, complete: completeWeight, rate: rateWeight,
                                                 halfLifeDays: halfLife)
            var (tunedK1, tunedB) = (1.2, 0.75)
            if case .bm25(let k1, let b) = options.itemKNN.weighting { (tunedK1, tunedB) = (k1, b) }
            switch weighting {
            case nil: if case .bm25 = options.itemKNN.weighting { options.itemKNN.weighting = .bm25(k1: k1 ?? tunedK1, b: b ?? tunedB) }
            case "cosine": options.itemKNN.weighting = .cosine
            case "tfidf": options.itemKNN.weighting = .tfidf
            case "bm25": options.itemKNN.weighting = .bm25(k1: k1 ?? tunedK1, b: b ?? tunedB)
            case let other?: throw CommandFailure("unknown weighting '\(other)': use cosine, tfidf or bm25")
            }
            if let neighbors { options.itemKNN.neighbors = neighbors }
            if let shrinkage { options.itemKNN.shrinkage = shrinkage }
            if let knnRecency { options.itemKNN.recencyHalfLife = knnRecency == 0 ? nil : knnRecency }
            if let factors { options.als.factors = factors }
            if let regularization { options.als.regularization = Float(regularization) }
            if let alpha { options.als.alpha = Float(alpha) }
            if let iterations { options.als.iterations = iterations }
            options.als.seed = seed
            if let easeLambda { options.ease.regularization = easeLambda }
            if let easeNeighbors { options.ease.neighbors = easeNeighbors }
            if let easeRecency { options.ease.recencyHalfLife = easeRecency == 0 ? nil : easeRecency }
            if let rp3Alpha { options.rp3beta.alpha = rp3Alpha }
            if let rp3Beta { options.rp3beta.beta = rp3Beta }
            if let rp3Neighbors { options.rp3beta.neighbors = rp3Neighbors }
            if let rp3Recency { options.rp3beta.recencyHalfLife = rp3Recency == 0 ? nil : rp3Recency }
            if let bprFactors { options.bpr.factors = bprFactors }
            if let bprLearningRate { options.bpr.learningRate = Float(bprLearningRate) }
            if let bprRegularization { options.bpr.regularization = Float(bprRegularization) }
            if let bprIterations { options.bpr.iterations = bprIterations }
            options.bpr.seed = seed
            if let popularityHalfLife { options.popularityHalfLifeDays = popularityHalfLife }
            if let blend {
                let parts = blend.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard parts.count == 4, let w = parts as? [Double] else {
                    throw CommandFailure("--blend needs four numbers: itemknn,als,content,popular")
                }
                options.hybrid = HybridWeights(itemknn: w[0], als: w[1], content: w[2], popular: w[3])
            }
            options.rules = RankingRules(maxPerCreator: maxPerCreator, maxPerDomain: maxPerDomain,
                                         crossDomainEvery: crossDomainEvery, missingPrerequisitePenalty: prerequisitePenalty,
                                         filterMissingPrerequisites: filterMissingPrerequisites)
            try options.validate()
            return options
        }

        /// Seconds in a duration such as `90d`, `12h`, `30m`, `2w` or `3600s` (a bare number is days).
        static func seconds(_ text: String, option: String) throws -> Int64 {
            let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800]
            var digits = Substring(text.trimmingCharacters(in: .whitespaces))
            var unit: Int64 = 86_400
            if let last = digits.last, let scale = units[last] {
                unit = scale
                digits = digits.dropLast()
            }
            guard let amount = Int64(digits), amount >= 0 else {
                throw CommandFailure("\(option) needs a duration such as 90d, 12h or 2w, got '\(text)'")
            }
            let (seconds, overflow) = amount.multipliedReportingOverflow(by: unit)
            guard !overflow, seconds <= 10_000 * 366 * 86_400 else {
                throw CommandFailure("\(option) is too long: at most 10000 years, got '\(text)'")
            }
            return seconds
        }

        func run() throws {
            _ = try options()  // refuse bad options before touching the database
            let db = try database.openEitherEngine()
            var tuned: [Algorithm: String] = [:]
            for algorithm in TuningService.tunable {
                if let json = try TunedParametersStore(db).parameters(algorithm: algorithm) { tuned[algorithm] = json }
            }
            let options = try options(tuned: tuned)
            let algorithms: [Algorithm] = algorithm == .all ? Algorithm.standard : [Algorithm(rawValue: algorithm.rawValue)!]
            let progress = Progress("training")
            let runs: [ModelRun]
            do {
                runs = try RecommendationService(db).train(algorithms, options: options) { step in
                    progress.update(label: step.phase, done: step.done, total: step.total)
                }
            } catch {
                progress.finish()
                throw error
            }
            progress.finish()
            var listing = Listing(["run", "algorithm", "learners", "courses", "interactions", "load_s", "train_s", "write_s"])
            for run in runs {
                listing.append([.int(run.id), .text(run.algorithm.rawValue), .int(Int64(run.learners)), .int(Int64(run.courses)),
                                .int(Int64(run.interactions)), .number(run.loadSeconds, decimals: 2),
                                .number(run.trainSeconds, decimals: 2), .number(run.writeSeconds, decimals: 2)])
            }
            print(listing.rendered(.table), terminator: "")
        }
    }

    struct Recommend: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A learner's recommended courses, from the cache (with fresh activity folded in).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The learner's external id.") var user: String
        @Option(help: "How many courses.") var limit: Int = 10
        @Option(help: "itemknn, als, popular, content, hybrid, ease, rp3beta or bpr (default: the learner's variant while an experiment runs, else hybrid).")
        var algorithm: Algorithm?
        @Flag(help: "Show why each course is recommended.") var explain = false

        func run() throws {
            let db = try database.openEitherEngine()
            let (list, variant) = try ExperimentService(db).serve(userExternalID: user, algorithm: algorithm, limit: limit)
            var columns = ["rank", "course", "title", "score"]
            if explain || output.format != .table { columns.append("reason") }
            var listing = Listing(columns)
            for item in list.items {
                var row: [Listing.Cell] = [.int(Int64(item.rank)), .text(item.slug), .text(item.title), .number(item.score, decimals: 4)]
                if explain || output.format != .table { row.append(.text(item.reason)) }
                listing.append(row)
            }
            if output.format == .table {
                let source = list.foldedIn ? "computed now from run \(list.run.id) (new activity since training)" : "cached by run \(list.run.id)"
                let experiment = variant.map { " (experiment variant \($0))" } ?? ""
                print("\(list.algorithm) recommendations for \(list.learner.externalID)\(experiment), \(source):")
                print(listing.rendered(.table, maxWidth: explain ? 90 : 48), terminator: "")
            } else {
                print(listing.rendered(output.format), terminator: "")
            }
        }
    }

    struct Similar: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Courses similar to a course (item-kNN; content for courses nobody has taken yet).")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The course's slug or id.") var course: String
        @Option(help: "How many courses.") var limit: Int = 10
        @Option(help: "itemknn or content.") var algorithm: Algorithm = .itemknn

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
        }

        func run() throws {
            let db = try database.openEitherEngine()
            let found = try CourseRepository(db).resolve(course)
            let (items, source) = try RecommendationService(db).similar(to: found, algorithm: algorithm, limit: limit)
            var listing = Listing(["rank", "course", "title", "score"])
            for (rank, item) in items.enumerated() {
                listing.append([.int(Int64(rank + 1)), .text(item.slug), .text(item.title), .number(item.score, decimals: 4)])
            }
            if output.format == .table {
                print("Courses like \(found.slug) (\(source.rawValue)):")
            }
            print(listing.rendered(output.format), terminator: "")
        }
    }

    struct Models: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List training runs, newest first; * marks the active ones.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Show at most this many.") var limit: Int = 20

        func run() throws {
            let db = try database.openEitherEngine()
            let cache = RecommendationCache(db)
            let active = Set(try cache.activeRuns().map(\.id))
            var listing = Listing(["run", "active", "algorithm", "learners", "courses", "interactions", "train_s", "finished_at", "parameters"])
            for run in try cache.runs(limit: limit) {
                listing.append([.int(run.id), .text(active.contains(run.id) ? "*" : ""), .text(run.algorithm.rawValue),
                                .int(Int64(run.learners)), .int(Int64(run.courses)), .int(Int64(run.interactions)),
                                .number(run.trainSeconds, decimals: 2), .text(Timestamp.format(run.finishedAt)),
                                .text(run.parameters)])
            }
            print(listing.rendered(output.format, maxWidth: 60), terminator: "")
        }
    }
}
