internal import LecternSQLite

/// What an organisation member's recommendations need: their team's skills they lack, and which
/// courses their licence allows.
extension OrganisationRepository {
    static let teamSkillsMissing = """
        SELECT s.skill FROM org_skills s
        WHERE s.org_id = ?1 AND s.team = ?2
          AND NOT EXISTS (SELECT 1 FROM interactions i JOIN course_tags ct ON ct.course_id = i.course_id
                          JOIN tags t ON t.id = ct.tag_id
                          WHERE i.user_id = ?3 AND i.kind = 'complete' AND t.name = s.skill)
        ORDER BY s.skill
        """
    /// Published courses tagged ?1 inside organisation ?2's licence (any, without one) that learner ?3
    /// has not bought, enrolled in, completed or rated and has no standing dismissal of; the ones
    /// the most learners completed first.
    static let gapCourses = """
        SELECT c.id, c.slug, c.title FROM tags t JOIN course_tags ct ON ct.tag_id = t.id JOIN courses c ON c.id = ct.course_id
        WHERE t.name = ?1 AND c.status = 'published'
          AND (NOT EXISTS (SELECT 1 FROM org_licences WHERE org_id = ?2)
               OR EXISTS (SELECT 1 FROM org_licences l WHERE l.org_id = ?2 AND (l.course_id = c.id OR l.domain = c.domain)))
          AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = ?3 AND i.course_id = c.id
                          AND i.kind IN ('purchase', 'enroll', 'complete', 'rate'))
          AND NOT EXISTS (SELECT 1 FROM interactions d WHERE d.user_id = ?3 AND d.course_id = c.id AND d.kind = 'dismiss'
                          AND NOT EXISTS (SELECT 1 FROM interactions p WHERE p.user_id = d.user_id AND p.course_id = d.course_id
                                          AND p.kind IN ('view', 'wishlist', 'enroll', 'purchase') AND p.occurred_at > d.occurred_at))
        ORDER BY (SELECT count(*) FROM interactions i WHERE i.course_id = c.id AND i.kind = 'complete') DESC, c.slug
        LIMIT ?4
        """

    /// The skills of `member`'s team they have completed no course in, by name.
    public func missingSkills(of member: OrgMember) throws -> [String] {
        try db.all(Self.teamSkillsMissing, [member.orgID, member.team, member.userID]) { $0.text(0) }
    }

    /// Up to `limit` courses that would close `member`'s gap in `skill`, inside the licence, best first.
    public func coursesClosing(skill: String, for member: OrgMember, limit: Int)
        throws -> [(courseID: Int64, slug: String, title: String)] {
        try db.all(Self.gapCourses, [skill, member.orgID, member.userID, limit]) {
            ($0.int64(0), $0.text(1), $0.text(2))
        }
    }

    /// Whether organisation `orgID` licenses anything (else every course is allowed).
    public func hasLicences(orgID: Int64) throws -> Bool {
        try AssignmentRepository(db).hasLicences(orgID: orgID)
    }
}
