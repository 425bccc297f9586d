import Foundation
import LecternRecommender
import LecternSQLite
import LecternService
import LecternStore
import Testing
import LecternTestSupport

/// One catalog with one event (or burst) breaking each rule, besides ordinary events.
///
/// Courses c1, c2 (published) and d (draft) were created at t0, c3 on day 60. Learners a and b
/// signed up at t0, late on day 50.
struct CleaningFixture {
    static let t0: Int64 = 1_735_689_600  // 2025-01-01T00:00:00Z
    static let day: Int64 = 86_400
    static let now = t0 + 100 * day

    let db: Database
    var courses: [String: Int64] = [:]
    var learners: [String: Int64] = [:]
    /// Event ids by what they are, for the rules' expectations.
    var ids: [String: Int64] = [:]

    init(_ db: Database) throws {
        let t0 = Self.t0, day = Self.day
        self.db = db
        let creator = try CreatorRepository(db).create(Creator(name: "Ada", revenueShare: 0.7))
        for (slug, status, created) in [("c1", Course.Status.published, t0), ("c2", .published, t0), ("d", .draft, t0),
                                        ("c3", .published, t0 + 60 * day)] {
            courses[slug] = try CourseRepository(db).create(Course(slug: slug, title: "Course \(slug)", domain: "data-science",
                                                                   priceMinor: 1_000, creatorID: creator.id, status: status,
                                                                   createdAt: created)).id
        }
        for (name, created) in [("a", t0), ("b", t0), ("late", t0 + 50 * day), ("f", t0)] {
            learners[name] = try LearnerRepository(db).create(Learner(externalID: name, createdAt: created)).id
        }
        ids["first view"] = try record("a", "c1", .view, at: t0 + 1_000)
        ids["repeated view"] = try record("a", "c1", .view, at: t0 + 1_030)
        ids["later view"] = try record("a", "c1", .view, at: t0 + 2_000)
        ids["draft view"] = try record("a", "d", .view, at: t0 + 3_000)
        ids["purchase"] = try record("a", "c1", .purchase, at: t0 + 4_000)
        ids["repeated purchase"] = try record("a", "c1", .purchase, at: t0 + 4_010)
        ids["future view"] = try record("a", "c2", .view, at: Self.now + 1_000)
        ids["view before the course"] = try record("a", "c3", .view, at: t0 + 30 * day)
        ids["view before signup"] = try record("late", "c1", .view, at: t0 + 10 * day)
        for second in 0..<31 { ids["burst \(second)"] = try record("b", "c2", .view, at: t0 + 5_000 + Int64(second)) }
        // f's purchase goes to the anonymous holder, which must hold nothing else.
        ids["forgotten purchase"] = try record("f", "c1", .purchase, at: t0 + 6_000)
        _ = try LearnerRepository(db).forget(externalID: "f")
        let anonymous = try db.scalarInt("SELECT id FROM users WHERE anonymous = 1")!
        try db.run("INSERT INTO interactions (user_id, course_id, kind, occurred_at) VALUES (?, ?, 'view', ?)",
                   [anonymous, courses["c1"]!, t0 + 7_000])
        ids["anonymous view"] = try lastEventID()
        // A row for a course that does not exist, as a file written with foreign keys off holds; on
        // PostgreSQL the foreign key is dropped for the insert and put back NOT VALID (not checked on
        // the rows already there), as a database restored without its constraints would hold.
        let foreignKey = try db.engine == .postgresql ? db.texts("""
            SELECT conname FROM pg_constraint WHERE contype = 'f'
              AND conrelid = (SELECT oid FROM pg_class WHERE relname = 'interactions')
              AND confrelid = (SELECT oid FROM pg_class WHERE relname = 'courses')
            """).first : nil
        if let foreignKey {
            try db.execute("ALTER TABLE interactions DROP CONSTRAINT \(foreignKey)")
        } else {
            try db.execute("PRAGMA foreign_keys = OFF")
        }
        try db.run("INSERT INTO interactions (user_id, course_id, kind, occurred_at) VALUES (?, 999, 'view', ?)",
                   [learners["a"]!, t0 + 8_000])
        ids["unknown course"] = try lastEventID()
        if let foreignKey {
            try db.execute("ALTER TABLE interactions ADD CONSTRAINT \(foreignKey) FOREIGN KEY (course_id) REFERENCES courses (id) NOT VALID")
        } else {
            try db.execute("PRAGMA foreign_keys = ON")
        }
    }

    func lastEventID() throws -> Int64 { try db.scalarInt("SELECT max(id) FROM interactions")! }

    /// Events whose learner or course does not exist (SQLite: `pragma_foreign_key_check`).
    func orphans() throws -> Int64? {
        try db.scalarInt(db.engine == .sqlite ? "SELECT count(*) FROM pragma_foreign_key_check('interactions')" : """
            SELECT count(*) FROM interactions i
            WHERE NOT EXISTS (SELECT 1 FROM courses c WHERE c.id = i.course_id) OR NOT EXISTS (SELECT 1 FROM users u WHERE u.id = i.user_id)
            """)
    }

    func record(_ learner: String, _ course: String, _ kind: Interaction.Kind, at time: Int64) throws -> Int64 {
        guard case .recorded(let id) = try InteractionRepository(db).record(
            Interaction(userID: learners[learner]!, courseID: courses[course]!, kind: kind, occurredAt: time)) else {
            throw StoreError(.conflict, "not recorded")
        }
        return id
    }

    var options: CleaningOptions { CleaningOptions(now: Self.now) }

    func count() throws -> Int64 { try db.scalarInt("SELECT count(*) FROM interactions")! }
}

@Suite("Cleaning service")
struct CleaningServiceTests {
    @Test(arguments: TestEngine.allCases) func everyRuleFindsItsEvents(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let f = try CleaningFixture(db)
            let before = try f.count()
            let outcome = try CleaningService(f.db).clean(f.options, dryRun: true)
            #expect(outcome.earliest == CleaningFixture.t0 - 365 * CleaningFixture.day)
            let byRule = Dictionary(grouping: outcome.flagged, by: \.rule).mapValues { $0.map(\.event.id) }
            #expect(byRule[.unknownEntity] == [f.ids["unknown course"]!])
            #expect(byRule[.draftCourse] == [f.ids["draft view"]!])
            #expect(byRule[.anonymousLearner] == [f.ids["anonymous view"]!])
            #expect(byRule[.outOfRange] == [f.ids["future view"]!])
            #expect(byRule[.beforeSignup] == [f.ids["view before signup"]!])
            #expect(byRule[.beforeCourse] == [f.ids["view before the course"]!])
            #expect(byRule[.bot] == (0..<31).map { f.ids["burst \($0)"]! })
            #expect(byRule[.duplicate] == [f.ids["repeated view"]!, f.ids["repeated purchase"]!])
            #expect(outcome.botLearners == [f.learners["b"]!])
            // The repeated purchase is flagged but kept; the forgotten learner's purchase is not flagged.
            #expect(outcome.keptMoney.map(\.event.id) == [f.ids["repeated purchase"]!])
            #expect(outcome.removable.count == 38)
            #expect(!outcome.flagged.contains { $0.event.id == f.ids["forgotten purchase"]! })
            // A dry run changes nothing.
            #expect(outcome.removed == 0)
            #expect(try f.count() == before)
        }
    }

    @Test(arguments: TestEngine.allCases) func cleaningRemovesInOneGoAndASecondRunFindsOnlyKeptMoney(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let f = try CleaningFixture(db)
            let before = try f.count()
            let first = try CleaningService(f.db).clean(f.options, dryRun: false)
            #expect(first.removed == 38)
            #expect(try f.count() == before - 38)
            #expect(try f.orphans() == 0)
            #expect(try f.db.scalarInt("SELECT count(*) FROM interactions WHERE id = ?", [f.ids["repeated purchase"]!]) == 1)

            let second = try CleaningService(f.db).clean(f.options, dryRun: false)
            #expect(second.flagged.map(\.event.id) == [f.ids["repeated purchase"]!])
            #expect(second.removed == 0)

            var withMoney = f.options
            withMoney.includeMoney = true
            #expect(try CleaningService(f.db).clean(withMoney, dryRun: false).removed == 1)
            #expect(try CleaningService(f.db).clean(withMoney, dryRun: false).flagged.isEmpty)
            // What is left: the first and later view, the purchase and the forgotten learner's purchase.
            #expect(try f.count() == 4)
        }
    }

    @Test(arguments: TestEngine.allCases) func thresholdsAndTheEarliestTimeAreTheCallers(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let f = try CleaningFixture(db)
            var options = f.options
            options.earliest = CleaningFixture.t0 + 1_500
            options.burstLimit = 31
            options.checkCreationTimes = false
            let outcome = try CleaningService(f.db).clean(options, dryRun: true)
            let byRule = Dictionary(grouping: outcome.flagged, by: \.rule).mapValues { $0.map(\.event.id) }
            // The first view is now too early, which leaves the repeated one (at +1030) early as well.
            #expect(byRule[.outOfRange] == [f.ids["first view"]!, f.ids["repeated view"]!, f.ids["future view"]!])
            #expect(byRule[.bot] == nil)
            // b's views of c2 after the first (30, all within 60 s of it) and the repeated purchase.
            #expect(byRule[.duplicate]?.count == 31)
            #expect(byRule[.beforeSignup] == nil && byRule[.beforeCourse] == nil)
        }
    }

    @Test(arguments: TestEngine.allCases) func aRefundGoesWithTheOnlyPurchaseItRefunds(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            var f = try CleaningFixture(db)
            // Bought "in the future", refunded now: the purchase is out of range.
            f.ids["future purchase"] = try f.record("a", "c2", .purchase, at: CleaningFixture.now + 1_000)
            f.ids["refund"] = try f.record("a", "c2", .refund, at: CleaningFixture.now - 1_000)
            let kept = try CleaningService(f.db).clean(f.options, dryRun: true)
            #expect(kept.keptMoney.map(\.event.id) == [f.ids["repeated purchase"]!, f.ids["future purchase"]!])
            var options = f.options
            options.includeMoney = true
            let removed = try CleaningService(f.db).clean(options, dryRun: false)
            let money = removed.flagged.filter(\.event.movesMoney).map { "\($0.event.id) \($0.rule.rawValue)" }
            #expect(money == ["\(f.ids["repeated purchase"]!) duplicate", "\(f.ids["future purchase"]!) out-of-range",
                              "\(f.ids["refund"]!) out-of-range"])
            #expect(try f.db.scalarInt("SELECT count(*) FROM interactions WHERE kind = 'refund'") == 0)
            // a's first purchase of c1 stays, so nothing else of c1 would be refunded away.
            #expect(try f.db.scalarInt("SELECT count(*) FROM interactions WHERE id = ?", [f.ids["purchase"]!]) == 1)
        }
    }

    @Test(arguments: TestEngine.allCases) func badThresholdsRemoveNothing(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let f = try CleaningFixture(db)
            let before = try f.count()
            var options = f.options
            options.burstLimit = 0
            #expect(throws: RecommenderError.self) { try CleaningService(f.db).clean(options, dryRun: false) }
            #expect(try f.count() == before)
        }
    }
}
