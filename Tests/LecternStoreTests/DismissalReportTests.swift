import LecternCore
@testable import LecternStore
import Testing
import LecternTestSupport

/// Issue 18, point 4: dismissals measured in the recommendations, catalog and experiments reports, on
/// small databases built by hand whose answers are worked out in the comments.
@Suite("Dismissals in reports")
struct DismissalReportTests {
    static let day: Int64 = 86_400

    /// Courses a, b, c (programming) and f (finance); learners u1...u5.
    struct Platform {
        let db: Database
        var courses: [String: Int64] = [:]
        var learners: [String: Int64] = [:]

        /// The platform in `db`, or in a fresh SQLite database.
        init(in given: Database? = nil) throws {
            let db = try given ?? makeDatabase()
            self.db = db
            let creator = try makeCreator(in: db)
            for slug in ["a", "b", "c"] { courses[slug] = try makeCourse(in: db, slug: slug, creator: creator).id }
            courses["f"] = try makeCourse(in: db, slug: "f", creator: creator, domain: "finance").id
            for name in ["u1", "u2", "u3", "u4", "u5"] { learners[name] = try makeLearner(in: db, externalID: name).id }
        }

        /// Records one event through the repository and returns its id.
        @discardableResult
        func record(_ learner: String, _ course: String, _ kind: Interaction.Kind, day: Int64, reason: DismissReason? = nil) throws -> Int64 {
            let outcome = try InteractionRepository(db).record(Interaction(
                userID: learners[learner]!, courseID: courses[course]!, kind: kind, value: kind == .purchase ? 1_000 : nil,
                occurredAt: newYear2025 + day * DismissalReportTests.day, reason: reason))
            guard case .recorded(let id) = outcome else { Issue.record("\(kind) of \(course) by \(learner) was not recorded"); return 0 }
            return id
        }

        /// An active run of `algorithm` that read the events up to id `watermark`, caching `lists`.
        func activate(_ run: Int64, _ algorithm: String, watermark: Int64, lists: [String: [String]]) throws {
            try db.run("""
                INSERT INTO model_runs (id, algorithm, learners, courses, interactions, started_at, finished_at, last_interaction_id)
                VALUES (?, ?, 0, 0, 0, 0, 0, ?)
                """, [run, algorithm, watermark])
            try db.run("INSERT INTO active_models (algorithm, run_id) VALUES (?, ?)", [algorithm, run])
            for (learner, slugs) in lists {
                for (rank, slug) in slugs.enumerated() {
                    try db.run("INSERT INTO recommendations (run_id, user_id, rank, course_id, score) VALUES (?, ?, ?, ?, 1)",
                               [run, learners[learner]!, rank + 1, courses[slug]!])
                }
            }
        }
    }

    static func window(days: ClosedRange<Int64>? = nil) -> ReportFilter {
        guard let days else { return ReportFilter() }
        return ReportFilter(since: newYear2025 + days.lowerBound * day, until: newYear2025 + days.upperBound * day)
    }

    // MARK: recommendations

    /// Run 1 (popular) read events up to u2's dismissal of b and caches u1: b, c; u2: b, c; u3: a, b (6 rows).
    /// Run 2 (itemknn) read up to u1's first dismissal of b and caches u1: c; u2: a (2 rows).
    /// After run 1: u1 dismisses b (day 10), views it (11) and dismisses it again (12); u1 dismisses c
    /// (day 40); u3 dismisses a on day 5 (back-dated: recorded after the run); u3 dismisses c, which
    /// run 1 never served u3; u4, who has no list, dismisses a.
    func twoRuns() throws -> Platform {
        let p = try Platform()
        try p.record("u1", "a", .view, day: 0)
        let beforeRun1 = try p.record("u2", "b", .dismiss, day: 1)
        try p.activate(1, "popular", watermark: beforeRun1, lists: ["u1": ["b", "c"], "u2": ["b", "c"], "u3": ["a", "b"]])
        let beforeRun2 = try p.record("u1", "b", .dismiss, day: 10)
        try p.activate(2, "itemknn", watermark: beforeRun2, lists: ["u1": ["c"], "u2": ["a"]])
        try p.record("u1", "b", .view, day: 11)
        try p.record("u1", "b", .dismiss, day: 12, reason: .tooBasic)
        try p.record("u1", "c", .dismiss, day: 40)
        try p.record("u3", "a", .dismiss, day: 5)
        try p.record("u3", "c", .dismiss, day: 6)
        try p.record("u4", "a", .dismiss, day: 6)
        return p
    }

    func dismissals(_ p: Platform, _ filter: ReportFilter) throws -> [String: (dismissed: Int, rate: Double?)] {
        let rows = try RecommendationReport(p.db).rows(filter)
        return Dictionary(uniqueKeysWithValues: rows.map { ($0.algorithm.rawValue, ($0.dismissed, $0.dismissRate)) })
    }

    @Test func servedCoursesDismissedAfterTheRunAndWithinTheWindow() throws {
        let p = try twoRuns()
        // Days 0-30. popular: u1/b (days 10 and 12: one pair) and u3/a (day 5, recorded after the run);
        // not u2/b (dismissed before the run read its data), u1/c (day 40), u3/c (not served to u3), u4/a.
        // itemknn: u1/c is day 40 and u2 dismissed nothing after run 2: none of its 2 rows.
        let month = try dismissals(p, Self.window(days: 0...30))
        #expect(month["popular"]?.dismissed == 2)
        #expect(month["popular"]?.rate == 2.0 / 6)
        #expect(month["itemknn"]?.dismissed == 0)
        #expect(month["itemknn"]?.rate == 0)
        // All time: u1/c counts too, for both runs.
        let always = try dismissals(p, Self.window())
        #expect(always["popular"]?.dismissed == 3 && always["popular"]?.rate == 0.5)
        #expect(always["itemknn"]?.dismissed == 1 && always["itemknn"]?.rate == 0.5)
        // Days 8-30 leave out u3's day-5 dismissal; u1's day-10 one is before run 2 and its day-12 one is
        // not about a course run 2 served u1.
        let later = try dismissals(p, Self.window(days: 8...30))
        #expect(later["popular"]?.dismissed == 1 && later["popular"]?.rate == 1.0 / 6)
        #expect(later["itemknn"]?.dismissed == 0)
    }

    @Test func aRunThatCachedNothingHasNoRate() throws {
        let p = try Platform()
        try p.record("u1", "a", .dismiss, day: 1)
        try p.activate(1, "popular", watermark: 0, lists: [:])
        let row = try #require(try RecommendationReport(p.db).rows().first)
        #expect(row.rows == 0 && row.dismissed == 0)
        #expect(row.dismissRate == nil)
    }

    // MARK: catalog

    /// Days 0-30 is the window. a: u1 (too-basic, day 1), u2 (no reason, day 2; views a on day 40),
    /// u3 (too-basic, day 3; views a on day 4), u4 only views a (day 1), u5 dismisses on day 50 (other).
    /// f: u1 dismisses it (too-expensive, day 1), views it (2) and dismisses it again (already-know, 3);
    /// u2 buys it (day 1). b: u2 dismissed it before the window (day -10).
    func dismissedCatalog(in db: Database? = nil) throws -> Platform {
        let p = try Platform(in: db)
        try p.record("u1", "a", .dismiss, day: 1, reason: .tooBasic)
        try p.record("u2", "a", .dismiss, day: 2)
        try p.record("u3", "a", .dismiss, day: 3, reason: .tooBasic)
        try p.record("u3", "a", .view, day: 4)
        try p.record("u4", "a", .view, day: 1)
        try p.record("u2", "a", .view, day: 40)
        try p.record("u5", "a", .dismiss, day: 50, reason: .other)
        try p.record("u1", "f", .dismiss, day: 1, reason: .tooExpensive)
        try p.record("u1", "f", .view, day: 2)
        try p.record("u1", "f", .dismiss, day: 3, reason: .alreadyKnow)
        try p.record("u2", "f", .purchase, day: 1)
        try p.record("u2", "b", .dismiss, day: -10)
        return p
    }

    @Test(arguments: TestEngine.allCases)
    func mostDismissedCoursesWithinTheWindow(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let p = try dismissedCatalog(in: db)
        let rows = try CatalogReport(p.db).mostDismissed(Self.window(days: 0...30), limit: 10)
        #expect(rows.map(\.slug) == ["a", "f"])  // b's dismissal is before the window
        let a = rows[0]
        #expect(a.domain == "programming")
        #expect(a.dismissed == 3)  // u1, u2, u3; u5's is after the window
        #expect(a.holding == 2)  // u3 came back on day 4; u2 only after the window
        #expect(a.touched == 4)  // u1-u4
        #expect(a.share == 0.75)
        #expect(a.reasons == [.tooBasic: 2])
        #expect(a.unspecified == 1)  // u2 gave no reason
        let f = rows[1]
        #expect(f.dismissed == 1 && f.holding == 1 && f.touched == 2 && f.share == 0.5)
        #expect(f.reasons == [.alreadyKnow: 1] && f.unspecified == 0)  // u1's latest dismissal
        #expect(try CatalogReport(p.db).mostDismissed(Self.window(days: 0...30), limit: 1).map(\.slug) == ["a"])
        var finance = Self.window(days: 0...30)
        finance.domain = "finance"
        #expect(try CatalogReport(p.db).mostDismissed(finance, limit: 10).map(\.slug) == ["f"])
    } }

    @Test(arguments: TestEngine.allCases)
    func mostDismissedCoursesOfAllTime(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let p = try dismissedCatalog(in: db)
        let rows = try CatalogReport(p.db).mostDismissed(ReportFilter(), limit: 10)
        #expect(rows.map(\.slug) == ["a", "b", "f"])  // b and f tie on 1 learner, 1 holding: by slug
        let a = rows[0]
        #expect(a.dismissed == 4 && a.touched == 5 && a.share == 0.8)
        #expect(a.holding == 2)  // u1 and u5; u2 came back on day 40, u3 on day 4
        #expect(a.reasons == [.tooBasic: 2, .other: 1] && a.unspecified == 1)
        #expect(rows[1].dismissed == 1 && rows[1].unspecified == 1 && rows[1].touched == 1 && rows[1].share == 1)
        #expect(try CatalogReport(p.db).mostDismissed(ReportFilter(), limit: 10).allSatisfy {
            $0.reasons.values.reduce(0, +) + $0.unspecified == $0.dismissed
        })
    } }

    @Test(arguments: TestEngine.allCases)
    func noDismissalsNoRows(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let p = try Platform(in: db)
        try p.record("u1", "a", .view, day: 1)
        #expect(try CatalogReport(p.db).mostDismissed(ReportFilter(), limit: 10).isEmpty)
    } }

    // MARK: experiments

    /// A 7-day window. Variant A: u1 is shown a and b, u2 a and c (day 0). u1 dismisses a on day 1
    /// (counts) and b on day 8 (too late); u2 dismissed c the day before it was shown, and dismisses a on
    /// day 7 (the window's last second counts). Variant B: u3 is shown a and dismisses b, which it was
    /// not shown. Variant C has no traffic and no impressions.
    @Test func impressionsFollowedByADismissalWithinTheWindow() throws {
        let p = try Platform()
        let store = ExperimentStore(p.db)
        let experiment = try store.create(name: "spring", variants: [("A", .popular, 50), ("B", .hybrid, 50), ("C", .itemknn, 0)],
                                          windowDays: 7)
        try store.logImpressions(experimentID: experiment.id, variant: "A", userID: p.learners["u1"]!,
                                 courseIDs: [p.courses["a"]!, p.courses["b"]!], runID: nil, at: newYear2025)
        try store.logImpressions(experimentID: experiment.id, variant: "A", userID: p.learners["u2"]!,
                                 courseIDs: [p.courses["a"]!, p.courses["c"]!], runID: nil, at: newYear2025)
        try store.logImpressions(experimentID: experiment.id, variant: "B", userID: p.learners["u3"]!,
                                 courseIDs: [p.courses["a"]!], runID: nil, at: newYear2025)
        try p.record("u1", "a", .dismiss, day: 1)
        try p.record("u1", "b", .dismiss, day: 8)
        try p.record("u2", "c", .dismiss, day: -1)
        try p.record("u2", "a", .dismiss, day: 7)
        try p.record("u3", "b", .dismiss, day: 1)
        let outcomes = try store.outcomes(of: experiment)
        #expect(outcomes.map(\.variant) == ["A", "B", "C"])
        #expect(outcomes.map(\.impressions) == [4, 1, 0])
        #expect(outcomes.map(\.dismissals) == [2, 0, 0])
        // A dismissal is not a click.
        #expect(outcomes.map(\.clicks) == [0, 0, 0])
    }
}
