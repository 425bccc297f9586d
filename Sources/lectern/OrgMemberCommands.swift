import ArgumentParser
import LecternReports
import LecternStore

extension Lectern.OrgCommand {
    struct Member: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add, remove or list an organisation's members (bulk: `lectern import members FILE`).",
            subcommands: [Add.self, Remove.self, List.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a learner a member (or move them here from another organisation).")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The organisation's slug.") var org: String
            @Option(help: "The learner's external id.") var user: String
            @Option(help: "Their team: a-z, 0-9, _ and -, such as data-platform.") var team: String
            @Option(help: "Their role, such as analyst.") var role: String?
            @Flag(help: "They manage their team.") var manager = false

            func run() throws {
                let db = try database.openEitherEngine()
                let outcome = try OrganisationRepository(db).addMember(
                    OrgMember(externalID: user, team: team, role: role, isManager: manager), to: org)
                switch outcome {
                case .added: print("Added \(user) to \(org), team \(team)")
                case .updated: print("\(user) is in \(org), team \(team)")
                case .moved(let from): print("Moved \(user) from \(from) to \(org), team \(team); open assignments in \(from) retired")
                }
            }
        }

        struct Remove: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Take a learner out of an organisation (their open assignments are retired).")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The organisation's slug.") var org: String
            @Option(help: "The learner's external id.") var user: String

            func run() throws {
                let db = try database.openEitherEngine()
                try OrganisationRepository(db).removeMember(user, from: org)
                print("Removed \(user) from \(org)")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List an organisation's members by team.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The organisation's slug.") var org: String
            @Option(help: "Only this team.") var team: String?

            func run() throws {
                let db = try database.openEitherEngine()
                var listing = Listing(["user", "team", "role", "manager", "joined_at"])
                for member in try OrganisationRepository(db).members(of: org, team: team) {
                    listing.append([.text(member.externalID), .text(member.team), .text(member.role),
                                    .text(member.isManager ? "yes" : ""), .text(Timestamp.format(member.joinedAt))])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }
    }

    struct Licence: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "License domains or single courses to an organisation (adds to its licence).",
            discussion: "An organisation with a licence is assigned only courses inside it.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The organisation's slug.") var org: String
        @Option(help: "A domain to license (repeatable).") var domain: [String] = []
        @Option(help: "A course to license, slug or id (repeatable).") var course: [String] = []

        func validate() throws {
            if domain.isEmpty && course.isEmpty { throw ValidationError("name at least one --domain or --course") }
        }

        func run() throws {
            let db = try database.openEitherEngine()
            let repository = OrganisationRepository(db)
            try repository.license(org, domains: domain, courses: course)
            let all = try repository.licences(of: org)
            print("\(org) licenses \(all.count) item(s): " + all.map(\.description).joined(separator: ", "))
        }
    }

    struct Skills: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a team's target skills: tags such as python,sql,statistics.")

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "The organisation's slug.") var org: String
        @Option(help: "The team.") var team: String
        @Option(help: "Comma-separated tags.") var tags: String

        func run() throws {
            let db = try database.openEitherEngine()
            let skills = tags.split(separator: ",").map(String.init)
            try OrganisationRepository(db).setSkills(org, team: team, skills: skills)
            print("\(org) team \(team) aims at: \(skills.joined(separator: ", "))")
        }
    }
}
