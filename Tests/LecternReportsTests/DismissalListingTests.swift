import Foundation
import LecternReports
import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// How the reports print dismissals: columns, the catalog's second listing, JSON and the HTML page.
@Suite("Dismissals in listings")
struct DismissalListingTests {
    /// The shop, with alice dismissing py-201 (too-expensive) and chen fin-1 (no reason) on 2025-03-01,
    /// an active popular run that read every earlier event and cached alice: py-201 and chen: py-201,
    /// fin-1, and an experiment whose variant B was never shown.
    func dismissingShop(_ db: Database) throws -> Shop {
        let shop = try Shop(db)
        let watermark = try #require(try shop.db.scalarInt("SELECT max(id) FROM interactions"))
        try shop.db.run("""
            INSERT INTO model_runs (id, algorithm, learners, courses, interactions, started_at, finished_at, last_interaction_id)
            VALUES (1, 'popular', 3, 3, 7, 0, 0, ?)
            """, [watermark])
        try shop.db.run("INSERT INTO active_models (algorithm, run_id) VALUES ('popular', 1)")
        let course = { (slug: String) in try CourseRepository(shop.db).find(slug: slug)!.id }
        for (learner, rank, slug) in [(shop.alice, 1, "py-201"), (shop.chen, 1, "py-201"), (shop.chen, 2, "fin-1")] {
            try shop.db.run("INSERT INTO recommendations (run_id, user_id, rank, course_id, score) VALUES (1, ?, ?, ?, 1)",
                            [learner.id, rank, try course(slug)])
        }
        let march: Int64 = 1_740_787_200  // 2025-03-01T00:00:00Z
        for (learner, slug, reason) in [(shop.alice, "py-201", Interaction.Reason?.some(.tooExpensive)), (shop.chen, "fin-1", nil)] {
            _ = try InteractionRepository(shop.db).record(Interaction(userID: learner.id, courseID: try course(slug), kind: .dismiss,
                                                                      occurredAt: march, reason: reason))
        }
        let experiment = try ExperimentStore(shop.db).create(name: "spring", variants: [("A", .popular, 100), ("B", .hybrid, 0)], windowDays: 7)
        try ExperimentStore(shop.db).logImpressions(experimentID: experiment.id, variant: "A", userID: shop.alice.id,
                                                    courseIDs: [try course("py-201"), try course("fin-1")], runID: 1, at: march - 86_400)
        return shop
    }

    func objects(_ json: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(json.utf8))
    }

    @Test(arguments: TestEngine.allCases) func catalogJSONHoldsDomainsAndTheMostDismissedCourses(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try dismissingShop(db)
            let catalog = try #require(try objects(try shop.builder().json(.catalog)) as? [String: Any])
            #expect(Set(catalog.keys) == ["domains", "most_dismissed"])
            #expect((catalog["domains"] as? [[String: Any]])?.last?["domain"] as? String == "total")
            let dismissed = try #require(catalog["most_dismissed"] as? [[String: Any]])
            // fin-1 and py-201: one learner each, both holding; by slug. alice, bruno and chen touched fin-1;
            // alice and bruno py-201.
            #expect(dismissed.map { $0["course"] as? String } == ["fin-1", "py-201"])
            #expect(dismissed[0]["dismissed"] as? Int == 1 && dismissed[0]["holding"] as? Int == 1)
            #expect(dismissed[0]["touched"] as? Int == 3)
            #expect(dismissed[0]["dismiss_share"] as? Double == 0.333)
            #expect(dismissed[0]["unspecified"] as? Int == 1 && dismissed[0]["too-expensive"] as? Int == 0)
            #expect(dismissed[1]["too-expensive"] as? Int == 1 && dismissed[1]["unspecified"] as? Int == 0)
            #expect(dismissed[1]["touched"] as? Int == 2 && dismissed[1]["dismiss_share"] as? Double == 0.5)
            // The table gives each listing its title; CSV keeps the domains alone.
            let table = try shop.builder().text(.catalog, markdown: false)
            #expect(table.hasPrefix("Courses by domain\n") && table.contains("\nMost dismissed courses\n"))
            #expect(try shop.builder().listing(.catalog).columns.first == "domain")
            // The other reports still print one array.
            #expect(try objects(try shop.builder().json(.sales)) is [[String: Any]])
        }
    }

    @Test(arguments: TestEngine.allCases) func recommendationsAndExperimentsGainTheirDismissColumns(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try dismissingShop(db)
            let models = try #require(try objects(try shop.builder().json(.recommendations)) as? [[String: Any]])
            // alice/py-201 of 3 cached rows; chen dismissed fin-1, which was cached for him too: 2 of 3.
            #expect(models[0]["dismissed"] as? Int == 2)
            #expect(models[0]["dismiss_rate"] as? Double == 0.6667)
            let variants = try #require(try objects(try shop.builder().json(.experiments)) as? [[String: Any]])
            // A: alice was shown py-201 and fin-1 the day before; she dismissed py-201: 1 of 2, and
            // 1.96 * sqrt(0.25 / 2) = 0.693 either side, clamped to 0...1. B was never shown: blank.
            #expect(variants.map { $0["variant"] as? String } == ["A", "B"])
            #expect(variants[0]["dismissed"] as? Int == 1)
            #expect(variants[0]["dismiss_rate"] as? Double == 0.5)
            #expect(variants[0]["dismiss_low"] as? Double == 0 && variants[0]["dismiss_high"] as? Double == 1)
            #expect(variants[1]["dismissed"] as? Int == 0)
            for column in ["dismiss_rate", "dismiss_low", "dismiss_high"] { #expect(variants[1][column] is NSNull, "\(column)") }
            #expect(!(try shop.builder().listing(.experiments).rendered(.table)).lowercased().contains("nan"))
        }
    }

    @Test(arguments: TestEngine.allCases) func theHTMLPageShowsTheMostDismissedCoursesWithoutAnyoneInThem(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try dismissingShop(db)
            let html = try HTMLReport(shop.builder(), source: "shop.db", generatedAt: 0).render([.catalog, .recommendations])
            #expect(html.contains("<h3>Most dismissed courses</h3>"))
            #expect(html.contains("aria-label=\"Most dismissed courses by reason\""))
            #expect(html.contains("<th class=\"num\">dismiss rate</th>"))
            for secret in ["ext-alice", "ext-chen", "Alice", "Chen", "example.org"] { #expect(!html.contains(secret), "\(secret) leaked") }
            try withDatabase(on: engine) { other in
                let plain = try HTMLReport(Shop(other).builder(), source: "shop.db", generatedAt: 0).render([.catalog])
                #expect(plain.contains("No learner dismissed a course in this period."))
                #expect(!plain.contains("Most dismissed courses by reason"))
            }
        }
    }
}
