import ArgumentParser
import Foundation
import LecternCore
import LecternReports
import LecternService
import LecternStore

extension Lectern {
    struct Clean: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find and remove interactions that should not be there.",
            discussion: """
                Rules, most serious first (an event counts under its most serious): unknown-entity (its learner \
                or course does not exist), draft-course (the course was never released), anonymous-learner \
                (anything but a purchase or refund held by forgotten learners' anonymous holder), out-of-range \
                (before --earliest or later than now plus --clock-skew), before-signup, before-course (before \
                the learner signed up or the course was created), bot (a learner with more than --burst-limit \
                events in --burst-window seconds, or more than --daily-limit in a UTC day: all their events), \
                duplicate (the same learner, course and kind within --duplicate-window seconds of the last one \
                kept). Purchases and refunds are reported but kept unless --include-money (which also removes \
                the refunds of a learner's course whose purchases are all removed). Removal is one \
                transaction; run --dry-run first. Learners or courses loaded without a creation time get the \
                load time, so their earlier history counts as before-signup or before-course: check the dry \
                run, or give --no-creation-check.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Flag(help: "Only report what would be removed.") var dryRun = false
        @Flag(help: "Remove flagged purchases and refunds too.") var includeMoney = false
        @Option(help: "Seconds within which a repeated event is a duplicate.") var duplicateWindow: Int64 = 60
        @Option(help: "More events than this within --burst-window makes a learner a bot.") var burstLimit = 30
        @Option(help: "The burst window in seconds.") var burstWindow: Int64 = 60
        @Option(help: "More events than this in one UTC day makes a learner a bot.") var dailyLimit = 1_000
        @Option(help: "The earliest believable time (default: the first course's creation minus 365 days).") var earliest: String?
        @Option(help: "Seconds a time may lie in the future, for clocks that run ahead.") var clockSkew: Int64 = 300
        @Flag(inversion: .prefixedNo, help: "Flag events before their learner's signup or their course's creation.")
        var creationCheck = true
        @Option(help: "Rows shown per rule.") var sample = 5

        func validate() throws {
            if sample < 0 { throw ValidationError("--sample cannot be negative") }
        }

        func run() throws {
            var options = CleaningOptions(earliest: try earliest.map { try parseTime($0, option: "--earliest") })
            options.duplicateWindow = duplicateWindow
            options.burstLimit = burstLimit
            options.burstWindow = burstWindow
            options.dailyLimit = dailyLimit
            options.clockSkew = clockSkew
            options.includeMoney = includeMoney
            options.checkCreationTimes = creationCheck
            let db = try database.openEitherEngine()
            let outcome = try CleaningService(db).clean(options, dryRun: dryRun)

            var rules = Listing(["rule", "flagged", dryRun ? "would_remove" : "removed", "money_kept"])
            var rows = Listing(["id", "learner", "course", "kind", "time", "reason", "action"])
            for rule in CleaningRule.allCases {
                let found = outcome.flagged.filter { $0.rule == rule }
                let removable = found.filter(\.isRemoved).count
                rules.append([.text(rule.rawValue), .int(Int64(found.count)), .int(Int64(removable)), .int(Int64(found.count - removable))])
                for item in found.prefix(sample) {
                    let e = item.event
                    rows.append([.int(e.id), .text(e.learner?.externalID ?? "#\(e.userID)"), .text(e.course?.slug ?? "#\(e.courseID)"),
                                 .text(e.kind.rawValue), .text(Timestamp.format(e.occurredAt)), .text(rule.rawValue),
                                 .text(item.isRemoved ? (dryRun ? "would remove" : "removed") : "kept (money)")])
                }
            }
            let removable = outcome.removable.count, kept = outcome.keptMoney.count
            let headline = dryRun
                ? "Dry run: would remove \(removable) of \(outcome.flagged.count) flagged interactions; nothing changed."
                : "Removed \(outcome.removed) of \(outcome.flagged.count) flagged interactions."
            let moneyNote = kept == 0 ? nil
                : "\(kept) flagged purchase\(kept == 1 ? "" : "s") or refund\(kept == 1 ? "" : "s") kept for the accounts; --include-money removes them."
            switch output.format {
            case .table:
                print(headline + " Earliest believable time: \(Timestamp.format(outcome.earliest)).")
                print(rules.rendered(.table), terminator: "")
                if !rows.rows.isEmpty {
                    print("\nSample (at most \(sample) per rule):")
                    print(rows.rendered(.table), terminator: "")
                }
                if !outcome.botLearners.isEmpty { print("Bot-like learners: \(outcome.botLearners.count).") }
                if let moneyNote { print(moneyNote) }
            case .json:
                let summary = Summary(dryRun: dryRun, earliest: Timestamp.format(outcome.earliest), flagged: outcome.flagged.count,
                                      wouldRemove: dryRun ? removable : nil, removed: dryRun ? nil : outcome.removed,
                                      moneyKept: kept, botLearners: outcome.botLearners.count, rules: rules, sample: rows)
                print(try JSONWriter.text(of: summary))
            case .csv:
                print(rules.rendered(.csv), terminator: "")
            }
        }
    }
}

extension Lectern.Clean {
    /// What `lectern clean --format json` prints: the counts, then the rules and the sample as listings.
    struct Summary: Encodable, JSONLayoutProviding {
        var dryRun: Bool
        var earliest: String
        var flagged: Int
        /// In a dry run; `removed` otherwise.
        var wouldRemove: Int?
        var removed: Int?
        var moneyKept: Int
        var botLearners: Int
        var rules: Listing
        var sample: Listing

        var jsonLayout: JSONLayout { .lines(indent: "  ") }

        enum CodingKeys: String, CodingKey {
            case dryRun = "dry_run", earliest, flagged, wouldRemove = "would_remove", removed, moneyKept = "money_kept"
            case botLearners = "bot_learners", rules, sample
        }
    }
}
