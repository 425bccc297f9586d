import Foundation
import ArgumentParser
import LecternCore
import LecternRecommender
import LecternService
import LecternReports
import LecternStore

extension Lectern {
    struct Tune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search an algorithm's parameters (or every algorithm's, --all) on a validation split; `lectern train` then uses the best.",
            discussion: """
                The newest 20% of interactions (by time) validate, the rest train, so nothing is tuned on \
                a later test; when that leaves fewer than 100 learners to score (fewer than a quarter of the \
                learners with two courses on small data), the newest course of a random half of the learners validates. The first trial is the current parameters; the others are random draws. \
                The best is saved in `tuned_parameters`; `lectern train --ignore-tuned` leaves it aside. \
                With --all, every algorithm is tuned (the hybrid's blend weights too) on the same validation \
                split, a table ranks them, and the best becomes the algorithm `recommend` and `lectern serve` \
                use when none is asked for and no experiment runs.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "itemknn, als, popular, hybrid, ease, rp3beta or bpr.") var algorithm: Algorithm?
        @Flag(help: "Tune every algorithm and the hybrid's weights on one validation split, and serve the best by default.")
        var all = false
        @Option(help: "What to maximise, as METRIC@K (precision, recall, ndcg, map, mrr, hit_rate, ...).") var metric: String = "ndcg@10"
        @Option(help: "How many configurations to try.") var trials: Int = 20
        @Option(help: "Seed of the random search.") var seed: UInt64 = 42

        func parsedMetric() throws -> (Metric, Int) {
            let parts = metric.split(separator: "@")
            guard parts.count == 2, let value = Metric(rawValue: String(parts[0])), let k = Int(parts[1]), k >= 1 else {
                throw CommandFailure("--metric must look like ndcg@10 (metrics: \(Metric.allCases.map(\.name).joined(separator: ", ")))")
            }
            return (value, k)
        }

        func run() throws {
            let (target, k) = try parsedMetric()
            guard trials >= 1 else { throw CommandFailure("--trials must be at least 1") }
            if all {
                guard algorithm == nil else { throw CommandFailure("--all tunes every algorithm: leave out --algorithm") }
                return try runAll(target, k)
            }
            guard let algorithm else { throw CommandFailure("name an --algorithm (\(TuningService.tunable.map(\.rawValue).joined(separator: ", "))), or pass --all") }
            let db = try database.openEitherEngine()
            let progress = Progress("tuning \(algorithm.rawValue)")
            let result = try TuningService(db).tune(algorithm, metric: target, k: k, trials: trials, seed: seed) { trial in
                progress.update(done: trial.number, total: trials)
            }
            progress.finish()
            var listing = Listing(["trial", metric, "seconds", "parameters"])
            for trial in result.trials {
                listing.append([.int(Int64(trial.number)), .number(trial.value, decimals: 4), .number(trial.seconds, decimals: 2),
                                .text(trial.parameters)])
            }
            if output.format == .table {
                print("Validation: \(result.validation.description).\n")
                print(listing.rendered(.table, maxWidth: 120), terminator: "")
                print("\nBest: trial \(result.best.number), \(metric) \(String(format: "%.4f", result.best.value)); saved for `lectern train`.")
                print("Parameters: \(result.best.parameters)")
            } else {
                // Standard output stays one listing; which split validated goes beside it.
                FileHandle.standardError.write(Data("validation: \(result.validation.description)\n".utf8))
                print(listing.rendered(output.format), terminator: "")
            }
        }

        /// `--all`: every algorithm's best on one validation split, best first; the best is served.
        func runAll(_ target: Metric, _ k: Int) throws {
            let db = try database.openEitherEngine()
            let progress = Progress("tuning")
            let tunable = Algorithm.allCases.filter { TuningService.tunable.contains($0) }.count
            var done = 0
            let result = try TuningService(db).tuneAll(metric: target, k: k, trials: trials, seed: seed) { algorithm, _ in
                done += 1
                progress.update(label: "tuning \(algorithm.rawValue)", done: done, total: tunable * trials)
            }
            progress.finish()
            var listing = Listing(["rank", "algorithm", metric, "trials", "served", "parameters"])
            for (rank, candidate) in result.candidates.enumerated() {
                listing.append([.int(Int64(rank + 1)), .text(candidate.algorithm.rawValue), .number(candidate.value, decimals: 4),
                                .int(Int64(candidate.trials)), .text(candidate.algorithm == result.served ? "yes" : ""),
                                .text(candidate.parameters)])
            }
            if output.format == .table {
                print("Validation: \(result.validation.description).\n")
                print(listing.rendered(.table, maxWidth: 160), terminator: "")
                let best = result.candidates[0]
                let served = result.candidates.first { $0.algorithm == result.served } ?? best
                let why = served.algorithm == best.algorithm ? ""
                    : ", within one standard error of \(best.algorithm)'s \(String(format: "%.4f", best.value)) on \(result.learners) learner(s): "
                    + "the difference is noise, and the hybrid hedges"
                print("\nServed by default from now on: \(served.algorithm) (\(metric) \(String(format: "%.4f", served.value)) on validation\(why)); "
                      + "run `lectern train` to cache it. Every tuned parameter is saved for `lectern train`.")
            } else {
                FileHandle.standardError.write(Data("validation: \(result.validation.description)\n".utf8))
                print(listing.rendered(output.format), terminator: "")
            }
        }
    }
}
