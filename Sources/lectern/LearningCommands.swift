import ArgumentParser
import Foundation
import LecternReports
import LecternService
import LecternStore

extension Lectern.UserCommand {
    struct Profile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A learner's interests, activity, spend, completion rate and segment.",
            discussion: """
                Interests are domains and tags weighted by what the learner did (a view counts least, a \
                purchase or completion most, a rating by how good it was, a refund takes back), each event \
                decayed by its age (--half-life days), plus the learner's declared interests; each list sums to 1.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Argument(help: "The learner's external id.") var externalID: String
        @Option(help: "Days after which an event counts half.") var halfLife: Double = LearningService.defaultHalfLifeDays
        @Option(help: "Show this many domains and tags.") var top: Int = 5

        func validate() throws {
            if top < 1 { throw ValidationError("--top must be at least 1") }
            if !(halfLife > 0 && halfLife.isFinite) { throw ValidationError("--half-life must be a positive number of days") }
        }

        func run() throws {
            let db = try database.openEitherEngine(mustExist: true)
            let profile = try LearningService(db).profile(externalID: externalID, halfLifeDays: halfLife)
            let domains = profile.interests.domains.prefix(top), tags = profile.interests.tags.prefix(top)
            let kinds = Interaction.Kind.allCases.map { ($0.rawValue + "s", Int64(profile.counts[$0] ?? 0)) }
            switch output.format {
            case .json:
                var object: [String: Any] = [
                    "external_id": profile.learner.externalID, "segment": profile.segment ?? NSNull(),
                    // Per currency, never added: {"USD": 49.9}.
                    "net_spend": Dictionary(uniqueKeysWithValues: profile.netSpend.map { ($0.currency, Double($0.minor) / 100) }),
                    "courses_taken": profile.coursesTaken,
                    "courses_completed": profile.coursesCompleted, "completion_rate": profile.completionRate ?? NSNull(),
                    "last_active": profile.lastActive.map(Timestamp.format) ?? NSNull(),
                    "declared_interests": profile.learner.interests,
                    "domains": domains.map { ["name": $0.name, "weight": ($0.weight * 10_000).rounded() / 10_000] },
                    "tags": tags.map { ["name": $0.name, "weight": ($0.weight * 10_000).rounded() / 10_000] },
                ]
                for (name, count) in kinds { object[name] = count }
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            case .csv:
                var listing = Listing(["kind", "name", "weight"])
                for d in domains { listing.append([.text("domain"), .text(d.name), .number(d.weight, decimals: 4)]) }
                for t in tags { listing.append([.text("tag"), .text(t.name), .number(t.weight, decimals: 4)]) }
                print(listing.rendered(.csv), terminator: "")
            case .table:
                var fields: [(String, Listing.Cell)] = [
                    ("learner", .text(profile.learner.externalID)), ("segment", .text(profile.segment ?? "(none: run `lectern segments build`)")),
                    ("declared interests", .list(profile.learner.interests)),
                    ("net spend", .amounts(profile.netSpend)),
                    ("courses taken", .int(Int64(profile.coursesTaken))), ("completed", .int(Int64(profile.coursesCompleted))),
                    ("completion rate", .number(profile.completionRate, decimals: 3)),
                    ("last active", .text(profile.lastActive.map(Timestamp.format))),
                ]
                fields.append(("activity", .text(kinds.filter { $0.1 > 0 }.map { "\($0.1) \($0.0)" }.joined(separator: ", "))))
                print(Listing.record(fields, format: .table))
                var interests = Listing(["domain", "weight", "", "tag", "weight"])
                for index in 0..<max(domains.count, tags.count) {
                    let d = index < domains.count ? domains[domains.startIndex + index] : nil
                    let t = index < tags.count ? tags[tags.startIndex + index] : nil
                    interests.append([.text(d?.name), .text(d.map { bar($0.weight) }), .text(nil), .text(t?.name), .text(t.map { bar($0.weight) })])
                }
                print(interests.rendered(.table), terminator: "")
            }
        }

        /// `0.42 ████▏` : the weight with a bar a person can compare at a glance.
        func bar(_ weight: Double) -> String {
            String(format: "%.2f ", weight) + String(repeating: "█", count: Int((weight * 20).rounded()))
        }
    }
}

extension Lectern {
    struct Segments: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Learner segments: k-means on domain and tag affinity, named by their top domains.",
            subcommands: [Build.self, List.self])

        struct Build: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Cluster learners into K segments and store who is in which (replacing earlier segments).",
                discussion: """
                    Each learner becomes a vector of domain and tag affinities (as in `lectern user profile`); \
                    k-means++ with a fixed seed groups them, so the same data and seed give the same segments. \
                    Learners with no activity and no declared interests stay out. `lectern report --segment` \
                    and `lectern experiment create --segment` use the result.
                    """)

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Option(help: "How many segments (1 to 50).") var k: Int = 6
            @Option(help: "Random seed for k-means++.") var seed: UInt64 = 42
            @Option(help: "Days after which an event counts half.") var halfLife: Double = LearningService.defaultHalfLifeDays

            func run() throws {
                let db = try database.openEitherEngine(mustExist: true)
                let segments = try LearningService(db).buildSegments(k: k, seed: seed, halfLifeDays: halfLife)
                var listing = Listing(["segment", "learners", "strongest"])
                for segment in segments.sorted(by: { $0.learners > $1.learners }) {
                    listing.append([.text(segment.name), .int(Int64(segment.learners)),
                                    .list(segment.top.prefix(4).map { "\($0.0) \(String(format: "%.2f", $0.1))" })])
                }
                print(listing.rendered(output.format, maxWidth: 90), terminator: "")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the stored segments.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            func run() throws {
                let db = try database.openEitherEngine(mustExist: true)
                var listing = Listing(["segment", "learners", "profile", "built_at"])
                for segment in try SegmentStore(db).list() {
                    listing.append([.text(segment.name), .int(Int64(segment.learners)), .text(segment.profile),
                                    .text(Timestamp.format(segment.builtAt))])
                }
                print(listing.rendered(output.format, maxWidth: 90), terminator: "")
            }
        }
    }

    struct Path: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What a learner should take next, in order: towards a goal course, or through a domain.",
            discussion: """
                --goal COURSE: the courses the learner still needs, prerequisites first (in topological order), \
                completed ones skipped; courses that could come at the same point go by the learner's \
                recommendation scores (from the trained hybrid model). --domain D: a beginner-to-advanced path \
                in the domain, --per-level courses at each level, each after the prerequisites it still lacks. \
                Both end with the total price and hours.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The learner's external id.") var user: String
        @Option(help: "The course to reach (id or slug).") var goal: String?
        @Option(help: "A domain to go through from beginner to advanced.") var domain: String?
        @Option(help: "--domain: courses per level.") var perLevel: Int = 2

        func validate() throws {
            if (goal == nil) == (domain == nil) { throw ValidationError("give either --goal COURSE or --domain D") }
            if perLevel < 1 { throw ValidationError("--per-level must be at least 1") }
        }

        func run() throws {
            let db = try database.openEitherEngine(mustExist: true)
            let service = LearningService(db)
            var steps: [PathStep]
            var unreachable: [String] = []
            if let goal {
                steps = try service.path(externalID: user, goal: goal)
            } else {
                (steps, unreachable) = try service.path(externalID: user, domain: domain!, perLevel: perLevel)
            }
            var listing = Listing(["step", "course", "title", "domain", "level", "currency", "price", "hours", "why", "score"])
            for (index, step) in steps.enumerated() {
                let why = step.requiredBy.map { "needed for \($0)" } ?? (goal != nil ? "the goal" : "\(step.stage.rawValue) pick")
                listing.append([.int(Int64(index + 1)), .text(step.course.slug), .text(step.course.title), .text(step.course.domain),
                                .text(step.course.difficulty.rawValue), .text(step.course.currency), .money(step.course.priceMinor),
                                .number(step.course.hours, decimals: 1), .text(why), .number(step.score, decimals: 3)])
            }
            // Prices in two currencies are not added: one total per currency.
            let currencies = Set(steps.map(\.course.currency)).sorted()
            let price = Money.totals(steps.map { Money.Amount(currency: $0.course.currency, minor: $0.course.priceMinor) })
            let hours = steps.map(\.course.hours).reduce(0, +)
            if output.format == .table {
                if steps.isEmpty {
                    print(goal != nil ? "Nothing left: \(user) has completed \(goal!) or everything it needs." : "Nothing left to take in \(domain!).")
                    return
                }
                print(listing.rendered(.table), terminator: "")
                let prices = price.map { formatMoney($0.minor, $0.currency) }.joined(separator: " and ")
                print("\(steps.count) courses, \(prices) in all, \(String(format: "%.1f", hours)) hours")
                if !unreachable.isEmpty { print("Left out (prerequisites not available): \(unreachable.joined(separator: ", "))") }
            } else {
                // A total per currency: its courses, their price and hours.
                for currency in currencies {
                    let some = steps.filter { $0.course.currency == currency }
                    listing.append([.text("total"), .int(Int64(some.count)), .text(nil), .text(nil), .text(nil), .text(currency),
                                    .money(some.map(\.course.priceMinor).reduce(0, +)),
                                    .number(some.map(\.course.hours).reduce(0, +), decimals: 1), .text(nil), .text(nil)])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }
    }
}
