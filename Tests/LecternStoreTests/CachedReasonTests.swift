import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// A cached reason is stored as a kind, a course and a term; the storefront query, the
/// `current_recommendations` view and lists computed in memory must all say the same sentence.
@Suite("Cached reasons")
struct CachedReasonTests {
    @Test(arguments: TestEngine.allCases)
    func theQueryTheViewAndTheSentenceAgreeForEveryKind(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in try Self.expectAgreement(in: db) }
    }

    /// Caches one list holding a reason of every kind, then reads it back through the store and the view.
    static func expectAgreement(in db: Database) throws {
        let creator = try makeCreator(in: db)
        let named = try makeCourse(in: db, slug: "named", creator: creator, title: "Pandas, Fast")
        let learner = try makeLearner(in: db, externalID: "u1")
        var reasons = CachedReason.Kind.allCases.map { CachedReason($0, courseID: named.id, term: "data-science") }
        reasons.append(CachedReason(text: "written out in full"))
        var output = RunOutput(run: ModelRun(algorithm: .hybrid, parameters: "{}", learners: 1, courses: 1, interactions: 0,
                                             startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
        var courses: [Int64] = []
        for (index, reason) in reasons.enumerated() {
            let course = try makeCourse(in: db, slug: "c\(index)", creator: creator)
            courses.append(course.id)
            output.recommendations.append((learner.id, index + 1, course.id, 1 - Double(index) / 100, reason))
        }
        try RecommendationCache(db).save(output, now: { 0 })
        let served = try RecommendationCache(db).recommendations(userID: learner.id, algorithm: .hybrid, limit: 50)
        let viewed = try db.texts("SELECT reason FROM current_recommendations WHERE user_id = ? ORDER BY rank", [learner.id])
        let expected = reasons.map { $0.sentence(title: $0.courseID == nil ? nil : "Pandas, Fast") }
        #expect(served.map(\.reason) == expected)
        #expect(viewed == expected)
        #expect(expected.contains("because you bought Pandas, Fast"))
        #expect(expected.contains("learners who took Pandas, Fast also took this"))
        #expect(expected.contains("popular in data-science"))
        #expect(expected.last == "written out in full")
    }
}
