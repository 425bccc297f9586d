import ArgumentParser
import Foundation
import LecternCore
import LecternRecommender
import LecternService
import LecternReports
import LecternStore

extension Lectern {
    struct ExperimentCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "experiment",
            abstract: "Online A/B experiments between algorithms.",
            discussion: """
                While an experiment runs, `lectern recommend` (without --algorithm) serves each learner the \
                variant a stable hash assigns them and logs an impression per course shown. A view, \
                enrollment or purchase of an impressed course within the window counts as a click; a \
                purchase makes the learner a converter.
                """,
            subcommands: [Create.self, List.self, Report.self, Stop.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Start an experiment.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "A name for the experiment.") var name: String
            @Option(help: "A variant as NAME=ALGORITHM (repeat: --variant A=itemknn --variant B=als).") var variant: [String] = []
            @Option(help: "Traffic shares in percent, such as 50/50; they must add up to 100.") var traffic: String?
            @Option(help: "Days after an impression in which a click or purchase counts.") var windowDays: Double = 7
            @Option(help: "Only learners in this segment take part (see `lectern segments build`); others get the hybrid list, unlogged.")
            var segment: String?

            func run() throws {
                let variants = try variant.map { text -> (name: String, algorithm: Algorithm) in
                    let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, !parts[0].isEmpty, let algorithm = Algorithm(rawValue: parts[1]) else {
                        throw CommandFailure("--variant must look like A=itemknn (algorithms: \(Algorithm.allCases.map(\.rawValue).joined(separator: ", "))), got '\(text)'")
                    }
                    return (parts[0], algorithm)
                }
                guard variants.count >= 2 else { throw CommandFailure("an experiment needs at least two --variant") }
                let shares: [Int]
                if let traffic {
                    let parsed = traffic.split(separator: "/").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                    guard let values = parsed as? [Int] else { throw CommandFailure("--traffic must look like 50/50, got '\(traffic)'") }
                    shares = values
                } else {
                    shares = variants.indices.map { 100 / variants.count + ($0 < 100 % variants.count ? 1 : 0) }
                }
                let db = try database.openEitherEngine()
                let experiment = try ExperimentService(db).create(name: name, variants: variants, traffic: shares, windowDays: windowDays,
                                                                  segment: segment)
                print("Started experiment \(experiment.name): " + experiment.variants.map { "\($0.name)=\($0.algorithm) \($0.traffic)%" }.joined(separator: ", ")
                      + (experiment.segment.map { ", segment \($0)" } ?? ""))
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List experiments.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            func run() throws {
                let db = try database.openEitherEngine()
                var listing = Listing(["name", "status", "segment", "variants", "window_days", "created_at", "stopped_at"])
                for e in try ExperimentStore(db).list() {
                    listing.append([.text(e.name), .text(e.status), .text(e.segment), .list(e.variants.map { "\($0.name)=\($0.algorithm) \($0.traffic)%" }),
                                    .number(e.windowDays, decimals: 1), .text(Timestamp.format(e.createdAt)),
                                    .text(e.stoppedAt.map(Timestamp.format))])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Report: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Impressions, click-through, conversion and revenue per learner by variant, with 95% intervals.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The experiment's name.") var name: String

            func run() throws {
                let db = try database.openEitherEngine()
                let (experiment, variants) = try ExperimentService(db).report(name: name)
                // Revenue per learner is per currency: a variant whose learners paid in two currencies has two
                // rows, the other figures on the first.
                var listing = Listing(["variant", "algorithm", "learners", "impressions", "clicks", "ctr", "ctr_low", "ctr_high",
                                       "converters", "conversion", "conv_low", "conv_high", "z", "p_value", "currency", "revenue_per_learner"])
                for v in variants {
                    let o = v.outcome
                    func rate(_ x: Double) -> Listing.Cell { .number(x.isFinite ? x : nil, decimals: 4) }
                    listing.append([.text(o.variant)],
                        shared: [.text(o.algorithm.rawValue), .int(Int64(o.learners)), .int(Int64(o.impressions)), .int(Int64(o.clicks)),
                                 rate(v.clickThrough.rate), rate(v.clickThrough.low), rate(v.clickThrough.high),
                                 .int(Int64(o.converters)), rate(v.conversion.rate), rate(v.conversion.low), rate(v.conversion.high),
                                 rate(v.test?.z ?? .nan), rate(v.test?.p ?? .nan)],
                        perCurrency: v.revenuePerLearner.map { ($0.currency, [.money($0.minor)]) }, zero: [.money(0)])
                }
                if output.format == .table {
                    print("Experiment \(experiment.name) (\(experiment.status), window \(experiment.windowDays) days); z and p compare each variant's conversion with \(experiment.variants.first?.name ?? "the first"):")
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Stop: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Stop an experiment: no more impressions; the report stays.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The experiment's name.") var name: String

            func run() throws {
                let db = try database.openEitherEngine()
                try ExperimentStore(db).stop(name: name)
                print("Stopped experiment \(name).")
            }
        }
    }
}
