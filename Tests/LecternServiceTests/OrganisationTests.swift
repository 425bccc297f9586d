import Foundation
import LecternCore
@testable import LecternService
import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// Organisations, seats, licences and assignments on a real database (ServiceFixture's platform:
/// courses d, e, f in data-science, x in finance; learners a, b, c, n).
@Suite("Organisations and assignments")
struct OrganisationTests {
    static let now: Int64 = 1_800_000_000
    static let day: Int64 = 86_400

    @discardableResult
    func organisation(_ f: ServiceFixture, seats: Int = 3) throws -> Organisation {
        try OrganisationRepository(f.db).create(Organisation(slug: "acme", name: "Acme", seats: seats, seatPriceMinor: 24_000,
                                                             createdAt: Self.now - 10 * Self.day))
    }

    @Test(arguments: TestEngine.allCases) func seatsAreNeverOutnumberedAndTheirPurchasesAreKept(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            let repository = OrganisationRepository(f.db)
            try organisation(f, seats: 2)
            for user in ["a", "b"] { try repository.addMember(OrgMember(externalID: user, team: "data"), to: "acme") }
            #expect(throws: StoreError(.conflict, "'acme' has 2 seats and 2 members: add seats first (lectern org update acme --seats 3)")) {
                try repository.addMember(OrgMember(externalID: "c", team: "data"), to: "acme")
            }
            // Seats cannot go below the members; more seats at the seat price are bought now.
            #expect(throws: StoreError.self) { try repository.update("acme", seats: 1) }
            _ = try repository.update("acme", seats: 5, at: Self.now)
            try repository.addMember(OrgMember(externalID: "c", team: "sales"), to: "acme")
            let bought = try f.db.texts("SELECT seats || ' ' || amount_minor || ' ' || currency FROM org_seat_purchases ORDER BY id")
            #expect(bought == ["2 48000 USD", "3 72000 USD"])
            // The schema holds the rule for any other writer too.
            #expect(throws: (any Error).self) { try f.db.execute("UPDATE organisations SET seats = 0") }
        }
    }

    @Test(arguments: TestEngine.allCases) func aLearnerMovesWithTheirHistoryAndTheirOpenAssignmentsRetire(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            let repository = OrganisationRepository(f.db)
            try organisation(f)
            try repository.create(Organisation(slug: "beta", name: "Beta", seats: 3))
            try repository.addMember(OrgMember(externalID: "c", team: "data"), to: "acme")
            _ = try AssignmentService(f.db).assign(org: "acme", to: .user("c"), work: .course("e"), dueAt: Self.now + Self.day, now: Self.now)
            #expect(try repository.addMember(OrgMember(externalID: "c", team: "ops"), to: "beta", at: Self.now) == .moved(from: "acme"))
            #expect(try repository.members(of: "acme").isEmpty)
            let acme = try repository.resolve("acme")
            #expect(try AssignmentRepository(f.db).list(orgID: acme.id, now: Self.now).isEmpty)
            let retired = try AssignmentRepository(f.db).list(orgID: acme.id, includingRetired: true, now: Self.now)
            #expect(retired.count == 1 && retired[0].retiredAt == Self.now)
            #expect(try InteractionRepository(f.db).count(ofUser: f.learners["c"]!) == 2)  // history stays
        }
    }

    @Test(arguments: TestEngine.allCases) func assignmentsAreIdempotentAndReportWhereEachMemberStands(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            let repository = OrganisationRepository(f.db)
            try organisation(f)
            for user in ["a", "c", "n"] { try repository.addMember(OrgMember(externalID: user, team: "data"), to: "acme") }
            let service = AssignmentService(f.db)
            let due = Self.now + 5 * Self.day
            let first = try service.assign(org: "acme", to: .team("data"), work: .course("f"), dueAt: due, now: Self.now)
            #expect(first.map(\.outcome) == [.assigned, .assigned, .assigned])
            #expect(try service.assign(org: "acme", to: .team("data"), work: .course("f"), dueAt: due, now: Self.now).map(\.outcome)
                    == [.unchanged, .unchanged, .unchanged])
            // a completes on time, c late, n enrolls and then runs out of time.
            try f.record("a", "f", .complete, at: Self.now + Self.day)
            try f.record("c", "f", .complete, at: due + Self.day)
            try f.record("n", "f", .enroll, at: Self.now + Self.day)
            let acme = try repository.resolve("acme")
            func statuses(at time: Int64) throws -> [String] {
                try AssignmentRepository(f.db).list(orgID: acme.id, now: time).map { "\($0.user) \($0.status.rawValue)" }
            }
            #expect(try statuses(at: Self.now + 2 * Self.day) == ["a completed", "c assigned", "n started"])
            #expect(try statuses(at: due + 2 * Self.day) == ["a completed", "c completed-late", "n overdue"])
            let overdue = try AssignmentRepository(f.db).list(orgID: acme.id, status: .overdue, now: due + 2 * Self.day)
            #expect(overdue.map(\.user) == ["n"])
            // Assigning again with another date moves it.
            #expect(try service.assign(org: "acme", to: .user("n"), work: .course("f"), dueAt: due + 9 * Self.day, now: Self.now)
                    .map(\.outcome) == [.rescheduled])
        }
    }

    @Test(arguments: TestEngine.allCases) func skillsAndLicencesDecideWhatIsAssigned(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            let repository = OrganisationRepository(f.db)
            try organisation(f)
            try repository.addMember(OrgMember(externalID: "n", team: "data"), to: "acme")
            try repository.addMember(OrgMember(externalID: "c", team: "data"), to: "acme")
            try f.record("c", "d", .complete, at: Self.now - Self.day)  // c covers python and pandas (d's tags)
            try repository.license("acme", domains: ["data-science"], courses: [])
            let results = try AssignmentService(f.db).assign(org: "acme", to: .team("data"), work: .skills(["pandas", "statistics"]),
                                                             dueAt: Self.now + Self.day, now: Self.now)
            // pandas: d (x is tagged pandas too but outside the licence); statistics: e or f, the one completed most (a tie: e).
            #expect(results.map { "\($0.user) \($0.course)" } == ["c e", "n d", "n e"])
            #expect(throws: StoreError.self) {
                try AssignmentService(f.db).assign(org: "acme", to: .user("n"), work: .course("x"), dueAt: Self.now + Self.day, now: Self.now)
            }
            #expect(throws: StoreError.self) { try repository.license("acme", domains: ["no-such-domain"], courses: []) }
            var archived = try CourseRepository(f.db).find(id: f.courses["h"]!)!
            archived.status = .archived
            try CourseRepository(f.db).update(archived)
            #expect(throws: StoreError(.invalidInput, "course 'h' is archived: it cannot be licensed")) {
                try repository.license("acme", domains: [], courses: ["h"])
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func badAssignmentsChangeNothing(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try organisation(f)
            try OrganisationRepository(f.db).addMember(OrgMember(externalID: "a", team: "data"), to: "acme")
            let service = AssignmentService(f.db)
            let cases: [(AssignmentService.Target, AssignmentService.Work, Int64)] = [
                (.team("nobody"), .course("d"), Self.now + 1),
                (.user("b"), .course("d"), Self.now + 1),  // not a member
                (.user("a"), .course("zz"), Self.now + 1),
                (.user("a"), .course("d"), Self.now - 1),  // due in the past
            ]
            for (target, work, due) in cases {
                #expect(throws: StoreError.self) { try service.assign(org: "acme", to: target, work: work, dueAt: due, now: Self.now) }
            }
            #expect(throws: StoreError.self) { try service.assign(org: "nope", to: .user("a"), work: .course("d"), dueAt: Self.now + 1, now: Self.now) }
            #expect(try f.db.scalarInt("SELECT count(*) FROM assignments") == 0)
        }
    }

    @Test(arguments: TestEngine.allCases) func aForgottenMemberLeavesTheOrganisationAndItsAssignmentsButTheMoneyStays(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try organisation(f)
            try OrganisationRepository(f.db).addMember(OrgMember(externalID: "c", team: "data"), to: "acme")
            _ = try AssignmentService(f.db).assign(org: "acme", to: .user("c"), work: .course("e"), dueAt: Self.now + Self.day, now: Self.now)
            let summary = try LearnerRepository(f.db).forget(externalID: "c")
            #expect(summary.membershipsDeleted == 1 && summary.courseAssignmentsDeleted == 1)
            #expect(try f.db.scalarInt("SELECT count(*) FROM org_members") == 0)
            #expect(try f.db.scalarInt("SELECT count(*) FROM assignments") == 0)
            #expect(try f.db.scalarInt("SELECT sum(amount_minor) FROM org_seat_purchases") == 72_000)
        }
    }

    @Test(arguments: TestEngine.allCases) func aMembersListStaysInsideTheLicenceAndClosesTheTeamsGapsFirst(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train([.itemknn, .popular], options: RecommendationServiceTests.options())
            let repository = OrganisationRepository(f.db)
            try organisation(f)
            #expect(try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 5).items.map(\.slug) == ["e", "f"])
            try repository.addMember(OrgMember(externalID: "c", team: "data"), to: "acme")
            try repository.setSkills("acme", team: "data", skills: ["machine-learning", "python"])  // c has bought d (python) but not completed it
            try repository.license("acme", domains: [], courses: ["e", "f", "x"])
            let list = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 5).items
            // machine-learning: f, the only course tagged so; python: e (d is bought, x... most completed first, then by slug).
            #expect(list.map(\.slug) == ["f", "e"], "\(list.map(\.slug))")
            #expect(list.map(\.reason) == ["closes your team's gap in machine-learning", "closes your team's gap in python"])
            #expect(list.map(\.rank) == [1, 2])
            // Once c completes a course tagged python, that gap is closed; the licence still holds.
            try f.record("c", "d", .complete, at: Self.now)
            try repository.setSkills("acme", team: "data", skills: ["python"])
            let after = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 5).items
            #expect(after.map(\.slug) == ["e", "f"] && !after.contains { $0.reason.contains("gap") }, "\(after.map(\.reason))")
            // A learner outside any organisation is served as before.
            #expect(try RecommendationService(f.db).recommend(userExternalID: "n", algorithm: .popular, limit: 3).items.count == 3)
        }
    }

    @Test(arguments: TestEngine.allCases) func aMemberTakesALicensedCourseAtNoCharge(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try organisation(f)
            try OrganisationRepository(f.db).addMember(OrgMember(externalID: "n", team: "data"), to: "acme")
            try OrganisationRepository(f.db).license("acme", domains: [], courses: ["e"])
            try f.record("n", "e", .purchase, at: Self.now)
            try f.record("n", "f", .purchase, at: Self.now)  // not licensed: the price
            let paid = try InteractionRepository(f.db).list(InteractionFilter(userID: f.learners["n"]!, kind: .purchase))
                .map { "\($0.courseSlug) \($0.interaction.value ?? -1)" }.sorted()
            #expect(paid == ["e 0", "f 1000"])
        }
    }
}
