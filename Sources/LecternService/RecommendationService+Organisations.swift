import LecternCore
import LecternStore

extension RecommendationService {
    /// The reason of a course that closes a gap in the member's team skills.
    static func gapReason(_ skill: String) -> String { "closes your team's gap in \(skill)" }

    /// An organisation member's list: inside their organisation's licence, with the courses that
    /// close their team's skill gaps first ("closes your team's gap in sql"), then the model's list.
    ///
    /// The rule: for each team skill (in name order) the member has completed no course in, the
    /// licensed course tagged with it that most learners completed and the member has not taken or
    /// dismissed, one per skill; then the model's courses inside the licence, in the model's order;
    /// ranks 1...N again. A learner outside any organisation gets `items` unchanged.
    /// - Complexity: O(team skills + list) queries, each an indexed seek.
    func withinOrganisation(_ items: [CachedRecommendation], learner: Learner, algorithm: Algorithm,
                            limit: Int) throws -> [CachedRecommendation] {
        let organisations = OrganisationRepository(db)
        guard let (organisation, member) = try organisations.membership(userID: learner.id) else { return items }
        var list: [CachedRecommendation] = []
        var listed = Set<Int64>()
        for skill in try organisations.missingSkills(of: member) where list.count < limit {
            for course in try organisations.coursesClosing(skill: skill, for: member, limit: 3) where !listed.contains(course.courseID) {
                // A gap course goes first: it takes the best score of the model's list.
                let score = items.first?.score ?? 1
                list.append(CachedRecommendation(rank: 0, courseID: course.courseID, slug: course.slug, title: course.title,
                                                 score: score, algorithm: algorithm, reason: Self.gapReason(skill)))
                listed.insert(course.courseID)
                break
            }
        }
        let licensed = try organisations.hasLicences(orgID: organisation.id)
        for item in items where list.count < limit && !listed.contains(item.courseID) {
            if licensed, try !organisations.isLicensed(courseID: item.courseID, orgID: organisation.id) { continue }
            list.append(item)
            listed.insert(item.courseID)
        }
        // Ranks 1...N; scores never rise down the list.
        for index in list.indices {
            list[index].rank = index + 1
            if index > 0 { list[index].score = min(list[index].score, list[index - 1].score) }
        }
        return list
    }
}
