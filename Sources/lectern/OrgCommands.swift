import ArgumentParser
import LecternReports
import LecternStore

extension Lectern {
    struct OrgCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "org",
            abstract: "Manage organisations: companies that buy seats, license courses and train their teams.",
            discussion: """
                A learner belongs to at most one organisation; adding them to another moves them (their history \
                stays theirs, their open assignments in the old one are retired). Members never outnumber seats.
                """,
            subcommands: [Add.self, List.self, Show.self, Update.self, Member.self, Licence.self, Skills.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add an organisation.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "Its slug: a-z, 0-9 and -, such as acme.") var slug: String
            @Option(help: "Its name.") var name: String
            @Option(help: "How many members it may have.") var seats: Int
            @Option(parsing: .unconditional, help: "The price of one seat, such as 240.00: the seats are recorded as bought.") var seatPrice: String?
            @Option(help: "The seat price's currency (default USD).") var currency: String = "USD"

            func run() throws {
                let db = try database.openEitherEngine()
                let organisation = try OrganisationRepository(db).create(Organisation(
                    slug: slug, name: name, seats: seats, seatPriceMinor: try seatPrice.map { try parseMinorUnits($0, what: "--seat-price") },
                    currency: currency))
                let bought = organisation.seatPriceMinor.map { " at \(formatMoney($0, organisation.currency)) a seat" } ?? ""
                print("Added organisation \(organisation.slug): \(organisation.name), \(organisation.seats) seats\(bought)")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List organisations with their seats and members.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            func run() throws {
                let db = try database.openEitherEngine()
                var listing = Listing(["slug", "name", "seats", "members", "currency", "seat_price"])
                for (organisation, members) in try OrganisationRepository(db).list() {
                    listing.append([.text(organisation.slug), .text(organisation.name), .int(Int64(organisation.seats)),
                                    .int(Int64(members)), .text(organisation.currency), .money(organisation.seatPriceMinor)])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show one organisation: seats, licence, teams and their skills.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The organisation's slug.") var org: String

            func run() throws {
                let db = try database.openEitherEngine()
                let repository = OrganisationRepository(db)
                let found = try repository.resolve(org)
                let members = try repository.members(of: found.slug)
                let teams = Dictionary(grouping: members, by: \.team).map { "\($0.key) (\($0.value.count))" }.sorted()
                let licence = try repository.licences(of: found.slug).map(\.description)
                let skills = try repository.skills(of: found.slug).sorted { $0.key < $1.key }.map { "\($0.key): \($0.value.joined(separator: " "))" }
                print(Listing.record([
                    ("slug", .text(found.slug)), ("name", .text(found.name)), ("seats", .int(Int64(found.seats))),
                    ("members", .int(Int64(members.count))), ("currency", .text(found.currency)),
                    ("seat_price", .money(found.seatPriceMinor)), ("created_at", .text(Timestamp.format(found.createdAt))),
                    ("teams", .list(teams)), ("licence", .list(licence)), ("skills", .list(skills)),
                ], format: output.format), terminator: "")
            }
        }

        struct Update: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Change an organisation's name, seats or seat price.",
                discussion: "Seats added at a seat price are recorded as bought now. Seats never go below the members.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The organisation's slug.") var org: String
            @Option(help: "A new name.") var name: String?
            @Option(help: "The new number of seats.") var seats: Int?
            @Option(parsing: .unconditional, help: "A new seat price, such as 240.00.") var seatPrice: String?

            func run() throws {
                let db = try database.openEitherEngine()
                let updated = try OrganisationRepository(db).update(
                    org, name: name, seats: seats, seatPriceMinor: try seatPrice.map { try parseMinorUnits($0, what: "--seat-price") })
                print("Updated organisation \(updated.slug): \(updated.name), \(updated.seats) seats")
            }
        }
    }
}
