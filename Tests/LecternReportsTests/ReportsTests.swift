import Foundation
import LecternReports
import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// Two creators, three courses, three learners with personal data that must never leak by default.
///
/// ada (share 0.7): py-101 (programming, 49.90), py-201 (programming, 60.00); bob (0.5): fin-1 (finance, 10.00).
/// alice buys py-101 and fin-1, completes py-101: net 59.90, 2 domains, 1 completed.
/// bruno buys py-201 and gets 60.00 back, buys fin-1: net 10.00, 1 domain (the refunded purchase does not count).
/// chen only views py-101: not a buyer, so not in the learners report.
struct Shop {
    let db: Database
    let alice: Learner, bruno: Learner, chen: Learner

    init(_ db: Database) throws {
        self.db = db
        let t0: Int64 = 1_735_689_600  // 2025-01-01T00:00:00Z
        let ada = try CreatorRepository(db).create(Creator(name: "Ada <b>& Co</b>", revenueShare: 0.7, createdAt: t0))
        let bob = try CreatorRepository(db).create(Creator(name: "Bob", revenueShare: 0.5, createdAt: t0))
        func course(_ slug: String, _ domain: String, _ price: Int64, _ creator: Creator) throws -> Course {
            try CourseRepository(db).create(Course(slug: slug, title: "Course \(slug)", description: "", domain: domain,
                                                   difficulty: .beginner, format: .video, priceMinor: price, creatorID: creator.id,
                                                   hours: 2, status: .published, createdAt: t0))
        }
        let py101 = try course("py-101", "programming", 4990, ada)
        let py201 = try course("py-201", "programming", 6000, ada)
        let fin1 = try course("fin-1", "finance", 1000, bob)
        func learner(_ id: String, _ name: String, _ email: String, _ channel: String) throws -> Learner {
            try LearnerRepository(db).create(Learner(externalID: id, displayName: name, email: email, country: "DE",
                                                     interests: [], channel: channel, campaign: nil, createdAt: t0))
        }
        let alice = try learner("ext-alice-77", "Alice Anders", "alice@example.org", "social_video")
        let bruno = try learner("ext-bruno-88", "Bruno Berg", "bruno@example.org", "search")
        let chen = try learner("ext-chen-99", "Chen Cui", "chen@example.org", "search")
        (self.alice, self.bruno, self.chen) = (alice, bruno, chen)
        let events = InteractionRepository(db)
        let day: Int64 = 86_400
        for (user, course, kind, value, at) in [
            (alice, py101, Interaction.Kind.purchase, Int64?(4990), t0 + day),
            (alice, fin1, .purchase, 1000, t0 + 2 * day),
            (alice, py101, .complete, nil, t0 + 30 * day),
            (bruno, py201, .purchase, 6000, t0 + 3 * day),
            (bruno, py201, .refund, 6000, t0 + 4 * day),
            (bruno, fin1, .purchase, 1000, t0 + 40 * day),
            (chen, py101, .view, nil, t0 + 5 * day),
        ] {
            _ = try events.record(Interaction(userID: user.id, courseID: course.id, kind: kind, value: value, occurredAt: at))
        }
        // An organisation (no seat price, so no seat revenue) with all three in one team, alice assigned py-101.
        let acme = try OrganisationRepository(db).create(Organisation(slug: "acme", name: "Acme", seats: 3, createdAt: t0))
        for learner in [alice, bruno, chen] {
            try OrganisationRepository(db).addMember(OrgMember(externalID: learner.externalID, team: "team-a"), to: "acme", at: t0)
        }
        _ = try AssignmentRepository(db).assign(orgID: acme.id, userID: alice.id, courseID: py101.id, source: .course, dueAt: t0 + 60 * day,
                                                at: t0 + day)
    }

    func builder(personal: Bool = false) -> ReportBuilder {
        var options = ReportOptions()
        options.includePersonalData = personal
        options.org = "acme"
        options.now = 1_735_689_600 + 90 * 86_400
        return ReportBuilder(db, options: options)
    }
}

@Suite("Pseudonyms")
struct PseudonymTests {
    @Test func knownAnswerFromAnIndependentHMAC() {
        // python3: hmac.new(bytes(range(32)), b"learner:42", hashlib.sha256).hexdigest()[:12]
        let key = (0..<32).map { String(format: "%02x", $0) }.joined()
        #expect(Pseudonyms(hexKey: key).pseudonym(forLearner: 42) == "L-b02ea289cb8e")
    }

    @Test(arguments: TestEngine.allCases) func stablePerDatabaseAndDifferentAcrossDatabases(engine: TestEngine) throws {
        try withDatabase(on: engine) { a in
            try withDatabase(on: engine) { b in
                let keyA = try LearnerReport(a).pseudonymKey(), keyB = try LearnerReport(b).pseudonymKey()
                #expect(keyA.count == 64 && keyA.allSatisfy(\.isHexDigit))
                #expect(keyA != keyB)
                #expect(try LearnerReport(a).pseudonymKey() == keyA)
                let pa = Pseudonyms(hexKey: keyA), pb = Pseudonyms(hexKey: keyB)
                #expect(pa.pseudonym(forLearner: 1) == Pseudonyms(hexKey: keyA).pseudonym(forLearner: 1))
                #expect(pa.pseudonym(forLearner: 1) != pb.pseudonym(forLearner: 1))
                let many = Set((1...5000).map { pa.pseudonym(forLearner: Int64($0)) })
                #expect(many.count == 5000)
                #expect(many.allSatisfy { $0.hasPrefix("L-") && $0.count == 14 && $0.dropFirst(2).allSatisfy(\.isHexDigit) })
            }
        }
    }
}

@Suite("Learners report and personal data")
struct LearnerReportTests {
    @Test(arguments: TestEngine.allCases) func topSpendersByHand(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try Shop(db)
            let rows = try LearnerReport(shop.db).top(ReportFilter(), limit: 10)
            #expect(rows.map(\.userID) == [shop.alice.id, shop.bruno.id])
            #expect(rows[0].netMinor == 5990 && rows[0].purchases == 2 && rows[0].refunds == 0)
            #expect(rows[0].completed == 1 && rows[0].domains == 2 && rows[0].cohort == "2025-01")
            #expect(rows[1].netMinor == 1000 && rows[1].purchases == 2 && rows[1].refunds == 1 && rows[1].domains == 1)
            #expect(rows[1].channel == "search")
            // Finance only: both bought fin-1 for 10.00; tie on net and purchases, so by id.
            let finance = try LearnerReport(shop.db).top(ReportFilter(domain: "finance"), limit: 10)
            #expect(finance.map(\.netMinor) == [1000, 1000])
            #expect(try LearnerReport(shop.db).top(ReportFilter(), limit: 1).count == 1)
        }
    }

    @Test(arguments: TestEngine.allCases) func noPersonalDataAnywhereByDefault(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try Shop(db)
            let builder = shop.builder()
            var everything = try HTMLReport(builder, source: "shop.db", generatedAt: 0).render()
            for kind in ReportKind.allCases {
                let listing = try builder.listing(kind)
                everything += listing.rendered(.json) + listing.rendered(.csv) + listing.markdown()
            }
            for secret in ["ext-alice", "ext-bruno", "ext-chen", "Alice", "Bruno", "Chen", "example.org"] {
                #expect(!everything.contains(secret), "\(secret) leaked")
            }
            let learners = try builder.listing(.learners)
            let key = try LearnerReport(shop.db).pseudonymKey()
            #expect(learners.rows.map { $0[0].display } == [shop.alice.id, shop.bruno.id].map { Pseudonyms(hexKey: key).pseudonym(forLearner: $0) })
            #expect(!learners.columns.contains("email"))
        }
    }

    @Test(arguments: TestEngine.allCases) func personalDataOnlyWhenAskedFor(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try Shop(db)
            let learners = try shop.builder(personal: true).listing(.learners)
            #expect(learners.columns.prefix(4) == ["learner", "external_id", "name", "email"])
            #expect(learners.rows[0].map(\.display)[1...3] == ["ext-alice-77", "Alice Anders", "alice@example.org"])
            let html = try HTMLReport(shop.builder(personal: true), source: "shop.db", generatedAt: 0).render([.learners])
            #expect(html.contains("alice@example.org") && html.contains("holds personal data"))
            // The org report's members too, by team and external id.
            let members = try shop.builder(personal: true).listings(.org).first { $0.name == "members" }!.listing
            #expect(members.columns.prefix(4) == ["learner", "external_id", "name", "email"])
            #expect(members.rows.map { $0[1].display } == ["ext-alice-77", "ext-bruno-88", "ext-chen-99"])
            #expect(members.rows[0].map(\.display)[4...] == ["team-a", "yes", "1", "1", "0", "0"])
        }
    }
}

@Suite("HTML report")
struct HTMLReportTests {
    @Test(arguments: TestEngine.allCases) func selfContainedWithAChartPerSection(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try Shop(db)
            let html = try HTMLReport(shop.builder(), source: "shop.db", generatedAt: 1_735_689_600).render()
            #expect(html.hasPrefix("<!DOCTYPE html>"))
            #expect(!html.contains("<script") && !html.contains("<link") && !html.contains("<img"))
            // The only URL is SVG's namespace name, which is never fetched.
            let urls = html.components(separatedBy: "http").count - 1
            #expect(urls == html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1)
            // A section per report; the org report's is the organisation's own.
            for kind in ReportKind.allCases { #expect(html.contains("<section id=\"\(kind == .org ? "org-acme" : kind.rawValue)\">")) }
            // Sales line, domain bars, creator bars, funnel, conversion bars, channel bars, two heat maps, catalog bars,
            // the domain crossover map, acme's completions by month (it has no target skills, so no skill map: a hint instead).
            // Each drawn twice, for a laptop and for a phone.
            #expect(html.components(separatedBy: "<svg class=\"chart\" data-layout=\"wide\"").count - 1 == 11)
            #expect(html.components(separatedBy: "<svg class=\"chart\" data-layout=\"narrow\"").count - 1 == 11)
            #expect(html.contains("No target skills yet"))
            #expect(html.contains("<polyline") && html.contains("<polygon"))
            // The headline: net 69.90 (49.90 + 10.00 + 60.00 - 60.00 + 10.00), payouts 34.93 + 5.00 + 5.00.
            #expect(html.contains(">69.90<"))
            #expect(html.contains(">44.93<"))
            // Names from the database are escaped, never markup.
            #expect(html.contains("Ada &lt;b&gt;&amp; Co&lt;/b&gt;") && !html.contains("<b>& Co"))
            #expect(html.contains("made 2025-01-01T00:00:00Z"))
        }
    }

    /// The offline NDCG and precision columns are blank until `lectern evaluate` fills them; the page says
    /// which models and what to run, and stops saying it once they are measured.
    @Test(arguments: TestEngine.allCases) func blankOfflineFiguresSayWhatToRun(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try Shop(db)
            for (id, algorithm) in [(Int64(1), "popular"), (2, "itemknn")] {
                try shop.db.run("""
                    INSERT INTO model_runs (id, algorithm, learners, courses, interactions, started_at, finished_at)
                    VALUES (?, ?, 0, 0, 0, 0, 0)
                    """, [id, algorithm])
                try shop.db.run("INSERT INTO active_models (algorithm, run_id) VALUES (?, ?)", [algorithm, id])
            }
            func page() throws -> String { try HTMLReport(shop.builder(), source: "shop.db", generatedAt: 0).render([.recommendations]) }
            #expect(try page().contains("No offline figures yet for itemknn, popular: the NDCG@10 and precision@10 columns stay empty "
                                        + "until <code>lectern evaluate --algorithm itemknn,popular</code> has measured them"))
            try shop.db.run("INSERT INTO evaluations (id, created_at, source, protocol, learners, test_pairs) VALUES (1, 0, 'database', '{}', 3, 3)")
            try shop.db.run("""
                INSERT INTO evaluation_results (evaluation_id, algorithm, training_seconds, k, metric, value)
                VALUES (1, 'itemknn', 0, 10, 'ndcg', 0.25), (1, 'itemknn', 0, 10, 'precision', 0.1)
                """)
            #expect(try page().contains("No offline figures yet for popular: the NDCG@10 and precision@10 columns stay empty "
                                        + "until <code>lectern evaluate --algorithm popular</code> has measured them"))
            try shop.db.run("""
                INSERT INTO evaluation_results (evaluation_id, algorithm, training_seconds, k, metric, value)
                VALUES (1, 'popular', 0, 10, 'ndcg', 0.2), (1, 'popular', 0, 10, 'precision', 0.05)
                """)
            #expect(try !page().contains("No offline figures yet"))
            #expect(try page().contains("<td class=\"num\">0.2500</td>"))
        }
    }

    @Test(arguments: TestEngine.allCases) func emptyDatabaseSaysSoInsteadOfDrawing(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let html = try HTMLReport(ReportBuilder(db, options: ReportOptions()), source: "empty.db", generatedAt: 0).render()
            #expect(html.contains("No purchases in this period."))
            #expect(html.contains("No model has been trained"))
            #expect(!html.contains("<svg class=\"chart\""))
        }
    }
}

/// Tables line up in a terminal whatever the script: width is counted in cells (East Asian Width).
@Suite("Listing widths")
struct ListingWidthTests {
    @Test func wideCharactersTakeTwoCells() {
        #expect(displayWidth("机器学习实战") == 12)
        #expect(displayWidth("Python") == 6)
        #expect(displayWidth("ｶﾀｶﾅ") == 4)  // halfwidth katakana: one cell each
        #expect(displayWidth("e\u{301}") == 1)  // a combining accent takes none
        #expect(displayWidth(truncate("机器学习实战入门课程", 9)) <= 9)
    }

    @Test func columnsLineUpWithCJKTitles() {
        var listing = Listing(["title", "orders"])
        listing.append([.text("机器学习实战"), .int(3)])
        listing.append([.text("Python Basics"), .int(12)])
        let lines = listing.rendered(.table).split(separator: "\n").map(String.init)
        // Every line ends its last column at the same cell.
        let ends = lines.map(displayWidth)
        #expect(Set(ends).count == 1, "\(lines)")
    }
}
