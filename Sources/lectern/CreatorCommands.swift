import ArgumentParser
import LecternReports
import LecternStore

extension Lectern {
    struct CreatorCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "creator",
            abstract: "Manage creators: the people and institutions who sell courses.",
            subcommands: [Add.self, List.self, Show.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a creator.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The creator's name (unique).") var name: String
            @Option(help: "The creator's share of net revenue, 0 to 1 (0.7 = 70%).") var share: Double
            @Option(help: "A contact address.") var contact: String?

            func run() throws {
                let db = try database.openEitherEngine()
                let creator = try CreatorRepository(db).create(Creator(name: name, revenueShare: share, contact: contact))
                print("Added creator \(creator.id): \(creator.name) (share \(Int((creator.revenueShare * 100).rounded()))%)")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List creators with their course counts.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Option(help: "Show at most this many.") var limit: Int?

            func run() throws {
                let db = try database.openEitherEngine()
                var listing = Listing(["id", "name", "revenue_share", "courses", "contact"])
                for (creator, courses) in try CreatorRepository(db).list(limit: limit) {
                    listing.append([.int(creator.id), .text(creator.name), .number(creator.revenueShare, decimals: 2),
                                    .int(Int64(courses)), .text(creator.contact)])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show one creator and their courses.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The creator's id or exact name.") var creator: String

            func run() throws {
                let db = try database.openEitherEngine()
                let found = try CreatorRepository(db).resolve(creator)
                let courses = try CourseRepository(db).list(CourseFilter(creatorID: found.id))
                print(Listing.record([
                    ("id", .int(found.id)), ("name", .text(found.name)),
                    ("revenue_share", .number(found.revenueShare, decimals: 2)), ("contact", .text(found.contact)),
                    ("created_at", .text(Timestamp.format(found.createdAt))),
                    ("courses", .list(courses.map(\.slug))),
                ], format: output.format), terminator: "")
            }
        }
    }
}
