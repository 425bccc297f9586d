internal import LecternSQLite

extension Importer {
    /// Organisations with their licence and their teams' skills. Seats bought at a seat price are
    /// recorded as bought at `created_at`.
    public func importOrganisations(from path: String, options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        let organisations = OrganisationRepository(db)
        return try run(path: path, entity: "organisations", options: options) {
            (record: ImportRecord<OrganisationColumn>, summary: inout ImportSummary) in
            guard let seats = try record.int(.seats), let count = Int(exactly: seats) else {
                throw record.fail(.seats, "a number of seats is required")
            }
            let organisation = try organisations.create(Organisation(
                slug: try record.requiredText(.slug), name: try record.requiredText(.name), seats: count,
                seatPriceMinor: try record.int(.seatPriceMinor), currency: record.text(.currency) ?? "USD",
                createdAt: try record.time(.createdAt) ?? currentUnixTime()))
            let domains = record.list(.domains), courses = record.list(.courses)
            if !domains.isEmpty || !courses.isEmpty { try organisations.license(organisation.slug, domains: domains, courses: courses) }
            var skills: [String: [String]] = [:]
            for item in record.list(.skills) {
                let parts = item.split(separator: ":", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw record.fail(.skills, "'\(item)' is not team:tag") }
                skills[parts[0], default: []].append(parts[1])
            }
            for (team, tags) in skills.sorted(by: { $0.key < $1.key }) { try organisations.setSkills(organisation.slug, team: team, skills: tags) }
            summary.imported += 1
        }
    }

    /// Assignments as history: the member must belong to the organisation; due dates may be past.
    public func importAssignments(from path: String, options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        let organisations = OrganisationRepository(db)
        let assignments = AssignmentRepository(db)
        return try run(path: path, entity: "assignments", options: options) {
            (record: ImportRecord<AssignmentColumn>, summary: inout ImportSummary) in
            let organisation = try organisations.resolve(try record.requiredText(.org))
            let user = try record.requiredText(.user)
            let learner = try LearnerRepository(db).resolve(user)
            guard let membership = try organisations.membership(userID: learner.id), membership.organisation.id == organisation.id else {
                throw record.fail(.user, "'\(user)' is not a member of '\(organisation.slug)'")
            }
            let course = try CourseRepository(db).resolve(try record.requiredText(.course))
            guard let due = try record.time(.dueAt) else { throw record.fail(.dueAt, "a value is required") }
            let source = try record.choice(.source, Assignment.Source.self) ?? .course
            let step = try record.int(.step).map { Int(clamping: $0) }
            if let step, step < 1 { throw record.fail(.step, "a step counts from 1, got \(step)") }
            let assigned = try record.time(.assignedAt) ?? min(due, currentUnixTime())
            switch try assignments.assign(orgID: organisation.id, userID: learner.id, courseID: course.id, source: source,
                                          step: step, dueAt: due, at: assigned) {
            case .assigned: summary.imported += 1
            case .unchanged, .rescheduled: summary.duplicates += 1
            }
            if let retired = try record.time(.retiredAt) { try assignments.retire(orgID: organisation.id, userID: learner.id, courseID: course.id, at: retired) }
        }
    }
}
