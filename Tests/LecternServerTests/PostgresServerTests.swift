import Foundation
import LecternCore
import LecternPostgres
import LecternServer
import LecternStore
import Testing
import LecternTestSupport

/// The key server tests of `ServerTests` again, with the server on a PostgreSQL database (a fresh
/// one on LECTERN_TEST_PG per test): the same requests, the same answers.
@Suite("lectern serve on PostgreSQL", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct PostgresServerTests {
    @Test func healthAndReadiness() async throws { try await ServerTests.healthAndReadiness(.postgresql) }
    @Test func easeRP3betaAndBPRAreServed() async throws { try await ServerTests.easeRP3betaAndBPRAreServed(.postgresql) }
    @Test func recommendationsComeFromTheCacheWithTheCLIFreshnessRules() async throws {
        try await ServerTests.recommendationsComeFromTheCacheWithTheCLIFreshnessRules(.postgresql)
    }
    @Test func aDismissalOverHTTPIsHeardAtOnce() async throws { try await ServerTests.aDismissalOverHTTPIsHeardAtOnce(.postgresql) }
    @Test func recommendationErrors() async throws { try await ServerTests.recommendationErrors(.postgresql) }
    @Test func similarCourses() async throws { try await ServerTests.similarCourses(.postgresql) }
    @Test func courseListingFiltersAndPages() async throws { try await ServerTests.courseListingFiltersAndPages(.postgresql) }
    @Test func oneCourse() async throws { try await ServerTests.oneCourse(.postgresql) }
    @Test func registeringLearners() async throws { try await ServerTests.registeringLearners(.postgresql) }
    @Test func recordingInteractions() async throws { try await ServerTests.recordingInteractions(.postgresql) }
    @Test func keysAndScopes() async throws { try await ServerTests.keysAndScopes(.postgresql) }
    @Test func metricsInPrometheusText() async throws { try await ServerTests.metricsInPrometheusText(.postgresql) }
    @Test func theServerNeverFallsOver() async throws { try await ServerTests.theServerNeverFallsOver(.postgresql) }
    @Test func aScopedKeySeesItsOwnMembersAndNobodyElse() async throws {
        try await OrganisationAPITests.aScopedKeySeesItsOwnMembersAndNobodyElse(.postgresql)
    }

    @Test("a NUL character in a text field is a 400, not a 500, and nothing is written")
    func nulInTextIsRefused() async throws {
        let f = try ServerFixture(train: [], engine: .postgresql)
        try await f.start()
        let users = try f.count("users")
        let learner = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "nul\u{0}user"])
        #expect(learner.status == 400, "\(learner.text)")
        #expect(learner.errorCode == "invalid_request")
        let named = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "ok-user", "name": "A\u{0}B"])
        #expect(named.status == 400, "\(named.text)")
        let event = try await f.send("POST", "/v1/interactions", key: "writer",
                                     json: ["user": "n", "course": "d", "kind": "view", "channel": "app\u{0}"])
        #expect(event.status == 400, "\(event.text)")
        let keyed = try await f.send("POST", "/v1/interactions", key: "writer",
                                     json: ["user": "n", "course": "d", "kind": "view", "idempotency_key": "k\u{0}"])
        #expect(keyed.status == 400, "\(keyed.text)")
        let path = try await f.send("GET", "/v1/users/a%00b/recommendations", key: "reader")
        #expect(path.status == 400 || path.status == 404, "\(path.text)")
        #expect(try f.count("users") == users)
        try await f.stop()
    }

    @Test("the marketing endpoints (courses taken together, audiences, bundles) are served on PostgreSQL")
    func marketingEndpoints() async throws {
        let f = try ServerFixture(train: [], engine: .postgresql)
        let keys = APIKeyRepository(f.db)
        f.tokens["marketer"] = try APIToken.createKey(name: "marketer", scope: .marketing, in: keys).token
        try await f.start()
        for path in ["/v1/courses/d/together", "/v1/courses/d/audience"] {
            let answer = try await f.send("GET", path, key: "marketer")
            #expect(answer.status == 200, "\(path): \(answer.text)")
        }
        let bundles = try await f.send("GET", "/v1/bundles?min_learners=1", key: "reader")
        #expect(bundles.status == 200, "\(bundles.text)")
        try await f.stop()
        try f.expectAnswersMatchTheDocument()
    }

    @Test("a session lost mid-request (its backend terminated, as a restart does) is a 503 in one JSON line; the next request connects again")
    func lostConnectionIsA503ThenReconnects() async throws {
        let f = try ServerFixture(train: [], engine: .postgresql)
        try await f.start(lockTimeoutMilliseconds: 60_000)  // the request waits until its session goes
        #expect(try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "warm"]).status == 201)
        // Hold the learners' table, so the next write waits inside the server's session.
        let holder = try PGConnection.connect(try PGConnectionURL(f.path))
        defer { holder.close() }
        try holder.execute("BEGIN")
        try holder.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
        let waiting = Task { try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "during"]) }
        // Until the server's session waits for the lock.
        while try holder.scalarInt("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        // Every other session of the database goes, as in a fast shutdown of the server.
        try holder.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        let lost = try await waiting.value
        try holder.execute("ROLLBACK")
        #expect(lost.status == 503, "\(lost.text)")
        #expect(lost.errorCode == "database_unavailable")
        #expect(!lost.text.contains("\n") && lost.headers["retry-after"] == "1")
        if let password = try PGConnectionURL(f.path).password { #expect(!lost.text.contains(password)) }
        // The pool connects again: every later request is answered.
        for round in 0..<3 {
            #expect(try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "after-\(round)"]).status == 201)
            #expect(try await f.send("GET", "/v1/courses", key: "reader").status == 200)
        }
        try await f.stop()
    }
}
