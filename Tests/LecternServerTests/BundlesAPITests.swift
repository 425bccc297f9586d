import Foundation
import LecternCore
@testable import LecternServer
import LecternStore
import Testing

/// "Often taken together" and bundles over HTTP.
@Suite("Bundles over HTTP")
struct BundlesAPITests {
    /// Ten learners took courses d and e together, three more d and f, seventeen f alone. With the
    /// fixture's own learners, d-e (12 learners) stands above chance and d-f (4) under the minimum.
    func fixture() throws -> ServerFixture {
        let f = try ServerFixture(train: [])
        let learners = LearnerRepository(f.db), events = InteractionRepository(f.db)
        var time: Int64 = 1_710_000_000
        for n in 0..<40 {
            let learner = try learners.create(Learner(externalID: "t\(n)", createdAt: 1_700_000_000))
            let courses = n < 10 ? ["d", "e"] : n < 13 ? ["d", "f"] : n < 30 ? ["f"] : []
            for slug in courses {
                time += 60
                _ = try events.record(Interaction(userID: learner.id, courseID: f.courses[slug]!, kind: .enroll, occurredAt: time))
            }
        }
        return f
    }

    @Test func aCoursePageShowsWhatItsLearnersAlsoTookBeyondChance() async throws {
        let f = try fixture()
        try await f.start()
        let together = try await f.send("GET", "/v1/courses/e/together", key: "reader")
        let items = together.object["items"] as? [[String: Any]] ?? []
        #expect(together.status == 200 && items.first?["slug"] as? String == "d", "\(together.object)")
        // Learners a and b of the fixture also took both: 12 of e's 12 takers took d.
        #expect(together.object["takers"] as? Int == 12)
        #expect(items.first?["learners"] as? Int == 12 && items.first?["confidence"] as? Double == 1)
        #expect((items.first?["lift_lower_bound"] as? Double ?? 0) > 1)
        // d-f: three learners of the test and b: four, under the default minimum of five.
        let d = try await f.send("GET", "/v1/courses/d/together?min_learners=5", key: "reader")
        #expect((d.object["items"] as? [[String: Any]] ?? []).map { $0["slug"] as? String } == ["e"], "\(d.object)")
        #expect(try await f.send("GET", "/v1/courses/nope/together", key: "reader").status == 404)
        #expect(try await f.send("GET", "/v1/courses/e/together?limit=0", key: "reader").status == 400)
        let bundles = try await f.send("GET", "/v1/bundles?min_learners=5", key: "reader")
        let first = (bundles.object["items"] as? [[String: Any]])?.first
        #expect(bundles.status == 200 && Set(first?["courses"] as? [String] ?? []) == ["d", "e"], "\(bundles.object)")
        #expect(try await f.send("GET", "/v1/bundles?cross_domain=maybe", key: "reader").status == 400)
        #expect(try await f.send("GET", "/v1/bundles?course=nope", key: "reader").status == 404)
        try await f.stop()

        try f.expectAnswersMatchTheDocument()
    }
}
