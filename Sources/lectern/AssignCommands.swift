import ArgumentParser
import LecternReports
import LecternService
import LecternStore

extension Lectern {
    struct Assign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Assign learning to an organisation's team or member, with a due date.",
            discussion: """
                --path-goal expands to each member's learning path to that course (prerequisites they lack first, \
                what they completed left out). --skills assigns, for each skill a member has completed no course in, \
                the course tagged so that the most learners completed, inside the organisation's licence. Assigning \
                again changes nothing, or moves the due date. All members get it, or none.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The organisation's slug.") var org: String
        @Option(help: "Every member of this team.") var team: String?
        @Option(help: "One member (external id).") var user: String?
        @Option(help: "One course, slug or id.") var course: String?
        @Option(help: "The learning path to this course.") var pathGoal: String?
        @Option(help: "Comma-separated skills (tags).") var skills: String?
        @Option(help: "When it is due: a date (the end of that day, UTC) or a time.") var due: String

        func validate() throws {
            if (team == nil) == (user == nil) { throw ValidationError("give one of --team or --user") }
            if [course, pathGoal, skills].compactMap({ $0 }).count != 1 {
                throw ValidationError("give one of --course, --path-goal or --skills")
            }
        }

        func run() throws {
            let db = try database.openEitherEngine()
            var dueAt = try parseTime(due, option: "--due")
            if due.count == 10 { dueAt += 86_399 }  // a date: due by the end of it
            let work: AssignmentService.Work = course.map { .course($0) } ?? pathGoal.map { .pathGoal($0) }
                ?? .skills(skills!.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            let results = try AssignmentService(db).assign(org: org, to: team.map { .team($0) } ?? .user(user!), work: work, dueAt: dueAt)
            let counts = Dictionary(grouping: results, by: \.outcome).mapValues(\.count)
            let members = Set(results.map(\.user)).count
            print("Assigned \(counts[.assigned] ?? 0), rescheduled \(counts[.rescheduled] ?? 0), unchanged \(counts[.unchanged] ?? 0) "
                + "for \(members) member(s) of \(org), due \(Timestamp.format(dueAt))")
        }
    }

    struct Assignments: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List an organisation's assignments with where each member stands.",
            discussion: """
                Status: assigned, started (enrolled or bought), completed (by the due date), completed-late, or \
                overdue (not completed, past due).
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The organisation's slug.") var org: String
        @Option(help: "Only this team.") var team: String?
        @Option(help: "Only this member.") var user: String?
        @Option(help: "Only this status: assigned, started, completed, completed-late or overdue.") var status: String?
        @Flag(help: "Also those of members who left (retired).") var all = false

        func run() throws {
            let db = try database.openEitherEngine()
            let wanted = try status.map { name -> Assignment.Status in
                guard let known = Assignment.Status(rawValue: name) else {
                    throw CommandFailure("invalid --status '\(name)': use " + Assignment.Status.allCases.map(\.rawValue).joined(separator: ", "))
                }
                return known
            }
            let organisation = try OrganisationRepository(db).resolve(org)
            let userID = try user.map { try LearnerRepository(db).resolve($0).id }
            var listing = Listing(["user", "team", "course", "source", "step", "due_at", "status", "completed_at", "retired_at"])
            for a in try AssignmentRepository(db).list(orgID: organisation.id, team: team, userID: userID, status: wanted, includingRetired: all) {
                listing.append([.text(a.user), .text(a.team), .text(a.course), .text(a.source.rawValue), .int(a.step.map(Int64.init)),
                                .text(Timestamp.format(a.dueAt)), .text(a.status.rawValue), .text(a.completedAt.map(Timestamp.format)),
                                .text(a.retiredAt.map(Timestamp.format))])
            }
            print(listing.rendered(output.format), terminator: "")
        }
    }
}
