import Foundation
import LecternPostgres
import LecternStore
import Testing
import LecternTestSupport

/// Issue 16: on PostgreSQL the triggers keep their meaning (PL/pgSQL rewrites of SQLite's). Each test
/// writes through SQL on a fresh, migrated database, as the repositories will once ported.
@Suite("PostgreSQL triggers", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct EngineTriggerTests {
    /// 2025-01-01T00:00:00Z.
    static let newYear2025: Int64 = 1_735_689_600

    /// A creator, two courses (ids 1 and 2) and a learner (id 1).
    static func seed(_ db: PGConnection) throws {
        try db.execute("INSERT INTO creators (id, name, revenue_share, created_at) VALUES (1, 'Grace Hopper', 0.7, $1)", [.integer(newYear2025)])
        for (id, slug) in [(1, "swift-101"), (2, "swift-201"), (3, "swift-301")] {
            try db.execute("""
                INSERT INTO courses (id, slug, title, domain, difficulty, format, price_minor, creator_id, created_at, updated_at)
                VALUES ($1, $2, $3, 'programming', 'beginner', 'video', 1000, 1, $4, $4)
                """, [.integer(Int64(id)), .text(slug), .text("Course \(slug)"), .integer(newYear2025)])
        }
        try db.execute("INSERT INTO users (id, external_id, created_at) VALUES (1, 'ada', $1)", [.integer(newYear2025)])
    }

    static func record(_ db: PGConnection, kind: String, value: Int64?, course: Int64 = 1, at time: Int64 = newYear2025) throws {
        try db.execute("INSERT INTO interactions (user_id, course_id, kind, value, occurred_at) VALUES (1, $1, $2, $3, $4)",
                       [.integer(course), .text(kind), value.map(PGValue.integer) ?? .null, .integer(time)])
    }

    @Test("a refund without a purchase of the same course is refused; after one it is taken")
    func refundNeedsPurchase() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            try Self.seed(db)
            expectPostgresRefusal("a refund needs a purchase of the same course by the same learner") {
                try Self.record(db, kind: "refund", value: 1000)
            }
            try Self.record(db, kind: "purchase", value: 1000, course: 2)
            expectPostgresRefusal("a refund needs a purchase") { try Self.record(db, kind: "refund", value: 1000) }
            try Self.record(db, kind: "purchase", value: 1000)
            try Self.record(db, kind: "refund", value: 1000)
            #expect(try db.scalarInt("SELECT count(*) FROM interactions WHERE kind = 'refund'") == 1)
        }
    }

    @Test("a prerequisite cycle is refused, directly or through other courses; a chain is not")
    func prerequisiteCyclesRefused() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            try Self.seed(db)
            let add = "INSERT INTO course_prerequisites (course_id, requires_id) VALUES ($1, $2)"
            try db.execute(add, [2, 1])
            try db.execute(add, [3, 2])
            expectPostgresRefusal("cannot require itself") { try db.execute(add, [1, 2]) }
            expectPostgresRefusal("cannot require itself") { try db.execute(add, [1, 3]) }
            // The BEFORE trigger sees the self-reference before the CHECK does.
            expectPostgresRefusal("cannot require itself") { try db.execute(add, [1, 1]) }
            expectPostgresRefusal("cannot require itself") {
                try db.execute("UPDATE course_prerequisites SET requires_id = 3 WHERE course_id = 2")
            }
            #expect(try db.scalarInt("SELECT count(*) FROM course_prerequisites") == 2)
        }
    }

    @Test("every change to courses, their tags and prerequisites bumps the catalog version; activity does not")
    func catalogVersionBumps() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            func version() throws -> Int64 { try db.scalarInt("SELECT version FROM catalog_version") ?? -1 }
            #expect(try version() == 0)
            try Self.seed(db)
            #expect(try version() == 3)  // three courses
            try db.execute("UPDATE courses SET title = 'Swift, again' WHERE id = 1")
            #expect(try version() == 4)
            try db.execute("INSERT INTO tags (id, name) VALUES (1, 'swift')")
            try db.execute("INSERT INTO course_tags (course_id, tag_id) VALUES (1, 1)")
            #expect(try version() == 5)
            try db.execute("UPDATE tags SET name = 'swift-lang' WHERE id = 1")
            #expect(try version() == 6)
            try db.execute("INSERT INTO course_prerequisites (course_id, requires_id) VALUES (2, 1)")
            try db.execute("DELETE FROM course_prerequisites")
            try db.execute("DELETE FROM course_tags")
            #expect(try version() == 9)
            try Self.record(db, kind: "view", value: nil)
            #expect(try version() == 9)
            try db.execute("DELETE FROM courses WHERE id = 3")
            #expect(try version() == 10)
        }
    }

    @Test("an organisation never has more members than seats: joining, moving and cutting seats")
    func seatsNeverOutnumbered() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            try Self.seed(db)
            for id in 2...3 {
                try db.execute("INSERT INTO users (id, external_id, created_at) VALUES ($1, $2, $3)",
                               [.integer(Int64(id)), .text("learner-\(id)"), .integer(Self.newYear2025)])
            }
            let organisation = "INSERT INTO organisations (id, slug, name, seats, created_at) VALUES ($1, $2, $3, $4, $5)"
            try db.execute(organisation, [1, "initech", "Initech", 2, .integer(Self.newYear2025)])
            try db.execute(organisation, [2, "globex", "Globex", 1, .integer(Self.newYear2025)])
            let join = "INSERT INTO org_members (user_id, org_id, team, joined_at) VALUES ($1, $2, 'eng', $3)"
            try db.execute(join, [1, 1, .integer(Self.newYear2025)])
            try db.execute(join, [2, 1, .integer(Self.newYear2025)])
            expectPostgresRefusal("no seat left") { try db.execute(join, [3, 1, .integer(Self.newYear2025)]) }
            try db.execute(join, [3, 2, .integer(Self.newYear2025)])
            expectPostgresRefusal("no seat left") { try db.execute("UPDATE org_members SET org_id = 2 WHERE user_id = 1") }
            expectPostgresRefusal("seats cannot go below") { try db.execute("UPDATE organisations SET seats = 1 WHERE id = 1") }
            try db.execute("UPDATE org_members SET team = 'ops' WHERE user_id = 1")  // not a move: allowed
            #expect(try db.scalarInt("SELECT count(*) FROM org_members WHERE org_id = 1") == 2)
        }
    }

    @Test("the sales and monthly rollups stay exact for events under the watermark")
    func rollupsFollowTheEvents() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            try Self.seed(db)
            try db.execute("UPDATE rollup_state SET through_interaction_id = 1000")
            try Self.record(db, kind: "purchase", value: 1000)
            try Self.record(db, kind: "purchase", value: 500, course: 2, at: Self.newYear2025 - 1)  // 2024-12-31T23:59:59Z
            try Self.record(db, kind: "refund", value: 400)
            let day = Self.newYear2025 / 86_400
            let sales = try db.query("SELECT day, course_id, orders, gross_minor, refunds, refunded_minor FROM daily_course_sales ORDER BY day, course_id")
            #expect(try sales.map { [try $0.int64("day"), try $0.int64("course_id"), try $0.int64("orders"), try $0.int64("gross_minor"),
                                     try $0.int64("refunds"), try $0.int64("refunded_minor")] }
                    == [[day - 1, 2, 1, 500, 0, 0], [day, 1, 1, 1000, 1, 400]])
            // Months since 1970-01: 2024-12 is (2024 - 1970) * 12 + 11 = 659, 2025-01 is 660.
            let months = try db.query("SELECT month, events, purchases FROM monthly_learner_activity ORDER BY month")
            #expect(try months.map { [try $0.int64("month"), try $0.int64("events"), try $0.int64("purchases")] } == [[659, 1, 1], [660, 2, 1]])
            try db.execute("UPDATE interactions SET occurred_at = occurred_at + 1 WHERE course_id = 2")  // moves into 2025
            try db.execute("DELETE FROM interactions WHERE kind = 'refund'")
            let after = try db.query("SELECT day, orders, gross_minor, refunds FROM daily_course_sales ORDER BY day, course_id")
            #expect(try after.map { [try $0.int64("day"), try $0.int64("orders"), try $0.int64("gross_minor"), try $0.int64("refunds")] }
                    == [[day, 1, 1000, 0], [day, 1, 500, 0]])
            #expect(try db.scalarInt("SELECT count(*) FROM monthly_learner_activity") == 1)
        }
    }

    @Test("a deleted learner, course or run takes its cached rows along, and the deletions are noted")
    func cacheFollowsDeletions() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            try Self.seed(db)
            try db.execute("INSERT INTO users (id, external_id, created_at) VALUES (2, 'grace', $1)", [.integer(Self.newYear2025)])
            try db.execute("""
                INSERT INTO model_runs (id, algorithm, learners, courses, interactions, started_at, finished_at)
                VALUES (1, 'als', 2, 3, 0, 0, 0), (2, 'ease', 2, 3, 0, 0, 0)
                """)
            for (run, user, course) in [(1, 1, 2), (1, 2, 3), (2, 1, 1), (2, 2, 2)] as [(Int64, Int64, Int64)] {
                try db.execute("INSERT INTO recommendations (run_id, user_id, rank, course_id, score) VALUES ($1, $2, 1, $3, 0.5)",
                               [.integer(run), .integer(user), .integer(course)])
            }
            try db.execute("INSERT INTO model_factors (run_id, entity, entity_id, factors) VALUES (1, 'user', 1, $1)", [.bytes([0, 0, 128, 63])])
            try db.execute("DELETE FROM users WHERE id = 1")
            #expect(try db.scalarInt("SELECT count(*) FROM recommendations WHERE user_id = 1") == 0)
            #expect(try db.scalarInt("SELECT count(*) FROM model_factors") == 0)
            try db.execute("DELETE FROM courses WHERE id = 3")
            #expect(try db.scalarInt("SELECT count(*) FROM recommendations") == 1)
            try db.execute("DELETE FROM model_runs WHERE id = 2")
            #expect(try db.scalarInt("SELECT count(*) FROM recommendations") == 0)
            let erasures = try db.query("SELECT entity, entity_id FROM cache_erasures ORDER BY seq")
            #expect(try erasures.map { "\(try $0.text("entity")) \(try $0.int64("entity_id"))" } == ["user 1", "course 3"])
        }
    }

    @Test("parameters must be JSON, and the pseudonym key is 64 hex digits")
    func jsonAndSettings() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            let run = "INSERT INTO model_runs (algorithm, parameters, learners, courses, interactions, started_at, finished_at) VALUES ('als', $1, 0, 0, 0, 0, 0)"
            try db.execute(run, [.text(#"{"factors": 64}"#)])
            expectPostgresRefusal("model_runs_parameters_check", sqlState: "23514") { try db.execute(run, [.text("{factors: 64")]) }
            let key = try #require(try db.scalarText("SELECT value FROM settings WHERE name = 'pseudonym_key'"))
            #expect(key.count == 64 && key.allSatisfy(\.isHexDigit) && key == key.lowercased())
        }
    }

    @Test("an event outside the time and amount ranges is refused")
    func rangesHold() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            try Self.seed(db)
            expectPostgresRefusal("between 1970-01-01 and 9999-12-31") { try Self.record(db, kind: "view", value: nil, at: -1) }
            expectPostgresRefusal("at most 10^12") { try Self.record(db, kind: "purchase", value: 1_000_000_000_001) }
            expectPostgresRefusal("interactions_check", sqlState: "23514") { try Self.record(db, kind: "rate", value: 6) }
        }
    }

    @Test("migration 18: a key may have the marketing scope, a campaign holds out at most half, a deleted learner leaves campaigns")
    func marketing() throws {
        try TestPostgres.withMigratedDatabase { db, _ in
            try Self.seed(db)
            let key = "INSERT INTO api_keys (name, scope, token_hash, prefix, created_at) VALUES ($1, $2, $3, 'lk_', 0)"
            try db.execute(key, [.text("newsletter"), .text("marketing"), .text(String(repeating: "a", count: 64))])
            expectPostgresRefusal("api_keys_scope_check", sqlState: "23514") {
                try db.execute(key, [.text("root"), .text("admin"), .text(String(repeating: "b", count: 64))])
            }
            let campaign = "INSERT INTO campaigns (name, course_id, method, holdout, seed, created_at) VALUES ($1, 1, 'als', $2, 7, 0)"
            expectPostgresRefusal("campaigns_holdout_check", sqlState: "23514") { try db.execute(campaign, [.text("greedy"), .real(0.6)]) }
            try db.execute(campaign, [.text("swift-launch"), .real(0.1)])
            try db.execute("INSERT INTO campaign_members (campaign_id, user_id, held_out, score) SELECT id, 1, 0, 0.9 FROM campaigns")
            #expect(try db.scalarInt("SELECT marketing_opt_in FROM users WHERE id = 1") == 0)
            try db.execute("DELETE FROM users WHERE id = 1")
            #expect(try db.scalarInt("SELECT count(*) FROM campaign_members") == 0)
        }
    }
}
