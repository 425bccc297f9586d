import Foundation
import LecternCore
import LecternServer
import LecternStore
import Testing
import LecternTestSupport

/// Many API nodes: two servers in this process on one PostgreSQL database, each with its own
/// sessions, key cache, fold-in cache and rate limiter, as two `lectern serve` behind a load
/// balancer would be. What one node writes, the other's next request sees.
@Suite("two API nodes on one PostgreSQL database", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct MultiNodeTests {
    /// Node A over a fresh database, node B over the same one; both started.
    static func nodes(train: [Algorithm], keyCacheSeconds: Double = 0) async throws -> (ServerFixture, ServerFixture) {
        let a = try ServerFixture(train: train, engine: .postgresql)
        let b = try ServerFixture(sharing: a)
        try await a.start(keyCacheSeconds: keyCacheSeconds)
        try await b.start(keyCacheSeconds: keyCacheSeconds)
        return (a, b)
    }

    @Test("a purchase recorded through node A is gone from node B's next list")
    func purchaseOnAIsSeenByB() async throws {
        let (a, b) = try await Self.nodes(train: [.itemknn])
        #expect(try await b.send("GET", "/v1/users/c/recommendations?algorithm=itemknn", key: "reader").slugs() == ["e", "f"])
        let bought = try await a.send("POST", "/v1/interactions", key: "writer", json: ["user": "c", "course": "e", "kind": "purchase"])
        #expect(bought.status == 201)
        let after = try await b.send("GET", "/v1/users/c/recommendations?algorithm=itemknn", key: "reader")
        #expect(after.status == 200)
        #expect(after.slugs() == ["f"])
        try await a.stop()
        try await b.stop()
    }

    @Test("a key revoked while node B trusts it is refused by B once its --key-cache entry expires")
    func revocationReachesTheOtherNode() async throws {
        let cache = 1.0
        let (a, b) = try await Self.nodes(train: [], keyCacheSeconds: cache)
        #expect(try await a.send("GET", "/v1/courses", key: "reader").status == 200)
        #expect(try await b.send("GET", "/v1/courses", key: "reader").status == 200)  // B now trusts the key
        // `lectern apikey revoke` on any machine: one row in the shared database.
        let keys = APIKeyRepository(a.db)
        #expect(try keys.revoke(id: try keys.resolve("reader").id))
        try await Task.sleep(for: .seconds(cache + 0.3))
        for node in [a, b] {
            let refused = try await node.send("GET", "/v1/courses", key: "reader")
            #expect(refused.status == 401)
            #expect(refused.errorCode == "revoked_api_key")
        }
        try await a.stop()
        try await b.stop()
    }

    @Test("a catalog change made beside node B is in B's next folded-in list (the catalog version is read per request)")
    func foldInFollowsTheCatalogAcrossNodes() async throws {
        let (a, b) = try await Self.nodes(train: [.popular])
        let added = try await a.send("POST", "/v1/users", key: "writer", json: ["external_id": "m", "interests": ["data-science"]])
        #expect(added.status == 201)
        let before = try await b.send("GET", "/v1/users/m/recommendations?algorithm=popular", key: "reader")
        #expect(before.object["folded_in"] as? Bool == true)
        #expect(before.slugs().first == "d")
        // Archive d from another process (the CLI on any machine): the catalog version moves.
        let courses = CourseRepository(a.db)
        var d = try #require(try courses.find(slug: "d"))
        d.status = .archived
        try courses.update(d)
        let after = try await b.send("GET", "/v1/users/m/recommendations?algorithm=popular", key: "reader")
        #expect(after.status == 200)
        #expect(!after.slugs().isEmpty && !after.slugs().contains("d"), "\(after.text)")
        try await a.stop()
        try await b.stop()
    }

    @Test("one event retried with the same Idempotency-Key on both nodes at once is stored once")
    func oneEventRetriedOnTwoNodesIsStoredOnce() async throws {
        let (a, b) = try await Self.nodes(train: [])
        let before = try a.count("interactions")
        for round in 0..<8 {
            async let first = Self.purchase(round, on: a)
            async let second = Self.purchase(round, on: b)
            let answers = try await [first, second]
            #expect(answers.map(\.status).sorted() == [200, 201], "\(answers.map(\.text))")
            #expect(answers.compactMap { $0.object["recorded"] as? Int }.sorted() == [0, 1])
            #expect(try a.db.scalarInt("SELECT count(*) FROM interactions WHERE idempotency_key = 'order-\(round)'") == 1)
        }
        #expect(try a.count("interactions") == before + 8)
        try await a.stop()
        try await b.stop()
    }

    @Test("while an experiment runs, both nodes serve a learner the same variant and log its impressions")
    func experimentVariantsAgreeAcrossNodes() async throws {
        let (a, b) = try await Self.nodes(train: [.itemknn, .popular])
        try ExperimentStore(a.db).create(name: "ab", variants: [("knn", .itemknn, 50), ("pop", .popular, 50)], windowDays: 7)
        var shown = 0
        for learner in ["a", "b", "c", "n"] {
            let onA = try await a.send("GET", "/v1/users/\(learner)/recommendations", key: "reader")
            let onB = try await b.send("GET", "/v1/users/\(learner)/recommendations", key: "reader")
            #expect(onA.status == 200 && onB.status == 200, "\(onA.text) \(onB.text)")
            let variant = onA.object["variant"] as? String
            #expect(variant != nil && variant == onB.object["variant"] as? String, "\(learner)")
            shown += onA.slugs().count + onB.slugs().count
        }
        #expect(shown > 0)
        #expect(try a.db.scalarInt("SELECT count(*) FROM impressions") == Int64(shown))
        try await a.stop()
        try await b.stop()
    }

    /// Learner n buys x, under the Idempotency-Key `order-ROUND`.
    static func purchase(_ round: Int, on node: ServerFixture) async throws -> HTTPResult {
        try await node.send("POST", "/v1/interactions", key: "writer",
                            json: ["user": "n", "course": "x", "kind": "purchase", "amount_minor": 4990 + round],
                            headers: ["Idempotency-Key": "order-\(round)"])
    }

    @Test("rate limits are per node: each node lets a key through its own burst")
    func rateLimitsArePerNode() async throws {
        let a = try ServerFixture(train: [], engine: .postgresql)
        let b = try ServerFixture(sharing: a)
        try await a.start(rateLimit: 0.01, burst: 1)
        try await b.start(rateLimit: 0.01, burst: 1)
        #expect(try await a.send("GET", "/v1/courses", key: "reader").status == 200)
        #expect(try await a.send("GET", "/v1/courses", key: "reader").status == 429)
        #expect(try await b.send("GET", "/v1/courses", key: "reader").status == 200)
        try await a.stop()
        try await b.stop()
    }
}
