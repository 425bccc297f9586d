import Foundation
import LecternSQLite
@testable import LecternStore
import Testing

/// The statements an import runs per row are compiled once. A parameter SQLite's plan depends on (a
/// bound `kind = ?` beside a partial index on kind) makes it compile them again at every new binding:
/// that once tripled the time of a 1M-row import.
@Suite("Statement reuse")
struct StatementReuseTests {
    @Test func recordingEventsOfEveryKindCompilesNoStatementTwice() throws {
        let db = try LecternDatabase.inMemory()
        let creator = try makeCreator(in: db)
        var courses: [Int64] = []
        for c in 0..<4 { courses.append(try makeCourse(in: db, slug: "c\(c)", creator: creator).id) }
        var learners: [Int64] = []
        for u in 0..<5 { learners.append(try makeLearner(in: db, externalID: "u\(u)").id) }
        let writer = try InteractionWriter(db.connection)
        var time: Int64 = 1_740_787_200
        try db.transaction {
            for round in 0..<20 {
                for (index, kind) in [Interaction.Kind.view, .wishlist, .enroll, .purchase, .complete, .rate, .refund, .dismiss].enumerated() {
                    time += 60
                    let learner = learners[(round + index) % learners.count], course = courses[round % courses.count]
                    let value: Int64? = kind == .rate ? 4 : kind == .purchase ? 2500 : nil
                    _ = try? writer.insert(Interaction(userID: learner, courseID: course, kind: kind, value: value, occurredAt: time),
                                           coursePrice: 2500)
                }
            }
        }
        #expect(try InteractionRepository(db).count() > 100)
        #expect(writer.reprepares == 0)

        // The trap itself, so the count above is known to see it: a bound kind, bound again.
        let bound = try db.connection.prepare("SELECT count(*) FROM interactions WHERE user_id = ?1 AND kind = ?2")
        for kind in ["view", "dismiss", "view", "enroll"] {
            try bound.bind(1, learners[0])
            try bound.bind(2, kind)
            _ = try bound.step()
            bound.reset()
        }
        #expect(bound.reprepareCount >= 3)
    }
}
