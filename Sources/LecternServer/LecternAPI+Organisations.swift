import Hummingbird
import LecternCore
import LecternStore

/// Organisations over HTTP: a learner's assignments, a manager's view of their team, and what a key
/// scoped to one organisation may see (its members alone; anyone else is "not found").
extension LecternAPI {
    /// `GET /v1/users/{id}/assignments`: the learner's open assignments in their organisation.
    func learnerAssignments(_ context: APIRequestContext) async throws -> AssignmentListBody {
        let user = try id(context)
        return try await pool.read(forLearner: user) { db in
            let learner = try visibleLearner(user, context: context, db: db)
            guard let (organisation, _) = try OrganisationRepository(db).membership(userID: learner.id) else {
                return AssignmentListBody(org: nil, team: nil, items: [])
            }
            let items = try AssignmentRepository(db).list(orgID: organisation.id, userID: learner.id)
            return AssignmentListBody(org: organisation.slug, team: nil, items: items.map(AssignmentBody.init))
        }
    }

    /// `GET /v1/orgs/{org}/assignments?team=&status=`: a manager's view of their team (or the whole
    /// organisation), each member's status now.
    func organisationAssignments(_ request: Request, _ context: APIRequestContext) async throws -> AssignmentListBody {
        let slug = try context.parameters.require("org")
        let query = request.uri.queryParameters
        let team = query.get("team")
        let status = try query.get("status").map { name -> Assignment.Status in
            guard let known = Assignment.Status(rawValue: name) else {
                throw APIError.badRequest("status must be one of \(Assignment.Status.allCases.map(\.rawValue).joined(separator: ", ")), got '\(name)'")
            }
            return known
        }
        return try await pool.read { db in
            let organisation = try OrganisationRepository(db).resolve(slug)
            if let scoped = context.caller.orgID, scoped != organisation.id {
                throw StoreError(.notFound, "no organisation '\(slug)'")  // a key must not learn who else exists
            }
            let items = try AssignmentRepository(db).list(orgID: organisation.id, team: team, status: status)
            return AssignmentListBody(org: organisation.slug, team: team, items: items.map(AssignmentBody.init))
        }
    }

    /// The learner `externalID`, if the caller may see them: any learner for an unscoped key; for a
    /// key scoped to an organisation, its members alone, and for anyone else the same "not found"
    /// as for a learner who does not exist.
    func visibleLearner(_ externalID: String, context: APIRequestContext, db: Database) throws -> Learner {
        let learner = try LearnerRepository(db).resolve(externalID)
        guard let scoped = context.caller.orgID else { return learner }
        guard try OrganisationRepository(db).membership(userID: learner.id)?.organisation.id == scoped else {
            throw StoreError(.notFound, "no learner '\(externalID)'")
        }
        return learner
    }
}

/// A list of assignments.
struct AssignmentListBody: ResponseEncodable, Sendable {
    var org: String?
    var team: String?
    var items: [AssignmentBody]
}

struct AssignmentBody: Encodable, Sendable {
    var user: String
    var team: String?
    var course: String
    var source: String
    var step: Int?
    var dueAt: String
    var assignedAt: String
    var status: String
    var completedAt: String?

    init(_ assignment: Assignment) {
        user = assignment.user
        team = assignment.team
        course = assignment.course
        source = assignment.source.rawValue
        step = assignment.step
        dueAt = Timestamp.format(assignment.dueAt)
        assignedAt = Timestamp.format(assignment.assignedAt)
        status = assignment.status.rawValue
        completedAt = assignment.completedAt.map(Timestamp.format)
    }
}
