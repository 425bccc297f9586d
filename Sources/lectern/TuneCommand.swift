import ArgumentParser
import LecternRecommender
import LecternService
import LecternReports
import LecternStore

extension Lectern {
    struct Tune: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Search an algorithm's parameters on a validation split; `lectern train` then uses the best.",
            discussion: """
                The newest 20% of interactions (by time) validate, the rest train, so nothing is tuned on \
                a later test. The first trial is the current parameters; the others are random draws. \
                The best is saved in `tuned_parameters`; `lectern train --ignore-tuned` leaves it aside.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "itemknn, als, popular, hybrid, ease, rp3beta or bpr.") var algorithm: Algorithm
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
            let db = try database.open()
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
                print(listing.rendered(.table, maxWidth: 120), terminator: "")
                print("\nBest: trial \(result.best.number), \(metric) \(String(format: "%.4f", result.best.value)); saved for `lectern train`.")
            } else {
                print(listing.rendered(output.format), terminator: "")
            }
        }
    }
}
