import Foundation
import LecternSQLite
import Testing
@testable import LecternStore
import LecternTestSupport

/// The rollups reports read (migration 10) agree with the raw events to the cent, whatever happened
/// to the events since the last refresh, and reports read from them equal reports read raw.
///
/// The tests run on SQLite and on PostgreSQL (issue 16), except the seed data's (120,000 events
/// inserted one statement at a time on PostgreSQL until COPY lands; `PostgresTwinCommandTests`
/// reads its reports on both).
@Suite("Report rollups")
struct ReportRollupTests {
    /// Purchases and refunds per (day, course) summed from the raw events: the truth.
    static let rawDaily = EngineSQL(sqlite: """
        SELECT (occurred_at - ((occurred_at % 86400) + 86400) % 86400) / 86400 AS day, course_id,
               sum(kind = 'purchase'), sum(CASE kind WHEN 'purchase' THEN value ELSE 0 END),
               sum(kind = 'refund'), sum(CASE kind WHEN 'refund' THEN value ELSE 0 END)
        FROM interactions WHERE kind IN ('purchase', 'refund') GROUP BY day, course_id ORDER BY day, course_id
        """, postgres: """
        SELECT (occurred_at - ((occurred_at % 86400) + 86400) % 86400) / 86400 AS day, course_id,
               sum((kind = 'purchase')::int), sum(CASE kind WHEN 'purchase' THEN value ELSE 0 END),
               sum((kind = 'refund')::int), sum(CASE kind WHEN 'refund' THEN value ELSE 0 END)
        FROM interactions WHERE kind IN ('purchase', 'refund') GROUP BY 1, course_id ORDER BY 1, course_id
        """)
    static let rolledUpDaily = """
        SELECT day, course_id, orders, gross_minor, refunds, refunded_minor FROM daily_course_sales ORDER BY day, course_id
        """
    /// Events and purchases per (learner, UTC month) from the raw events.
    static let rawMonthly = EngineSQL(sqlite: """
        SELECT user_id, (CAST(strftime('%Y', occurred_at, 'unixepoch') AS INTEGER) - 1970) * 12
                        + CAST(strftime('%m', occurred_at, 'unixepoch') AS INTEGER) - 1 AS month,
               count(*), sum(kind = 'purchase')
        FROM interactions GROUP BY user_id, month ORDER BY user_id, month
        """, postgres: """
        SELECT user_id, (extract(year FROM to_timestamp(occurred_at) AT TIME ZONE 'UTC')::bigint - 1970) * 12
                        + extract(month FROM to_timestamp(occurred_at) AT TIME ZONE 'UTC')::bigint - 1 AS month,
               count(*), sum((kind = 'purchase')::int)
        FROM interactions GROUP BY 1, 2 ORDER BY 1, 2
        """)
    static let rolledUpMonthly = "SELECT user_id, month, events, purchases FROM monthly_learner_activity ORDER BY user_id, month"
    /// Gross and refunded money per currency, from the raw events and from the rollup.
    static let rawByCurrency = """
        SELECT c.currency, sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE 0 END), sum(CASE i.kind WHEN 'refund' THEN i.value ELSE 0 END)
        FROM interactions i JOIN courses c ON c.id = i.course_id WHERE i.kind IN ('purchase', 'refund')
        GROUP BY c.currency ORDER BY c.currency
        """
    static let rolledUpByCurrency = """
        SELECT c.currency, sum(d.gross_minor), sum(d.refunded_minor)
        FROM daily_course_sales d JOIN courses c ON c.id = d.course_id GROUP BY c.currency ORDER BY c.currency
        """

    /// The first `columns` columns of every row of `sql`, as integers, on either engine.
    static func rows(_ db: Database, _ sql: some EngineStatement, columns: Int) throws -> [[Int64]] {
        try db.executor.all(sql, cached: false) { row in (0..<columns).map { row.int64($0) } }
    }

    /// After a refresh the rollups hold exactly what the raw events sum to, per (day, course), per
    /// (learner, month) and per currency.
    static func expectExact(_ db: Database, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try ReportRollups(db).refresh()
        #expect(try ReportRollups(db).staleInteractions() == 0, sourceLocation: sourceLocation)
        #expect(try rows(db, rolledUpDaily, columns: 6) == rows(db, rawDaily, columns: 6), sourceLocation: sourceLocation)
        #expect(try rows(db, rolledUpMonthly, columns: 4) == rows(db, rawMonthly, columns: 4), sourceLocation: sourceLocation)
        let currencies = try db.executor.all(rawByCurrency) { [$0.text(0), String($0.int64(1)), String($0.int64(2))] }
        #expect(try db.executor.all(rolledUpByCurrency) { [$0.text(0), String($0.int64(1)), String($0.int64(2))] } == currencies,
                sourceLocation: sourceLocation)
    }

    /// What the rollup-backed reports say under each of `filters`.
    struct Figures: Equatable {
        var sales: [[SalesRow]] = []
        var creators: [[CreatorEarnings]] = []
        var cohorts: [[CohortRow]] = []
    }

    static func figures(_ db: Database, _ filters: [ReportFilter]) throws -> Figures {
        var figures = Figures()
        for filter in filters {
            for grouping in SalesReport.Grouping.allCases {
                let (rows, totals) = try SalesReport(db).sales(filter, by: grouping)
                figures.sales.append(rows + totals)
            }
            figures.creators.append(try SalesReport(db).creators(filter))
            for measure in CohortReport.Measure.allCases {
                figures.cohorts.append(try CohortReport(db).cohorts(filter, measure: measure))
            }
        }
        return figures
    }

    /// Empties the rollups and lowers the watermark to 0, so reports read every event raw.
    static func dropRollups(_ db: Database) throws {
        try db.execute("""
            DELETE FROM daily_course_sales; DELETE FROM monthly_learner_activity;
            UPDATE rollup_state SET through_interaction_id = 0;
            """)
    }

    /// Reports agree whether they read everything raw, the rollups as they stand (maybe stale), or the
    /// rollups rebuilt from scratch (after the raw reading, which drops them).
    static func expectReportsAgree(_ db: Database, _ filters: [ReportFilter],
                                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let asTheyStand = try figures(db, filters)
        try dropRollups(db)
        let raw = try figures(db, filters)
        #expect(asTheyStand == raw, sourceLocation: sourceLocation)
        try ReportRollups(db).rebuild()
        #expect(try figures(db, filters) == raw, sourceLocation: sourceLocation)
    }

    /// Periods that start and end inside a day, on day boundaries, and open at either end.
    static func filters(around t: Int64) -> [ReportFilter] {
        [ReportFilter(),
         ReportFilter(since: t + 3 * 86_400 + 13 * 3_600 + 7, until: t + 40 * 86_400 + 5 * 3_600),
         ReportFilter(since: t + 10 * 86_400, until: t + 20 * 86_400),
         ReportFilter(since: t + 5 * 86_400 + 3_600, until: t + 5 * 86_400 + 20 * 3_600),
         ReportFilter(since: t + 25 * 86_400 + 1),
         ReportFilter(until: t + 17 * 86_400 - 1),
         ReportFilter(since: t + 2 * 86_400 + 60, domain: "data"),
         ReportFilter(until: t + 30 * 86_400 + 17, creatorID: 1),
         ReportFilter(since: t + 86_400 / 2, channel: "search")]
    }

    /// A small platform in a few currencies (USD, EUR and JPY unless told) with random purchases,
    /// refunds and other events.
    struct RandomPlatform {
        let db: Database
        var random: SplitMix
        var learners: [Learner]
        let courses: [Course]
        static let refundable = EngineSQL(sqlite: """
            SELECT user_id, course_id FROM interactions GROUP BY user_id, course_id
            HAVING sum(kind = 'purchase') > sum(kind = 'refund') ORDER BY user_id, course_id
            """, postgres: """
            SELECT user_id, course_id FROM interactions GROUP BY user_id, course_id
            HAVING sum((kind = 'purchase')::int) > sum((kind = 'refund')::int) ORDER BY user_id, course_id
            """)

        /// The platform in `db` (fresh, of either engine).
        init(in db: Database, seed: UInt64, currencies: [String] = ["USD", "EUR", "JPY"]) throws {
            self.db = db
            random = SplitMix(seed: seed)
            let creators = try (0..<3).map { try makeCreator(in: db, name: "Creator \($0)", revenueShare: [0.7, 0.5, 0.33][$0]) }
            var courses: [Course] = []
            for index in 0..<12 {
                var course = try makeCourse(in: db, slug: "course-\(index)", creator: creators[index % 3],
                                            domain: ["data", "design", "music"][index % 3], priceMinor: Int64(499 + 250 * index))
                // By default courses in USD, EUR and JPY (a currency without minor units), so each
                // creator and domain sells in every currency.
                let currency = currencies[(index / 3) % currencies.count]
                try db.run("UPDATE courses SET currency = ? WHERE id = ?", [currency, course.id])
                course.currency = currency
                courses.append(course)
            }
            self.courses = courses
            learners = try (0..<25).map { try makeLearner(in: db, externalID: "learner-\($0)", channel: ["search", "direct"][$0 % 2]) }
        }

        /// `count` random events between `from` and `from + days` (back-dated ones included when
        /// `from` lies before earlier events).
        mutating func record(_ count: Int, from: Int64, days: Int64) throws {
            let events = InteractionRepository(db)
            for _ in 0..<count {
                let at = from + Int64(random.next() % UInt64(days * 86_400))
                let roll = random.next() % 10
                if roll < 2 {
                    // A refund of a purchase not refunded yet (its learner may have been forgotten since).
                    let open = try db.executor.all(Self.refundable) { ($0.int64(0), $0.int64(1)) }
                    if !open.isEmpty {
                        let (user, course) = open[Int(random.next() % UInt64(open.count))]
                        _ = try events.record(Interaction(userID: user, courseID: course, kind: .refund,
                                                          value: Int64(random.next() % 900) + 1, occurredAt: at))
                        continue
                    }
                }
                let learner = learners[Int(random.next() % UInt64(learners.count))]
                let course = courses[Int(random.next() % UInt64(courses.count))]
                let kind: Interaction.Kind = roll < 6 ? .purchase : roll < 8 ? .view : .complete
                let value: Int64? = kind == .purchase ? course.priceMinor - Int64(random.next() % 3) * 100 : nil
                _ = try events.record(Interaction(userID: learner.id, courseID: course.id, kind: kind, value: value, occurredAt: at))
            }
        }
    }

    @Test(arguments: TestEngine.allCases)
    func randomPlatformStaysExactThroughChanges(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let t0 = newYear2025
        var platform = try RandomPlatform(in: db, seed: 11)
        let filters = Self.filters(around: t0)
        try platform.record(300, from: t0, days: 45)
        try Self.expectExact(db)
        try Self.expectReportsAgree(db, filters)

        // Stale: events after the refresh, some back-dated into days the rollup already holds.
        try platform.record(120, from: t0 - 5 * 86_400, days: 60)
        #expect(try ReportRollups(db).staleInteractions() > 0)
        try Self.expectReportsAgree(db, filters)
        try platform.record(60, from: t0, days: 45)

        // Forget two learners: their money moves to the anonymous learner, the rest is deleted.
        try ReportRollups(db).refresh()
        _ = try LearnerRepository(db).forget(externalID: "learner-3")
        _ = try LearnerRepository(db).forget(externalID: "learner-8")
        platform.learners.removeAll { $0.externalID == "learner-3" || $0.externalID == "learner-8" }
        try Self.expectReportsAgree(db, filters)
        try Self.expectExact(db)

        // Clean: remove some events under the watermark, purchases and refunds among them (`clean` runs
        // on SQLite only for now: on PostgreSQL the same rows are deleted by hand, through the same triggers).
        let victims = try db.executor.all("SELECT id FROM interactions WHERE id % 7 = 0 ORDER BY id") { $0.int64(0) }
        if engine == .sqlite {
            #expect(try CleaningStore(db).remove(ids: victims) == victims.count)
        } else {
            try db.run("DELETE FROM interactions WHERE id % 7 = 0")
            #expect(db.executor.changes == victims.count)
        }
        try Self.expectReportsAgree(db, filters)
        try Self.expectExact(db)

        // Changes to events under the watermark: moved in time and to another course, a new amount.
        try db.run("UPDATE interactions SET occurred_at = occurred_at - 86400 * 3 WHERE id % 5 = 0")
        try db.run("UPDATE interactions SET course_id = ? WHERE kind = 'purchase' AND id % 11 = 0", [platform.courses[1].id])
        try db.run("UPDATE interactions SET value = value + 1 WHERE kind = 'refund'")
        try Self.expectReportsAgree(db, filters)
        try Self.expectExact(db)

        // A deleted newest event frees its id; on SQLite the next insert reuses it, under the watermark
        // (a PostgreSQL sequence never gives an id twice: the new event lies above it).
        let newest = try db.scalarInt("SELECT max(id) FROM interactions")!
        try db.run("DELETE FROM interactions WHERE id = ?", [newest])
        try platform.record(1, from: t0, days: 1)
        if engine == .sqlite {
            #expect(try db.scalarInt("SELECT max(id) FROM interactions") == newest)
            #expect(try ReportRollups(db).watermark() >= newest)
        } else {
            #expect(try db.scalarInt("SELECT max(id) FROM interactions")! > newest)
        }
        try Self.expectReportsAgree(db, filters)
        try Self.expectExact(db)

        // A deleted learner takes their events with them (a cascade).
        try db.run("DELETE FROM users WHERE external_id = 'learner-5'")
        try Self.expectReportsAgree(db, filters)
        try Self.expectExact(db)
    } }

    /// Times start at 1970-01-01 (migration 12): the first days fall on their day, and nothing earlier gets in.
    @Test(arguments: TestEngine.allCases)
    func eventsFromTheFirstDayFallOnTheirDay(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        var platform = try RandomPlatform(in: db, seed: 3)
        try platform.record(80, from: 0, days: 40)
        try Self.expectExact(db)
        try Self.expectReportsAgree(db, Self.filters(around: 20 * 86_400))
        #expect(throws: (any Error).self) { try platform.record(1, from: -86_400, days: 1) }
    } }

    @Test(arguments: TestEngine.allCases)
    func partialDaysAreReadRaw(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let t0 = newYear2025
        var platform = try RandomPlatform(in: db, seed: 7)
        try platform.record(200, from: t0, days: 10)
        try ReportRollups(db).refresh()
        // By hand from the raw events: what happened from 13:20 on day 2 to 07:00 on day 6.
        let since = t0 + 2 * 86_400 + 13 * 3_600 + 20 * 60, until = t0 + 6 * 86_400 + 7 * 3_600
        let expected = try db.executor.all(EngineSQL(sqlite: """
            SELECT sum(kind = 'purchase'), coalesce(sum(CASE kind WHEN 'purchase' THEN value END), 0),
                   sum(kind = 'refund'), coalesce(sum(CASE kind WHEN 'refund' THEN value END), 0)
            FROM interactions WHERE kind IN ('purchase', 'refund') AND occurred_at >= ? AND occurred_at < ?
            """, postgres: """
            SELECT sum((kind = 'purchase')::int), coalesce(sum(CASE kind WHEN 'purchase' THEN value END), 0),
                   sum((kind = 'refund')::int), coalesce(sum(CASE kind WHEN 'refund' THEN value END), 0)
            FROM interactions WHERE kind IN ('purchase', 'refund') AND occurred_at >= ? AND occurred_at < ?
            """), [since, until], cached: false) { [$0.int64(0), $0.int64(1), $0.int64(2), $0.int64(3)] }[0]
        let (days, totals) = try SalesReport(db).sales(ReportFilter(since: since, until: until), by: .day)
        func sum(_ value: (SalesRow) -> Int64) -> Int64 { totals.map(value).reduce(0, +) }
        #expect([sum { Int64($0.orders) }, sum(\.grossMinor), sum { Int64($0.refunds) }, sum(\.refundedMinor)] == expected)
        #expect(Set(days.map(\.key)) == ["2025-01-03", "2025-01-04", "2025-01-05", "2025-01-06", "2025-01-07"])
        #expect(expected[0] > 0)
    } }

    /// Orders, gross, refunds and refunded per currency, summed from the raw events under `filter`: the truth.
    static let rawByCurrencyFiltered = EngineSQL(sqlite: """
        SELECT c.currency, sum(i.kind = 'purchase'), coalesce(sum(CASE i.kind WHEN 'purchase' THEN i.value END), 0),
               sum(i.kind = 'refund'), coalesce(sum(CASE i.kind WHEN 'refund' THEN i.value END), 0)
        FROM interactions i JOIN courses c ON c.id = i.course_id JOIN users u ON u.id = i.user_id
        WHERE i.kind IN ('purchase', 'refund') AND i.occurred_at >= ?1 AND i.occurred_at < ?2
          AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4) AND (CAST(?5 AS TEXT) IS NULL OR u.channel = ?5)
        GROUP BY c.currency ORDER BY c.currency
        """, postgres: """
        SELECT c.currency, sum((i.kind = 'purchase')::int), coalesce(sum(CASE i.kind WHEN 'purchase' THEN i.value END), 0),
               sum((i.kind = 'refund')::int), coalesce(sum(CASE i.kind WHEN 'refund' THEN i.value END), 0)
        FROM interactions i JOIN courses c ON c.id = i.course_id JOIN users u ON u.id = i.user_id
        WHERE i.kind IN ('purchase', 'refund') AND i.occurred_at >= ?1 AND i.occurred_at < ?2
          AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4) AND (CAST(?5 AS TEXT) IS NULL OR u.channel = ?5)
        GROUP BY c.currency ORDER BY c.currency
        """)

    /// Every sales grouping and the creators report hold, for each currency, exactly what that
    /// currency's raw events add up to, and nothing of another currency.
    static func expectPerCurrency(_ db: Database, _ filter: ReportFilter, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let raw = try db.executor.all(rawByCurrencyFiltered, [filter.since ?? .min, filter.until ?? .max, filter.domain, filter.creatorID, filter.channel]) {
            ($0.text(0), [$0.int64(1), $0.int64(2), $0.int64(3), $0.int64(4)])
        }
        let truth = Dictionary(uniqueKeysWithValues: raw)
        func figures(_ rows: [SalesRow]) -> [Int64] {
            [rows.map { Int64($0.orders) }.reduce(0, +), rows.map(\.grossMinor).reduce(0, +),
             rows.map { Int64($0.refunds) }.reduce(0, +), rows.map(\.refundedMinor).reduce(0, +)]
        }
        for grouping in SalesReport.Grouping.allCases {
            let (rows, totals) = try SalesReport(db).sales(filter, by: grouping)
            #expect(totals.map(\.currency) == raw.map(\.0), sourceLocation: sourceLocation)
            #expect(Set(rows.map { "\($0.key) \($0.currency)" }).count == rows.count, sourceLocation: sourceLocation)
            for total in totals {
                #expect(total.key == "total", sourceLocation: sourceLocation)
                #expect(figures([total]) == truth[total.currency], "\(grouping) \(total.currency)", sourceLocation: sourceLocation)
                #expect(figures(rows.filter { $0.currency == total.currency }) == truth[total.currency], sourceLocation: sourceLocation)
            }
        }
        let earnings = try SalesReport(db).creators(filter)
        for (currency, figures) in raw {
            let some = earnings.filter { $0.currency == currency }
            let net: Int64 = figures[1] - figures[3]
            let payouts: Int64 = some.map(\.payoutMinor).reduce(0, +), platform: Int64 = some.map(\.platformMinor).reduce(0, +)
            #expect(some.map(\.netMinor).reduce(0, +) == net, "creators \(currency)", sourceLocation: sourceLocation)
            #expect(payouts + platform == net, sourceLocation: sourceLocation)
        }
    }

    /// Issue 12: a platform selling in USD and CNY. The rollup, read stale, refreshed or rebuilt, and the
    /// raw events agree per currency to the cent, and no report row or total mixes the two.
    @Test(arguments: TestEngine.allCases)
    func twoCurrencyPlatformAgreesPerCurrencyToTheCent(engine: TestEngine) throws { try withDatabase(on: engine) { db in
        let t0 = newYear2025
        var platform = try RandomPlatform(in: db, seed: 12, currencies: ["USD", "CNY"])
        let filters = Self.filters(around: t0)
        try platform.record(300, from: t0, days: 45)
        try Self.expectExact(db)
        #expect(try db.executor.all(Self.rolledUpByCurrency) { $0.text(0) } == ["CNY", "USD"])
        for filter in filters { try Self.expectPerCurrency(db, filter) }
        // Stale, back-dated events, then a refresh: still per currency and exact.
        try platform.record(120, from: t0 - 5 * 86_400, days: 60)
        for filter in filters { try Self.expectPerCurrency(db, filter) }
        try Self.expectReportsAgree(db, filters)
        try Self.expectExact(db)
        for filter in filters { try Self.expectPerCurrency(db, filter) }
        let (_, totals) = try SalesReport(db).sales(ReportFilter(), by: .month)
        #expect(totals.map(\.currency) == ["CNY", "USD"])
    } }

    @Test func seedDataRollupsAgreeToTheCent() throws {
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SeedData").standardizedFileURL
        let db = try makeDatabase()
        let importer = Importer(db)
        _ = try importer.importCreators(from: seed.appendingPathComponent("creators.csv").path)
        _ = try importer.importCourses(from: seed.appendingPathComponent("courses.csv").path)
        _ = try importer.importUsers(from: seed.appendingPathComponent("users.csv").path)
        _ = try importer.importInteractions(from: seed.appendingPathComponent("interactions.csv").path)
        try Self.expectExact(db)
        // Built again in many small transactions (as the first refresh of a large database is): the same.
        try Self.dropRollups(db)
        #expect(try ReportRollups(db).refresh(idsPerTransaction: 9_973) == db.scalarInt("SELECT count(*) FROM interactions"))
        try Self.expectExact(db)
        // 2025-05-05T10:00Z to 2025-09-02T07:00Z: partial days at both ends.
        try Self.expectReportsAgree(db, [ReportFilter(), ReportFilter(since: 1_746_439_200, until: 1_756_796_400),
                                         ReportFilter(channel: "search")])
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a seeded generator, so every run makes the same platform.
struct SplitMix {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
