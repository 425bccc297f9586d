import Testing
@testable import LecternStore
import LecternTestSupport

/// The org report on a hand-built organisation, at a fixed time, with every figure worked out by hand.
///
/// acme, created 2025-01-01 (t0) with 7 seats at 100.00 (700.00 USD; 2 more bought after `now`, not
/// counted). Teams: data (d1, d2, d3, d4) aiming at python and sql; sales (s1) aiming at statistics.
/// Courses: py (python), sq (sql), st (statistics). `now` is t0 + 40 days (2025-02-10).
/// - d1 completed py 10 days before t0 (python at the start); sq assigned t0+2d, due t0+12d, completed t0+4d: on time, 2 days.
/// - d2: py assigned t0+2d, due t0+12d, completed t0+20d: late, 18 days; sq assigned then, never done: overdue.
/// - d3: py assigned t0+2d, due t0+45d, enrolled t0+3d: started, not counted as done or overdue; completed sq
///   at t0 itself, the second acme was added: sql now, not at the start.
/// - d4: nothing by `now` (completes sq at t0+41d, after it): a seat not used.
/// - s1: st assigned t0+2d, due t0+12d, completed t0+7d: on time, 5 days.
/// - r1 was assigned py and left on t0+3d (retired: not counted); d1 has st assigned after `now` (not counted).
///
/// Every test runs on SQLite and on PostgreSQL (issue 19: both engines, the same figures).
@Suite("Org report")
struct OrgReportTests {
    static let day: Int64 = 86_400
    static let t0 = newYear2025
    static let now = t0 + 40 * day

    /// Builds acme in `db`.
    func makeAcme(in db: Database) throws {
        let (t0, day) = (Self.t0, Self.day)
        let creator = try makeCreator(in: db)
        var courses: [String: Course] = [:]
        for (slug, tag) in [("py", "python"), ("sq", "sql"), ("st", "statistics")] {
            courses[slug] = try makeCourse(in: db, slug: slug, creator: creator)
            try CourseRepository(db).tag(courseID: courses[slug]!.id, with: [tag])
        }
        var learners: [String: Learner] = [:]
        for id in ["d1", "d2", "d3", "d4", "s1", "r1"] { learners[id] = try makeLearner(in: db, externalID: id) }
        let events = InteractionRepository(db)
        func record(_ user: String, _ course: String, _ kind: Interaction.Kind, _ at: Int64) throws {
            _ = try events.record(Interaction(userID: learners[user]!.id, courseID: courses[course]!.id, kind: kind, occurredAt: at))
        }
        try record("d1", "py", .complete, t0 - 10 * day)
        try record("d3", "sq", .complete, t0)
        let organisations = OrganisationRepository(db)
        let acme = try organisations.create(Organisation(slug: "acme", name: "Acme", seats: 7, seatPriceMinor: 10_000, createdAt: t0))
        for (user, team) in [("d1", "data"), ("d2", "data"), ("d3", "data"), ("d4", "data"), ("s1", "sales"), ("r1", "data")] {
            try organisations.addMember(OrgMember(externalID: user, team: team), to: "acme", at: t0 + day)
        }
        try organisations.setSkills("acme", team: "data", skills: ["python", "sql"])
        try organisations.setSkills("acme", team: "sales", skills: ["statistics"])
        let assignments = AssignmentRepository(db)
        for (user, course, due, at) in [("d1", "sq", t0 + 12 * day, t0 + 2 * day), ("d2", "py", t0 + 12 * day, t0 + 2 * day),
                                        ("d2", "sq", t0 + 12 * day, t0 + 2 * day), ("d3", "py", t0 + 45 * day, t0 + 2 * day),
                                        ("s1", "st", t0 + 12 * day, t0 + 2 * day), ("r1", "py", t0 + 12 * day, t0 + 2 * day),
                                        ("d1", "st", t0 + 60 * day, t0 + 50 * day)] {
            _ = try assignments.assign(orgID: acme.id, userID: learners[user]!.id, courseID: courses[course]!.id, source: .course,
                                       dueAt: due, at: at)
        }
        try organisations.removeMember("r1", from: "acme", at: t0 + 3 * day)
        try record("d1", "sq", .complete, t0 + 4 * day)
        try record("d2", "py", .complete, t0 + 20 * day)
        try record("d3", "py", .enroll, t0 + 3 * day)
        try record("s1", "st", .complete, t0 + 7 * day)
        try record("d4", "sq", .complete, t0 + 41 * day)
        _ = try organisations.update("acme", seats: 9, at: t0 + 45 * day)
    }

    /// Runs `body` with acme built in a fresh database of `engine`.
    func withAcme(on engine: TestEngine, _ body: (Database) throws -> Void) throws {
        try withDatabase(on: engine) { db in
            try makeAcme(in: db)
            try body(db)
        }
    }

    func line(_ row: OrgTeamRow) -> String {
        "\(row.team) \(row.members) \(row.seatsUsed) \(row.assigned) \(row.completedOnTime) \(row.completedLate) \(row.overdue) "
            + "\(row.completionRate.map { String($0) } ?? "-") \(row.medianDaysToComplete.map { String($0) } ?? "-")"
    }

    @Test(arguments: TestEngine.allCases)
    func perTeamFiguresAtAFixedTime(engine: TestEngine) throws { try withAcme(on: engine) { db in
        let result = try OrgReport(db).report(org: "acme", now: Self.now)
        // team members seats-used assigned on-time late overdue rate median-days
        #expect(result.teams.map(line) == ["data 4 3 4 1 1 1 0.5 10.0", "sales 1 1 1 1 0 0 1.0 5.0"])
        #expect(line(result.total) == "total 5 4 5 2 1 1 0.6 5.0")
        // Seats (like membership) are the organisation's as they stand, 9 since the purchase after `now`.
        #expect(result.organisation.seats == 9 && result.start == Self.t0)
        #expect(result.members.map { "\($0.externalID) \($0.team) \($0.seatUsed) \($0.assigned) \($0.completedOnTime) \($0.completedLate) \($0.overdue)" }
                == ["d1 data true 1 1 0 0", "d2 data true 2 0 1 1", "d3 data true 1 0 0 0", "d4 data false 0 0 0 0", "s1 sales true 1 1 0 0"])
        #expect(result.completionsByMonth == [OrgMonthRow(month: "2025-01", onTime: 2, late: 1), OrgMonthRow(month: "2025-02", onTime: 0, late: 0)])
    } }

    @Test(arguments: TestEngine.allCases)
    func skillCoverageAtTheStartAndNow(engine: TestEngine) throws { try withAcme(on: engine) { db in
        let result = try OrgReport(db).report(org: "acme", now: Self.now)
        #expect(result.skills.map { "\($0.team) \($0.skill) \($0.members) \($0.coveredAtStart) \($0.coveredNow)" }
                == ["data python 4 1 2", "data sql 4 0 2", "sales statistics 1 0 1"])
        #expect(result.skills[0].shareAtStart == 0.25 && result.skills[0].shareNow == 0.5)
        // Later, d4's completion of sq counts too.
        let later = try OrgReport(db).report(org: "acme", now: Self.now + 2 * Self.day)
        #expect(later.skills[1].coveredNow == 3 && later.skills[1].coveredAtStart == 0)
    } }

    @Test(arguments: TestEngine.allCases)
    func spendPerCompletionToTheCent(engine: TestEngine) throws { try withAcme(on: engine) { db in
        let result = try OrgReport(db).report(org: "acme", now: Self.now)
        // 700.00 over 3 completions: 233.333... -> 233.33. The 200.00 bought after `now` is not counted.
        #expect(result.spend == [OrgSpendRow(currency: "USD", purchases: 1, seats: 7, amountMinor: 70_000, completions: 3)])
        #expect(result.spend[0].perCompletionMinor == 23_333)
        #expect(OrgSpendRow(currency: "USD", purchases: 1, seats: 1, amountMinor: 5, completions: 2).perCompletionMinor == 3)  // 2.5 -> 3
        #expect(OrgSpendRow(currency: "USD", purchases: 1, seats: 1, amountMinor: 5, completions: 0).perCompletionMinor == nil)
        let later = try OrgReport(db).report(org: "acme", now: Self.now + 10 * Self.day)
        #expect(later.spend.map(\.amountMinor) == [90_000])
    } }

    @Test(arguments: TestEngine.allCases)
    func anUnknownOrganisationIsNamed(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        expectStoreError(.notFound, containing: "no organisation 'nope'") { _ = try OrgReport(db).report(org: "nope", now: Self.now) }
        #expect(OrgReport.median([]) == nil && OrgReport.median([3, 1, 2]) == 2 && OrgReport.median([4, 1, 2, 3]) == 2.5)
    } }
}
