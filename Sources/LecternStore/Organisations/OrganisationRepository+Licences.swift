internal import LecternSQLite

extension OrganisationRepository {
    static let insertLicence = "INSERT INTO org_licences (org_id, domain, course_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
    static let licences = """
        SELECT l.domain, c.slug FROM org_licences l LEFT JOIN courses c ON c.id = l.course_id
        WHERE l.org_id = ? ORDER BY l.domain IS NULL, l.domain, c.slug
        """
    static let domainExists = "SELECT 1 FROM courses WHERE domain = ? LIMIT 1"
    static let deleteSkills = "DELETE FROM org_skills WHERE org_id = ? AND team = ?"
    static let insertSkill = "INSERT INTO org_skills (org_id, team, skill) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
    static let skills = "SELECT team, skill FROM org_skills WHERE org_id = ? ORDER BY team, skill"
    /// Whether course ?2 is licensed to organisation ?1: by its domain or by itself.
    static let licensed = """
        SELECT EXISTS (SELECT 1 FROM org_licences l JOIN courses c ON c.id = ?2
                       WHERE l.org_id = ?1 AND (l.course_id = c.id OR l.domain = c.domain))
        """

    /// Licenses domains and single courses to `org` (adding to what it has). A domain must hold a
    /// course, and a course must not be archived.
    public func license(_ org: String, domains: [String], courses: [String]) throws {
        try withStoreErrors {
            try db.transaction(.immediate) {
                let organisation = try resolve(org)
                for domain in domains {
                    guard try db.first(Self.domainExists, [domain], row: { _ in true }) != nil else {
                        throw StoreError.notFound("no course in domain '\(domain)'")
                    }
                    try db.run(Self.insertLicence, [organisation.id, domain, nil as String?])
                }
                for reference in courses {
                    let course = try CourseRepository(db).resolve(reference)
                    guard course.status != .archived else { throw StoreError.invalid("course '\(course.slug)' is archived: it cannot be licensed") }
                    try db.run(Self.insertLicence, [organisation.id, nil as String?, course.id])
                }
            }
        }
    }

    /// What `org` licenses: domains first, then single courses.
    public func licences(of org: String) throws -> [OrgLicence] {
        let organisation = try resolve(org)
        return try db.all(Self.licences, [organisation.id]) { row in
            row.isNull(0) ? .course(slug: row.text(1)) : .domain(row.text(0))
        }
    }

    /// Whether `courseID` is licensed to organisation `orgID`.
    public func isLicensed(courseID: Int64, orgID: Int64) throws -> Bool {
        try db.scalarInt(Self.licensed, [orgID, courseID]) == 1
    }

    /// Sets `team`'s target skills (tags) in `org`, replacing the ones it had.
    public func setSkills(_ org: String, team: String, skills: [String]) throws {
        try Self.validate(team: team, role: nil)
        let cleaned = skills.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !cleaned.isEmpty else { throw StoreError.invalid("name at least one skill (a tag such as python)") }
        if let long = cleaned.first(where: { $0.count > 60 }) { throw StoreError.invalid("a skill is at most 60 characters: '\(long)'") }
        try withStoreErrors {
            try db.transaction(.immediate) {
                let organisation = try resolve(org)
                try db.run(Self.deleteSkills, [organisation.id, team])
                for skill in cleaned { try db.run(Self.insertSkill, [organisation.id, team, skill]) }
            }
        }
    }

    /// Each team's target skills in `org`, by team.
    public func skills(of org: String) throws -> [String: [String]] {
        let organisation = try resolve(org)
        var byTeam: [String: [String]] = [:]
        for (team, skill) in try db.all(Self.skills, [organisation.id], row: { ($0.text(0), $0.text(1)) }) {
            byTeam[team, default: []].append(skill)
        }
        return byTeam
    }
}
