import LecternStore

/// Assigns learning to an organisation's members with a due date (`lectern assign`).
public struct AssignmentService {
    let db: Database

    public init(_ db: Database) {
        self.db = db
    }

    /// Whom to assign to.
    public enum Target: Sendable, Equatable {
        case team(String)
        case user(String)
    }

    /// What to assign.
    public enum Work: Sendable, Equatable {
        /// One course.
        case course(String)
        /// The member's learning path to this goal course: its prerequisites they lack, in order,
        /// then the goal, without what they completed.
        case pathGoal(String)
        /// For each of these skills (tags) the member has not completed a course in, the course
        /// tagged so that the most learners completed, inside the licence.
        case skills([String])
    }

    /// What happened, per member and course.
    public struct Result: Sendable, Equatable {
        public var user: String
        public var course: String
        public var outcome: AssignmentRepository.Outcome
    }

    /// Assigns `work` to `target`'s members of `org`, due `dueAt`, all or nothing.
    /// - Throws: `StoreError` for an unknown organisation, team, member or course, a due date not in
    ///   the future, a course outside the organisation's licence, or a team without members.
    public func assign(org: String, to target: Target, work: Work, dueAt: Int64,
                       now: Int64 = currentUnixTime()) throws -> [Result] {
        guard dueAt > now else {
            throw StoreError(.invalidInput, "the due date \(Timestamp.format(dueAt)) is not in the future")
        }
        let organisations = OrganisationRepository(db)
        let organisation = try organisations.resolve(org)
        let members = try self.members(of: organisation, target)
        // Paths are worked out before the transaction: they read the learner's recommendations.
        var plans: [(member: OrgMember, courses: [(slug: String, step: Int?)])] = []
        for member in members {
            plans.append((member, try courses(for: member, work: work, organisation: organisation)))
        }
        return try db.transaction(.immediate) {
            let repository = AssignmentRepository(db)
            let licensed = try repository.hasLicences(orgID: organisation.id)
            var results: [Result] = []
            for (member, courses) in plans {
                for (slug, step) in courses {
                    let course = try CourseRepository(db).resolve(slug)
                    guard course.status == .published else {
                        throw StoreError(.invalidInput, "course '\(course.slug)' is \(course.status.rawValue), not published")
                    }
                    if licensed, try !organisations.isLicensed(courseID: course.id, orgID: organisation.id) {
                        throw StoreError(.invalidInput, "course '\(course.slug)' is outside '\(organisation.slug)''s licence "
                            + "(lectern org licence \(organisation.slug) --course \(course.slug))")
                    }
                    let outcome = try repository.assign(orgID: organisation.id, userID: member.userID, courseID: course.id,
                                                        source: work.source, step: step, dueAt: dueAt, at: now)
                    results.append(Result(user: member.externalID, course: course.slug, outcome: outcome))
                }
            }
            return results
        }
    }

    private func members(of organisation: Organisation, _ target: Target) throws -> [OrgMember] {
        switch target {
        case .team(let team):
            let members = try OrganisationRepository(db).members(of: organisation.slug, team: team)
            guard !members.isEmpty else { throw StoreError(.notFound, "'\(organisation.slug)' has no team '\(team)'") }
            return members
        case .user(let user):
            let learner = try LearnerRepository(db).resolve(user)
            guard let membership = try OrganisationRepository(db).membership(userID: learner.id),
                  membership.organisation.id == organisation.id else {
                throw StoreError(.notFound, "'\(user)' is not a member of '\(organisation.slug)'")
            }
            return [membership.member]
        }
    }

    private func courses(for member: OrgMember, work: Work, organisation: Organisation) throws -> [(slug: String, step: Int?)] {
        switch work {
        case .course(let reference):
            return [(try CourseRepository(db).resolve(reference).slug, nil)]
        case .pathGoal(let goal):
            let steps = try LearningService(db).path(externalID: member.externalID, goal: goal)
            return steps.enumerated().map { ($1.course.slug, $0 + 1) }
        case .skills(let skills):
            guard !skills.isEmpty else { throw StoreError(.invalidInput, "name at least one skill (a tag such as python)") }
            var slugs: [(String, Int?)] = []
            for skill in skills {
                switch try AssignmentRepository(db).courseClosingGap(skill: skill, userID: member.userID, orgID: organisation.id) {
                case .none: continue  // already covered
                case .some(.none): throw StoreError(.notFound, "no published course tagged '\(skill)' inside '\(organisation.slug)''s licence")
                case .some(.some(let id)):
                    if let course = try CourseRepository(db).find(id: id), !slugs.contains(where: { $0.0 == course.slug }) {
                        slugs.append((course.slug, nil))
                    }
                }
            }
            return slugs
        }
    }
}

extension AssignmentService.Work {
    var source: Assignment.Source {
        switch self {
        case .course: .course
        case .pathGoal: .path
        case .skills: .skills
        }
    }
}
