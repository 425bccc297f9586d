import Foundation
import LecternCore

/// The organisations of a generated platform: a few companies whose staff are learners of the
/// platform, in teams by domain, with a licence, target skills and assignments (`organisations`,
/// `members` and `assignments` files, in the forms `lectern import` reads).
///
/// One organisation for every 800 learners (at least 1, at most 12). Each has 2 or 3 teams, each
/// team a domain: its members are learners whose first interest is that domain, its skills the
/// domain's first three tags, its licence the teams' domains. Each team is assigned the domain's
/// anchor course and one more beginner course a week after the organisation joined, due 60 days
/// later; whether a member completed it comes from their simulated activity, so some assignments
/// are done, some late and some overdue. Everything draws from its own random stream: the other
/// files are the same with or without organisations.
struct GeneratedOrganisations {
    struct Team {
        let name: String
        let domain: Int
        var members: [Int] = []
        /// Slugs of the courses the team is assigned.
        let courses: [String]
    }

    struct Organisation {
        let slug: String
        let name: String
        let createdAt: Int64
        let seatPriceMinor: Int
        var teams: [Team]
        var seats: Int { teams.reduce(0) { $0 + $1.members.count } * 6 / 5 + 2 }
    }

    static let companies: [(slug: String, name: String)] = [
        ("northwind-analytics", "Northwind Analytics"), ("globex-health", "Globex Health"), ("initech-finance", "Initech Finance"),
        ("umbrella-logistics", "Umbrella Logistics"), ("stark-manufacturing", "Stark Manufacturing"), ("wayne-media", "Wayne Media"),
        ("acme-retail", "Acme Retail"), ("hooli-cloud", "Hooli Cloud"), ("soylent-foods", "Soylent Foods"),
        ("vandelay-imports", "Vandelay Imports"), ("tyrell-systems", "Tyrell Systems"), ("cyberdyne-robotics", "Cyberdyne Robotics"),
    ]
    static let roles = ["analyst", "engineer", "specialist", "coordinator"]

    let organisations: [Organisation]

    init(seed: UInt64, shape: PlatformShape, catalog: Catalog) {
        let count = min(Self.companies.count, max(1, shape.users / 800))
        let teamSize = max(3, min(40, shape.users / (count * 60)))
        var taken = Set<Int>()
        var organisations: [Organisation] = []
        for index in 0..<count {
            var random = RandomSource(seed: seed, stream: .organisations, index: index)
            let teamCount = 2 + random.below(2)
            var domains: [Int] = []
            while domains.count < min(teamCount, catalog.domains.count) {
                let domain = random.index(weightedBy: catalog.domainShares)
                if !domains.contains(domain) { domains.append(domain) }
            }
            let teams = domains.map { domain in
                Team(name: catalog.domains[domain].name, domain: domain, courses: Self.assignedCourses(domain: domain, catalog: catalog))
            }
            var organisation = Organisation(
                slug: Self.companies[index].slug, name: Self.companies[index].name,
                createdAt: shape.startEpoch + Int64(random.below(60 * 86_400)), seatPriceMinor: [18_000, 24_000, 36_000][random.below(3)],
                teams: teams)
            // Members: learners whose first interest is the team's domain, from a random place on.
            var learner = random.below(shape.users)
            for team in organisation.teams.indices {
                var scanned = 0
                while organisation.teams[team].members.count < teamSize && scanned < shape.users {
                    let profile = LearnerProfile(index: learner, seed: seed, shape: shape, catalog: catalog)
                    if profile.domains[0] == organisation.teams[team].domain && taken.insert(learner).inserted {
                        organisation.teams[team].members.append(learner)
                    }
                    learner = (learner + 1) % shape.users
                    scanned += 1
                }
            }
            organisations.append(organisation)
        }
        self.organisations = organisations
    }

    /// The domain's anchor course (published, beginner, there before the window) and its first other
    /// published beginner course, by slug.
    static func assignedCourses(domain: Int, catalog: Catalog) -> [String] {
        var slugs: [String] = []
        let anchor = Int(catalog.anchors[domain])
        if anchor >= 0 { slugs.append(String(decoding: catalog.slugBytes[anchor], as: UTF8.self)) }
        if let other = catalog.courses.first(where: {
            $0.domain == domain && $0.status == .published && $0.difficulty == .beginner && !slugs.contains($0.slug)
        }) {
            slugs.append(other.slug)
        }
        return slugs
    }
}

extension PlatformGenerator {
    static let organisationColumns = ["slug", "name", "seats", "seat_price_minor", "currency", "created_at", "domains", "courses", "skills"]
    static let memberColumns = ["org", "user", "team", "role", "manager", "joined_at"]
    static let assignmentColumns = ["org", "user", "course", "source", "step", "due_at", "assigned_at"]

    /// Writes the organisations, members and assignments files (see `GeneratedOrganisations`).
    func writeOrganisations(_ catalog: Catalog, to urls: [URL], format: PlatformFileFormat) throws -> Int {
        let generated = GeneratedOrganisations(seed: seed, shape: shape, catalog: catalog)
        let organisations = try RecordFormatter(url: urls[0], format: format, columns: Self.organisationColumns)
        let members = try RecordFormatter(url: urls[1], format: format, columns: Self.memberColumns)
        let assignments = try RecordFormatter(url: urls[2], format: format, columns: Self.assignmentColumns)
        let digits = externalIDDigits
        func user(_ index: Int) -> String {
            let number = String(index + 1)
            return "u" + String(repeating: "0", count: max(0, digits - number.count)) + number
        }
        for organisation in generated.organisations {
            organisations.token(Array(organisation.slug.utf8))
            organisations.text(organisation.name)
            organisations.integer(Int64(organisation.seats))
            organisations.integer(Int64(organisation.seatPriceMinor))
            organisations.token(Array("USD".utf8))
            organisations.timestamp(organisation.createdAt)
            organisations.list(organisation.teams.map { catalog.domains[$0.domain].name })
            organisations.list([])
            organisations.list(organisation.teams.flatMap { team in catalog.domains[team.domain].tags.prefix(3).map { "\(team.name):\($0)" } })
            organisations.endRecord()
            let assignedAt = organisation.createdAt + 7 * 86_400
            for team in organisation.teams {
                for (position, learner) in team.members.enumerated() {
                    let profile = LearnerProfile(index: learner, seed: seed, shape: shape, catalog: catalog)
                    members.token(Array(organisation.slug.utf8))
                    members.token(Array(user(learner).utf8))
                    members.token(Array(team.name.utf8))
                    members.text(GeneratedOrganisations.roles[learner % GeneratedOrganisations.roles.count])
                    members.token(Array((position == 0 ? "true" : "false").utf8))
                    members.timestamp(max(organisation.createdAt, profile.createdAt))
                    members.endRecord()
                    for course in team.courses {
                        assignments.token(Array(organisation.slug.utf8))
                        assignments.token(Array(user(learner).utf8))
                        assignments.token(Array(course.utf8))
                        assignments.token(Array("course".utf8))
                        assignments.empty()
                        assignments.timestamp(max(assignedAt, profile.createdAt) + 60 * 86_400)
                        assignments.timestamp(max(assignedAt, profile.createdAt))
                        assignments.endRecord()
                    }
                }
            }
        }
        for file in [organisations, members, assignments] { try file.close() }
        return generated.organisations.count
    }
}
