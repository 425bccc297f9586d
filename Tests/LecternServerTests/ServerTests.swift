import Foundation
import LecternCore
import LecternRecommender
import LecternServer
import LecternService
import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// End to end: a real server on a free loopback port, a real HTTP client, a temporary database.
@Suite("lectern serve")
struct ServerTests {
    @Test func healthAndReadiness() async throws { try await Self.healthAndReadiness(.sqlite) }
    static func healthAndReadiness(_ engine: TestEngine) async throws {
        let f = try ServerFixture(engine: engine)
        try await f.start()
        let health = try await f.send("GET", "/healthz")
        #expect(health.status == 200)
        #expect(health.text == #"{"status":"ok"}"#)
        #expect(health.headers["content-type"] == "application/json; charset=utf-8")
        let ready = try await f.send("GET", "/readyz")
        #expect(ready.status == 200)
        // snake_case keys, sorted, as the context's one encoder writes them.
        #expect(ready.text.hasPrefix(#"{"models":[{"age_seconds":"#), "\(ready.text)")
        #expect(ready.text.contains(#""algorithm":"als","run_id":"#), "\(ready.text)")
        let models = (ready.object["models"] as? [[String: Any]] ?? []).compactMap { $0["algorithm"] as? String }
        #expect(Set(models) == Set(Algorithm.allCases.map(\.rawValue)))
        try await f.stop()

        let untrained = try ServerFixture(train: [], engine: engine)
        try await untrained.start()
        let notReady = try await untrained.send("GET", "/readyz")
        #expect(notReady.status == 503)
        #expect(notReady.errorCode == "not_ready")
        try await untrained.stop()
    }

    @Test func easeRP3betaAndBPRAreServed() async throws { try await Self.easeRP3betaAndBPRAreServed(.sqlite) }
    static func easeRP3betaAndBPRAreServed(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [.ease, .rp3beta, .bpr], engine: engine)
        try await f.start()
        for algorithm in ["ease", "rp3beta"] {
            let list = try await f.send("GET", "/v1/users/c/recommendations?algorithm=\(algorithm)&explain=true", key: "reader")
            #expect(list.status == 200)
            #expect(list.slugs() == ["e", "f"], "\(algorithm)")
            #expect((list.object["items"] as? [[String: Any]])?.first?["reason"] as? String == "because you bought Course D")
        }
        let bpr = try await f.send("GET", "/v1/users/c/recommendations?algorithm=bpr", key: "reader")
        #expect(bpr.status == 200)
        #expect(!bpr.slugs().isEmpty && !bpr.slugs().contains("d"))
        try await f.stop()
    }

    @Test func recommendationsComeFromTheCacheWithTheCLIFreshnessRules() async throws { try await Self.recommendationsComeFromTheCacheWithTheCLIFreshnessRules(.sqlite) }
    static func recommendationsComeFromTheCacheWithTheCLIFreshnessRules(_ engine: TestEngine) async throws {
        let f = try ServerFixture(engine: engine)
        try await f.start()
        // c bought only d; who bought d also bought e (a, b) and f (b): e first, then f.
        let list = try await f.send("GET", "/v1/users/c/recommendations?algorithm=itemknn&explain=true", key: "reader")
        #expect(list.status == 200)
        #expect(list.slugs() == ["e", "f"])
        #expect(list.object["folded_in"] as? Bool == false)
        #expect(list.object["user"] as? String == "c")
        let first = (list.object["items"] as? [[String: Any]])?.first
        #expect(first?["reason"] as? String == "because you bought Course D")
        #expect(first?["course_id"] as? Int == Int(f.courses["e"]!))

        let plain = try await f.send("GET", "/v1/users/c/recommendations?algorithm=itemknn&limit=1", key: "reader")
        #expect(plain.slugs() == ["e"])
        #expect((plain.object["items"] as? [[String: Any]])?.first?["reason"] == nil)

        // c buys e through the API: e is gone at once, without retraining.
        let bought = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "c", "course": "e", "kind": "purchase"])
        #expect(bought.status == 201)
        let after = try await f.send("GET", "/v1/users/c/recommendations?algorithm=itemknn", key: "reader")
        #expect(after.slugs() == ["f"])

        // A learner registered through the API is folded in: n has no history; popular d comes first.
        let added = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "m", "interests": ["data-science"]])
        #expect(added.status == 201)
        let fresh = try await f.send("GET", "/v1/users/m/recommendations?algorithm=popular", key: "reader")
        #expect(fresh.status == 200)
        #expect(fresh.object["folded_in"] as? Bool == true)
        #expect(fresh.slugs().first == "d")

        // The path's id is percent-decoded: a new learner's Location leads to them.
        let spaced = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "p q/r"])
        let location = try #require(spaced.headers["location"])
        #expect(location == "/v1/users/p%20q%2Fr")
        let theirs = try await f.send("GET", location + "/recommendations?algorithm=popular", key: "reader")
        #expect(theirs.status == 200)
        #expect(theirs.object["user"] as? String == "p q/r")
        try await f.stop()
    }

    /// "Not for me" over HTTP: the course leaves the list at once, ranks start from 1 again, a
    /// retried dismissal (same key, or none) is recorded once, and a bad reason changes nothing.
    @Test func aDismissalOverHTTPIsHeardAtOnce() async throws { try await Self.aDismissalOverHTTPIsHeardAtOnce(.sqlite) }
    static func aDismissalOverHTTPIsHeardAtOnce(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [.itemknn], engine: engine)
        try await f.start()
        #expect(try await f.send("GET", "/v1/users/c/recommendations?algorithm=itemknn", key: "reader").slugs() == ["e", "f"])
        let body: [String: Any] = ["user": "c", "course": "e", "kind": "dismiss", "reason": "not-relevant", "idempotency_key": "dis-1"]
        let dismissed = try await f.send("POST", "/v1/interactions", key: "writer", json: body)
        #expect(dismissed.status == 201)
        let retried = try await f.send("POST", "/v1/interactions", key: "writer", json: body)
        #expect(retried.status == 200)
        #expect(retried.object["duplicates"] as? Int == 1)
        let unkeyed = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "c", "course": "e", "kind": "dismiss"])
        #expect(unkeyed.status == 200)
        #expect(unkeyed.object["duplicates"] as? Int == 1)
        let after = try await f.send("GET", "/v1/users/c/recommendations?algorithm=itemknn", key: "reader")
        #expect(after.slugs() == ["f"])
        #expect((after.object["items"] as? [[String: Any]])?.first?["rank"] as? Int == 1)
        for (reason, code): (Any, String) in [("boring", "invalid_request"), (3, "invalid_json")] {
            let bad = try await f.send("POST", "/v1/interactions", key: "writer",
                                       json: ["user": "c", "course": "f", "kind": "dismiss", "reason": reason])
            #expect(bad.status == 400, "\(reason)")
            #expect(bad.errorCode == code, "\(reason)")
        }
        let misplaced = try await f.send("POST", "/v1/interactions", key: "writer",
                                         json: ["user": "c", "course": "f", "kind": "view", "reason": "other"])
        #expect(misplaced.errorMessage == "'reason' is only for dismiss events")
        #expect(try await f.send("GET", "/v1/users/c/recommendations?algorithm=itemknn", key: "reader").slugs() == ["f"])
        try await f.stop()
    }

    @Test func recommendationErrors() async throws { try await Self.recommendationErrors(.sqlite) }
    static func recommendationErrors(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [.itemknn], engine: engine)
        try await f.start()
        let unknown = try await f.send("GET", "/v1/users/nobody/recommendations", key: "reader")
        #expect(unknown.status == 404)
        #expect(unknown.errorCode == "not_found")
        #expect(unknown.errorMessage?.contains("nobody") == true)
        for query in ["limit=0", "limit=101", "limit=ten", "algorithm=magic", "explain=maybe"] {
            let bad = try await f.send("GET", "/v1/users/c/recommendations?\(query)", key: "reader")
            #expect(bad.status == 400, "\(query)")
            #expect(bad.errorCode == "invalid_request", "\(query)")
        }
        let untrained = try await f.send("GET", "/v1/users/c/recommendations?algorithm=als", key: "reader")
        #expect(untrained.status == 503)
        #expect(untrained.errorCode == "model_not_trained")
        try await f.stop()
    }

    @Test func similarCourses() async throws { try await Self.similarCourses(.sqlite) }
    static func similarCourses(_ engine: TestEngine) async throws {
        let f = try ServerFixture(engine: engine)
        try await f.start()
        // d was bought by a, b, c; e by a, b; f by b: cos(d,e) = 2/(√3·√2) > cos(d,f) = 1/√3; g, h are off sale.
        let similar = try await f.send("GET", "/v1/courses/d/similar", key: "reader")
        #expect(similar.status == 200)
        #expect(similar.slugs() == ["e", "f"])
        #expect(similar.object["algorithm"] as? String == "itemknn")
        // Nobody took x: its content (python, pandas, like d) speaks for it.
        let byContent = try await f.send("GET", "/v1/courses/x/similar?limit=1", key: "reader")
        #expect(byContent.object["algorithm"] as? String == "content")
        #expect(byContent.slugs() == ["d"])
        let byID = try await f.send("GET", "/v1/courses/\(f.courses["d"]!)/similar?algorithm=itemknn", key: "reader")
        #expect(byID.slugs() == ["e", "f"])
        #expect(try await f.send("GET", "/v1/courses/zz/similar", key: "reader").status == 404)
        #expect(try await f.send("GET", "/v1/courses/d/similar?algorithm=als", key: "reader").status == 400)
        try await f.stop()
    }

    @Test func courseListingFiltersAndPages() async throws { try await Self.courseListingFiltersAndPages(.sqlite) }
    static func courseListingFiltersAndPages(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [], engine: engine)
        try await f.start()
        let all = try await f.send("GET", "/v1/courses", key: "reader")
        #expect(all.status == 200)
        #expect(all.slugs("courses") == ["d", "e", "f", "g", "h", "x"])
        #expect(all.object["next_offset"] == nil)
        #expect(try await f.send("GET", "/v1/courses?status=published", key: "reader").slugs("courses") == ["d", "e", "f", "x"])
        #expect(try await f.send("GET", "/v1/courses?domain=finance", key: "reader").slugs("courses") == ["x"])
        #expect(try await f.send("GET", "/v1/courses?tag=statistics", key: "reader").slugs("courses") == ["e", "f"])
        #expect(try await f.send("GET", "/v1/courses?creator=Bob&status=published", key: "reader").slugs("courses") == ["f", "x"])
        // Prices 10.00, 20.00, 30.00, 40.00, 50.00 and 49.90: between 20 and 49.90 inclusive.
        #expect(try await f.send("GET", "/v1/courses?min_price=20&max_price=49.90", key: "reader").slugs("courses") == ["e", "f", "g", "x"])
        #expect(try await f.send("GET", "/v1/courses?search=pandas", key: "reader").slugs("courses") == ["d", "x"])
        let page = try await f.send("GET", "/v1/courses?limit=2&offset=2", key: "reader")
        #expect(page.slugs("courses") == ["f", "g"])
        #expect(page.object["next_offset"] as? Int == 4)
        let last = try await f.send("GET", "/v1/courses?limit=2&offset=4", key: "reader")
        #expect(last.slugs("courses") == ["h", "x"])
        #expect(last.object["next_offset"] == nil)
        let x = (last.object["courses"] as? [[String: Any]])?.last
        #expect(x?["price"] as? Double == 49.9 && x?["price_minor"] as? Int == 4990)
        #expect(x?["price_minor"] as? Int == 4990)
        for query in ["min_price=abc", "max_price=-1", "difficulty=expert", "format=vhs", "status=gone", "limit=0", "offset=-1"] {
            let bad = try await f.send("GET", "/v1/courses?\(query)", key: "reader")
            #expect(bad.status == 400, "\(query)")
            #expect(bad.errorCode == "invalid_request", "\(query)")
        }
        #expect(try await f.send("GET", "/v1/courses?creator=Nobody", key: "reader").status == 404)
        try await f.stop()
    }

    @Test func oneCourse() async throws { try await Self.oneCourse(.sqlite) }
    static func oneCourse(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [], engine: engine)
        try await f.start()
        let d = try await f.send("GET", "/v1/courses/d", key: "reader")
        #expect(d.status == 200)
        #expect(d.object["slug"] as? String == "d")
        #expect(d.object["creator_name"] as? String == "Ada")
        #expect(Set(d.object["tags"] as? [String] ?? []) == ["python", "pandas"])
        #expect(d.object["prerequisites"] as? [String] == [])
        let byID = try await f.send("GET", "/v1/courses/\(f.courses["x"]!)", key: "reader")
        #expect(byID.object["slug"] as? String == "x")
        let missing = try await f.send("GET", "/v1/courses/no-such-course", key: "reader")
        #expect(missing.status == 404)
        #expect(missing.errorCode == "not_found")
        try await f.stop()
    }

    @Test func registeringLearners() async throws { try await Self.registeringLearners(.sqlite) }
    static func registeringLearners(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [], engine: engine)
        try await f.start()
        let users = try f.count("users")
        let created = try await f.send("POST", "/v1/users", key: "writer", json: [
            "external_id": "u42", "name": "Mei", "email": "mei@example.com", "country": "SG",
            "interests": ["data-science", "python"], "channel": "social_video", "campaign": "tiktok-q2",
        ])
        #expect(created.status == 201)
        #expect(created.object["external_id"] as? String == "u42")
        #expect(created.object["interests"] as? [String] == ["data-science", "python"])
        #expect(created.headers["location"] == "/v1/users/u42")
        #expect(try f.count("users") == users + 1)

        let again = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "u42"])
        #expect(again.status == 409)
        #expect(again.errorCode == "conflict")
        let malformed = try await f.send("POST", "/v1/users", key: "writer", body: Data("{\"external_id\": ".utf8))
        #expect(malformed.status == 400)
        #expect(malformed.errorCode == "invalid_json")
        let wrongType = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": 5])
        #expect(wrongType.status == 400)
        #expect(wrongType.errorMessage == "'external_id' must be a string")
        let missing = try await f.send("POST", "/v1/users", key: "writer", json: ["name": "No id"])
        #expect(missing.status == 400)
        #expect(missing.errorMessage == "'external_id' is required")
        let empty = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "  "])
        #expect(empty.status == 400)
        #expect(try f.count("users") == users + 1)
        try await f.stop()
    }

    @Test func recordingInteractions() async throws { try await Self.recordingInteractions(.sqlite) }
    static func recordingInteractions(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [], engine: engine)
        try await f.start()
        let before = try f.count("interactions")
        let one = try await f.send("POST", "/v1/interactions", key: "writer", json: [
            "user": "n", "course": "x", "kind": "view", "at": "2025-03-01T09:30:00Z", "channel": "app",
        ])
        #expect(one.status == 201)
        #expect(one.object["recorded"] as? Int == 1)
        #expect(try f.count("interactions") == before + 1)

        // A retried request with the same Idempotency-Key is recorded once.
        let event: [String: Any] = ["user": "n", "course": f.courses["x"]!, "kind": "purchase", "amount_minor": 3990]
        let first = try await f.send("POST", "/v1/interactions", key: "writer", json: event, headers: ["Idempotency-Key": "order-1"])
        #expect(first.status == 201)
        let retry = try await f.send("POST", "/v1/interactions", key: "writer", json: event, headers: ["Idempotency-Key": "order-1"])
        #expect(retry.status == 200)
        #expect(retry.object["duplicates"] as? Int == 1)
        #expect(try f.count("interactions") == before + 2)
        #expect(try f.db.scalarInt("SELECT value FROM interactions WHERE idempotency_key = 'order-1'") == 3990)

        // A batch is one transaction; keys in the body are honoured too.
        let batch: [[String: Any]] = [
            ["user": "n", "course": "d", "kind": "rate", "rating": 5, "idempotency_key": "r-1"],
            ["user": "n", "course": "d", "kind": "wishlist", "at": 1_740_000_000],
        ]
        let recorded = try await f.send("POST", "/v1/interactions", key: "writer", json: batch)
        #expect(recorded.status == 201)
        #expect(recorded.object["recorded"] as? Int == 2)
        #expect(try f.count("interactions") == before + 4)
        let replay = try await f.send("POST", "/v1/interactions", key: "writer", json: [batch[0]])
        #expect(replay.status == 200)

        // One bad event refuses the whole batch: nothing written.
        let broken: [[String: Any]] = [["user": "n", "course": "e", "kind": "view"], ["user": "n", "course": "nope", "kind": "view"]]
        let refused = try await f.send("POST", "/v1/interactions", key: "writer", json: broken)
        #expect(refused.status == 404)
        #expect(refused.errorMessage?.hasPrefix("event 1: ") == true)
        #expect(try f.count("interactions") == before + 4)

        let bad: [(Any, String)] = [
            (["user": "n", "course": "d", "kind": "rate", "rating": "five"], "'rating' must be an integer"),
            (["user": "n", "course": "d", "kind": "rate"], "a rate event needs 'rating' from 1 to 5"),
            (["user": "n", "course": "d", "kind": "rate", "rating": 9], "a rating must be between 1 and 5, got 9"),
            (["user": "n", "course": "d", "kind": "teleport"], "kind must be one of view, wishlist, enroll, purchase, complete, rate, refund, dismiss, got 'teleport'"),
            (["user": "n", "course": "d", "kind": "view", "amount_minor": 5], "'amount_minor' is only for purchase and refund events"),
            (["user": "n", "course": "d", "kind": "view", "at": "yesterday"], "'at' must be a time such as 2025-03-01T09:30:00Z or Unix seconds, between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z, got 'yesterday'"),
            (["user": "n", "course": "d", "kind": "view", "at": -9_223_372_036_854_775_000], "'at' must be a time such as 2025-03-01T09:30:00Z or Unix seconds, between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z, got '-9223372036854775000'"),
            (["user": "n", "course": "d", "kind": "view", "at": "2025-03-01T09:30:00+99:99"], "'at' must be a time such as 2025-03-01T09:30:00Z or Unix seconds, between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z, got '2025-03-01T09:30:00+99:99'"),
            (["user": "n", "course": "d", "kind": "purchase", "amount_minor": 4_611_686_018_427_387_904], "a purchase amount must be at most 10000000000.00 (10^12 minor units), got 4611686018427387904 minor units"),
            ([Any](), "the batch is empty"),
            ("just a string", "the body must be an object"),
        ]
        for (body, message) in bad {
            let answer = try await f.send("POST", "/v1/interactions", key: "writer", json: body)
            #expect(answer.status == 400, "\(body)")
            #expect(answer.errorMessage == message, "\(body)")
        }
        // A well-formed event the stored state refuses is a conflict.
        let unpaid = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "n", "course": "d", "kind": "refund"])
        #expect(unpaid.status == 409 && unpaid.errorMessage == "a refund needs a purchase of the same course by the same learner")
        let unknownUser = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "ghost", "course": "d", "kind": "view"])
        #expect(unknownUser.status == 404)
        let draft = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "n", "course": "g", "kind": "purchase"])
        #expect(draft.status == 409)
        #expect(try f.count("interactions") == before + 4)
        try await f.stop()
    }

    @Test func keysAndScopes() async throws { try await Self.keysAndScopes(.sqlite) }
    static func keysAndScopes(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [.popular], engine: engine)
        try await f.start()
        let users = try f.count("users")
        let none = try await f.send("GET", "/v1/courses")
        #expect(none.status == 401)
        #expect(none.errorCode == "missing_api_key")
        let notBearer = try await f.send("GET", "/v1/courses", token: "Basic dXNlcjpwYXNz")
        #expect(notBearer.status == 401)
        let unknown = try await f.send("GET", "/v1/courses", token: "Bearer lk_000000000000000000000000000000000000000000000000")
        #expect(unknown.status == 401)
        #expect(unknown.errorCode == "invalid_api_key")
        let revoked = try await f.send("GET", "/v1/courses", key: "gone")
        #expect(revoked.status == 401)
        #expect(revoked.errorCode == "revoked_api_key")
        let readForWrite = try await f.send("POST", "/v1/users", key: "reader", json: ["external_id": "sneaky"])
        #expect(readForWrite.status == 403)
        #expect(readForWrite.errorCode == "insufficient_scope")
        #expect(try f.count("users") == users)
        #expect(try await f.send("GET", "/v1/courses", key: "writer").status == 200)
        #expect(try await f.send("GET", "/metrics").status == 401)

        // Revoking takes effect on the next request.
        try APIKeyRepository(f.db).revoke(id: try APIKeyRepository(f.db).resolve("reader").id)
        #expect(try await f.send("GET", "/v1/courses", key: "reader").status == 401)
        // Only hashes are stored.
        let stored = try f.db.texts("SELECT token_hash FROM api_keys")
        #expect(!stored.contains(f.tokens["writer"]!))
        #expect(stored.contains(APIToken.hash(f.tokens["writer"]!)))
        try await f.stop()
    }

    @Test func rateLimitsPerKey() async throws {
        let f = try ServerFixture(train: [])
        // One request per 100 seconds after a burst of 2: the third request in a row is refused.
        try await f.start(rateLimit: 0.01, burst: 2)
        #expect(try await f.send("GET", "/v1/courses?limit=1", key: "reader").status == 200)
        #expect(try await f.send("GET", "/v1/courses?limit=1", key: "reader").status == 200)
        let limited = try await f.send("GET", "/v1/courses?limit=1", key: "reader")
        #expect(limited.status == 429)
        #expect(limited.errorCode == "rate_limited")
        let wait = Int(limited.headers["retry-after"] ?? "") ?? 0
        #expect((1...100).contains(wait))
        // Another key has its own bucket; open endpoints are not limited.
        #expect(try await f.send("GET", "/v1/courses?limit=1", key: "writer").status == 200)
        #expect(try await f.send("GET", "/healthz").status == 200)
        try await f.stop()
    }

    @Test func bodiesOverTheLimitAreRefused() async throws {
        let f = try ServerFixture(train: [])
        try await f.start(maxBodyBytes: 1_024)
        let before = try f.count("interactions")
        let events = (0..<100).map { ["user": "n", "course": "d", "kind": "view", "channel": "padding-\($0)"] }
        let big = try await f.send("POST", "/v1/interactions", key: "writer", json: events)
        #expect(big.status == 413)
        #expect(big.errorCode == "body_too_large")
        #expect(try f.count("interactions") == before)
        let small = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "n", "course": "d", "kind": "view"])
        #expect(small.status == 201)
        try await f.stop()
    }

    @Test func metricsInPrometheusText() async throws { try await Self.metricsInPrometheusText(.sqlite) }
    static func metricsInPrometheusText(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [.itemknn], engine: engine)
        try await f.start()
        _ = try await f.send("GET", "/healthz")
        _ = try await f.send("GET", "/v1/courses/d", key: "reader")
        _ = try await f.send("GET", "/v1/courses/zz", key: "reader")
        let metrics = try await f.send("GET", "/metrics", key: "reader")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        let lines = metrics.text.split(separator: "\n").map(String.init)
        #expect(lines.contains("lectern_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"))
        #expect(lines.contains("lectern_http_requests_total{route=\"/v1/courses/{id}\",method=\"GET\",status=\"200\"} 1"))
        #expect(lines.contains("lectern_http_requests_total{route=\"/v1/courses/{id}\",method=\"GET\",status=\"404\"} 1"))
        #expect(lines.contains("lectern_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\",status=\"200\"} 1"))
        #expect(lines.contains("lectern_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\",status=\"200\",le=\"+Inf\"} 1"))
        #expect(lines.contains { $0.hasPrefix("lectern_cache_age_seconds{algorithm=\"itemknn\"} ") })
        #expect(!lines.contains { $0.hasPrefix("lectern_cache_age_seconds{algorithm=\"als\"}") })
        let run = try RecommendationCache(f.db).activeRun(algorithm: .itemknn)!
        #expect(lines.contains("lectern_model_run_id{algorithm=\"itemknn\"} \(run.id)"))
        #expect(lines.contains("lectern_last_training_run_timestamp_seconds \(run.finishedAt)"))
        try await f.stop()
    }

    @Test func theServerNeverFallsOver() async throws { try await Self.theServerNeverFallsOver(.sqlite) }
    static func theServerNeverFallsOver(_ engine: TestEngine) async throws {
        let f = try ServerFixture(train: [.itemknn], engine: engine)
        try await f.start()
        let before = try f.count("interactions")
        let long = String(repeating: "9", count: 4_000)
        let paths = ["/v1/users/\(long)/recommendations", "/v1/courses/\(long)", "/v1/courses/\(long)/similar",
                     "/v1/users/%F0%9F%98%80/recommendations", "/v1/courses/%00", "/v1/courses?limit=\(long)",
                     "/v1/courses?offset=99999999999999999999", "/v1/users/c/recommendations?limit=-9223372036854775808"]
        for path in paths {
            let answer = try await f.send("GET", path, key: "reader")
            #expect([400, 404].contains(answer.status), "\(path)")
            #expect(answer.errorCode != nil, "\(path)")
        }
        let bodies: [String] = ["", "null", "[]", "[1, 2]", "{\"user\": [\"n\"]}", "{\"user\": \"n\", \"course\": 1e999, \"kind\": \"view\"}",
                                String(repeating: "[", count: 5_000), "{\"user\": \"n\", \"course\": \"d\", \"kind\": \"view\", \"at\": 99999999999999999999}",
                                "\u{FEFF}{}", "{\"user\":\"\(long)\",\"course\":\"d\",\"kind\":\"view\"}"]
        for body in bodies {
            let answer = try await f.send("POST", "/v1/interactions", key: "writer", body: Data(body.utf8))
            #expect([400, 404].contains(answer.status), "\(body.prefix(40))")
            #expect(answer.errorCode != nil, "\(body.prefix(40))")
        }
        #expect(try await f.send("DELETE", "/v1/courses/d", key: "writer").errorCode != nil)
        #expect(try await f.send("GET", "/no/such/thing").status == 404)
        #expect(try await f.send("GET", "/healthz").status == 200)
        #expect(try f.count("interactions") == before)
        try await f.stop()
    }

    @Test func readsSeeAWholeCacheWhileAnotherConnectionTrains() async throws {
        let f = try ServerFixture(train: [.itemknn])
        try await f.start()
        let path = f.path
        let trainer = Task.detached {
            let db = try LecternDatabase.open(path: path)
            for _ in 0..<5 { try RecommendationService(db).train([.itemknn], options: ServerFixture.options()) }
        }
        var answers = 0
        while answers < 40 {
            let list = try await f.send("GET", "/v1/users/c/recommendations?algorithm=itemknn", key: "reader")
            #expect(list.status == 200)
            #expect(list.slugs() == ["e", "f"])
            answers += 1
        }
        try await trainer.value
        try await f.stop()
    }

    @Test func theOpenAPIDocumentIsServedAndDescribesRealAnswers() async throws {
        let checker = try OpenAPIChecker.committed()
        let f = try ServerFixture(train: [.itemknn, .popular, .content, .hybrid])  // no ALS: its lists answer 503
        try await f.start(rateLimit: 0.01, burst: 60)
        let served = try await f.send("GET", "/openapi.json")
        #expect(served.status == 200)
        let committed = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/LecternServer/openapi.json"))) as? NSDictionary
        #expect(committed == (try JSONSerialization.jsonObject(with: served.body) as? NSDictionary))

        // Every endpoint, answering each status it documents that can be produced here.
        _ = try await f.send("GET", "/healthz")
        _ = try await f.send("GET", "/readyz")
        _ = try await f.send("GET", "/metrics", key: "reader")
        _ = try await f.send("GET", "/metrics")
        _ = try await f.send("GET", "/v1/users/c/recommendations?explain=true", key: "reader")
        _ = try await f.send("GET", "/v1/users/c/recommendations?algorithm=als", key: "reader")
        _ = try await f.send("GET", "/v1/users/c/recommendations?limit=0", key: "reader")
        _ = try await f.send("GET", "/v1/users/zz/recommendations", key: "reader")
        _ = try await f.send("GET", "/v1/users/c/recommendations")
        _ = try await f.send("GET", "/v1/courses/d/similar", key: "reader")
        _ = try await f.send("GET", "/v1/courses/x/similar?algorithm=content", key: "reader")
        _ = try await f.send("GET", "/v1/courses/zz/similar", key: "reader")
        _ = try await f.send("GET", "/v1/courses/d/similar?limit=x", key: "reader")
        _ = try await f.send("GET", "/v1/courses?limit=2", key: "reader")
        _ = try await f.send("GET", "/v1/courses?status=nope", key: "reader")
        _ = try await f.send("GET", "/v1/courses?creator=Nobody", key: "reader")
        _ = try await f.send("GET", "/v1/courses/d", key: "reader")
        _ = try await f.send("GET", "/v1/courses/zz", key: "reader")
        _ = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "o1", "email": "o@example.com"])
        _ = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "o1"])
        _ = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": 1])
        _ = try await f.send("POST", "/v1/users", key: "reader", json: ["external_id": "o2"])
        _ = try await f.send("POST", "/v1/users", token: "Bearer nope", json: ["external_id": "o2"])
        _ = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "o1", "course": "d", "kind": "view", "idempotency_key": "k1"])
        _ = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "o1", "course": "d", "kind": "view", "idempotency_key": "k1"])
        _ = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "o1", "course": "zz", "kind": "view"])
        _ = try await f.send("POST", "/v1/interactions", key: "writer", json: ["user": "o1"])
        _ = try await f.send("POST", "/v1/interactions", key: "reader", json: ["user": "o1", "course": "d", "kind": "view"])
        _ = try await f.send("POST", "/v1/interactions", key: "gone", json: ["user": "o1", "course": "d", "kind": "view"])
        _ = try await f.send("POST", "/v1/interactions", key: "writer",
                             body: Data(("[" + String(repeating: "{\"user\":\"o1\",\"course\":\"d\",\"kind\":\"view\"},", count: 30_000) + "{}]").utf8))
        _ = try await f.send("DELETE", "/v1/courses/d", key: "writer")
        _ = try await f.send("POST", "/healthz")
        var limited = 0
        while limited == 0 {
            let answer = try await f.send("GET", "/v1/courses/d", key: "reader")
            if answer.status == 429 { limited += 1 }
        }
        try await f.stop()

        let answers = f.recorder.all.filter { $0.path != "/openapi.json" }
        var seen = Set<String>()
        for answer in answers {
            let problems = checker.problems(method: answer.method, path: answer.path, status: answer.status, body: answer.body,
                                            headers: answer.headers)
            #expect(problems.isEmpty, "\(problems)")
            seen.insert("\(answer.method) \(checker.template(for: answer.path) ?? answer.path) \(answer.status)")
        }
        for status in [200, 400, 401, 404, 503] { #expect(seen.contains("GET /v1/users/{id}/recommendations \(status)"), "\(status)") }
        for status in [200, 201, 400, 401, 403, 404, 413] { #expect(seen.contains("POST /v1/interactions \(status)"), "\(status)") }
        for status in [201, 400, 401, 403, 409] { #expect(seen.contains("POST /v1/users \(status)"), "\(status)") }
        #expect(seen.contains("GET /v1/courses/{id} 429"))
        #expect(seen.contains("DELETE /v1/courses/{id} 405"))
        #expect(seen.contains("POST /healthz 405"))
        // And the checker itself catches a wrong answer.
        #expect(!checker.problems(method: "GET", path: "/v1/courses/d", status: 200, body: Data("{\"slug\": 1}".utf8)).isEmpty)
        #expect(!checker.problems(method: "GET", path: "/v1/courses/d", status: 418, body: Data("{}".utf8)).isEmpty)
        let error = Data(#"{"error": {"code": "method_not_allowed", "message": "no"}}"#.utf8)
        #expect(!checker.problems(method: "PUT", path: "/v1/courses/d", status: 405, body: error, headers: ["allow": "GET, PUT"]).isEmpty)
        #expect(!checker.problems(method: "PUT", path: "/v1/courses/d", status: 404, body: error, headers: ["allow": "GET"]).isEmpty)
        #expect(checker.problems(method: "PUT", path: "/v1/courses/d", status: 405, body: error, headers: ["allow": "GET"]).isEmpty)
        #expect(!checker.problems(method: "POST", path: "/v1/users", status: 413, body: error).isEmpty)
    }
}
