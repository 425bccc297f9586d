import ArgumentParser
import Foundation
import LecternReports
import LecternService
import LecternStore

extension Lectern {
    struct TagCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tag",
            abstract: "Tags attached to courses, and tags suggested from their text.",
            discussion: """
                Editors' tags are set with `lectern course tag`. `tag suggest --apply` adds automatic tags \
                (shown as `name (auto)` by `course show`); `tag accept` makes them editors' tags and `tag drop` \
                removes them for good.
                """,
            subcommands: [List.self, Suggest.self, Accept.self, Drop.self],
            aliases: ["tags"])

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List tags, most used first.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Option(help: "Show at most this many.") var limit: Int?
            @Flag(help: "Show tags no course carries any more, too.") var includeUnused = false

            func run() throws {
                let db = try database.openEitherEngine()
                var listing = Listing(["tag", "courses"])
                // Tags are most used first, so the unused ones come last and the limit still holds.
                for tag in try TagRepository(db).list(limit: limit) where includeUnused || tag.courses > 0 {
                    listing.append([.text(tag.name), .int(Int64(tag.courses))])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Suggest: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Suggest tags, a domain and a difficulty for courses from their titles and descriptions.",
                discussion: """
                    Keywords are weighed by TF-IDF over the whole catalog (a title word counts three times; \
                    Chinese text is read as the words the catalog repeats, its longest recurring character runs). The domain is \
                    guessed from the courses whose text is most like the course's, the difficulty from cue \
                    words (introduction, advanced, 入门...) and those courses; a guess that differs from the \
                    stored value is flagged. Neither an editor's tag, nor one of its words, nor a dropped \
                    suggestion is proposed; automatic tags already applied are, marked `applied before`. With \
                    --apply, in one transaction, the keywords become automatic tags with their weights (an \
                    editor's tag is never changed; applying again adds nothing new), and a course whose domain \
                    is `uncategorized` takes the guessed domain when the confidence is at least 0.5. Stop words \
                    of English, German, Spanish and Chinese, generic course words (small, run, profitable) and \
                    tokens without a letter are never part of a tag, and a tag must occur in the text of at least \
                    --min-courses courses. --evaluate hides --hide of each course's editors' tags (seeded), \
                    suggests --limit tags, and prints precision@k and recall@k against the hidden tags, for these \
                    rules and for the rules before them; it stores nothing.
                    """)

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Option(help: "A course's id or slug (repeat for several).") var course: [String] = []
            @Flag(help: "Every course in the catalog.") var all = false
            @Flag(help: "Store the suggested tags (and domains of uncategorized courses).") var apply = false
            @Option(help: "At most this many tags per course.") var limit: Int = 5
            @Option(help: "A tag must occur in the text of at least this many courses.") var minCourses: Int = 2
            @Flag(help: "Measure precision and recall against hidden editors' tags instead.") var evaluate = false
            @Option(help: "With --evaluate: the share of each course's tags hidden.") var hide: Double = 0.5
            @Option(help: "With --evaluate: the seed that picks the hidden tags.") var seed: UInt64 = 13

            func validate() throws {
                if evaluate {
                    if !course.isEmpty || all || apply { throw ValidationError("--evaluate reads the whole catalog: drop --course, --all and --apply") }
                    if !(0...1).contains(hide) { throw ValidationError("--hide must be between 0 and 1") }
                } else if course.isEmpty == !all {
                    throw ValidationError("name courses with --course, or give --all (not both)")
                }
                if limit < 1 { throw ValidationError("--limit must be at least 1") }
                if minCourses < 1 { throw ValidationError("--min-courses must be at least 1") }
            }

            func run() throws {
                let db = try database.openEitherEngine()
                if evaluate { return try printEvaluation(TaggingService(db)) }
                let suggestions = try TaggingService(db).suggest(courses: course, limit: limit, minCourses: minCourses, apply: apply)
                var listing = Listing(["course", "kind", "suggestion", "score", "note", "evidence"])
                for s in suggestions {
                    for keyword in s.keywords {
                        let note = s.applied.contains(keyword.tag) ? "applied" : s.isAlreadyApplied(keyword) ? "applied before" : ""
                        listing.append([.text(s.course.slug), .text("tag"), .text(keyword.tag), .number(keyword.weight, decimals: 3),
                                        .text(note), .list(keyword.isPhrase ? ["phrase"] : [])])
                    }
                    if let domain = s.domain {
                        let note: String
                        if s.course.isUncategorized {
                            note = s.domainApplied ? "applied (was uncategorized)"
                                : domain.confidence >= TaggingService.domainConfidenceToApply ? "uncategorized: --apply sets it"
                                : "uncategorized: confidence below \(TaggingService.domainConfidenceToApply), not applied"
                        } else {
                            note = s.domainDisagrees ? "differs from \(s.course.domain)" : "agrees"
                        }
                        listing.append([.text(s.course.slug), .text("domain"), .text(domain.domain), .number(domain.confidence, decimals: 3),
                                        .text(note), .list(s.domainNeighbors)])
                    }
                    if let difficulty = s.difficulty {
                        listing.append([.text(s.course.slug), .text("difficulty"), .text(difficulty.difficulty.rawValue),
                                        .number(difficulty.confidence, decimals: 3),
                                        .text(s.difficultyDisagrees ? "differs from \(s.course.difficulty.rawValue)" : "agrees"),
                                        .list(difficulty.cues)])
                    }
                }
                print(listing.rendered(output.format), terminator: "")
                if output.format == .table {
                    let flagged = suggestions.filter { $0.domainDisagrees || $0.difficultyDisagrees }.count
                    var summary = "\(suggestions.count) course\(suggestions.count == 1 ? "" : "s"); \(flagged) with a guess that differs from the stored domain or difficulty."
                    if apply {
                        let tags = suggestions.reduce(0) { $0 + $1.applied.count }
                        let domains = suggestions.filter(\.domainApplied).count
                        let courses = suggestions.filter { !$0.applied.isEmpty }.count
                        summary += " Applied \(tags) automatic tag\(tags == 1 ? "" : "s") to \(courses) course\(courses == 1 ? "" : "s")"
                            + (domains > 0 ? "; set the domain of \(domains) uncategorized course\(domains == 1 ? "" : "s")." : ".")
                    }
                    print(summary)
                }
            }

            func printEvaluation(_ service: TaggingService) throws {
                let (current, baseline) = try service.evaluate(limit: limit, minCourses: minCourses, hiddenShare: hide, seed: seed)
                var listing = Listing(["rules", "courses", "suggested", "hits", "hidden", "precision@\(limit)", "recall@\(limit)"])
                for (name, result) in [("current", current), ("before issue 13", baseline)] {
                    listing.append([.text(name), .int(Int64(result.courses)), .int(Int64(result.suggestions)), .int(Int64(result.hits)),
                                    .int(Int64(result.hidden)), .number(result.precision, decimals: 3), .number(result.recall, decimals: 3)])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Accept: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a course's automatic tags editors' tags (all of them without --tag).")

            @OptionGroup var database: DatabaseOptions
            @Option(help: "The course's id or slug.") var course: String
            @Option(help: "A tag to accept (repeat for several).") var tag: [String] = []

            func run() throws {
                let db = try database.openEitherEngine()
                let (found, accepted) = try TaggingService(db).accept(course: course, tags: tag)
                print(accepted.isEmpty ? "\(found.slug): no automatic tags to accept"
                      : "\(found.slug): accepted \(accepted.joined(separator: ", "))")
            }
        }

        struct Drop: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Remove a suggested tag from a course and never suggest it for that course again.",
                discussion: "An editor's tag is refused: `lectern course untag` removes those.")

            @OptionGroup var database: DatabaseOptions
            @Option(help: "The course's id or slug.") var course: String
            @Option(help: "A tag to drop (repeat for several).") var tag: [String] = []

            func validate() throws {
                if tag.isEmpty { throw ValidationError("name at least one --tag") }
            }

            func run() throws {
                let db = try database.openEitherEngine()
                let (found, dropped) = try TaggingService(db).drop(course: course, tags: tag)
                for item in dropped {
                    print("\(found.slug): dropped \(item.name)" + (item.wasApplied ? "" : " (it was not applied; it will not be suggested)"))
                }
            }
        }
    }
}
