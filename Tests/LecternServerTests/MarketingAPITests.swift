import Foundation
import LecternCore
@testable import LecternServer
import LecternStore
import Testing

/// A course's audience over HTTP (keys of the marketing scope alone) and learners' marketing consent.
@Suite("Marketing over HTTP")
struct MarketingAPITests {
    @Test func audiencesNeedAMarketingKeyAndListOnlyOptedInLearners() async throws {
        let f = try ServerFixture(train: [.itemknn, .als])
        let marketer = "Bearer " + (try APIToken.createKey(name: "marketer", scope: .marketing, in: APIKeyRepository(f.db)).token)
        try await f.start()
        // Read and write keys may not read audiences.
        for key in ["reader", "writer"] {
            let refused = try await f.send("GET", "/v1/courses/e/audience", key: key)
            #expect(refused.status == 403 && refused.errorCode == "insufficient_scope", "\(key)")
        }
        // a and b took course e; c took its neighbour d, but has not opted in: nobody to tell yet.
        let empty = try await f.send("GET", "/v1/courses/e/audience", token: marketer)
        #expect(empty.status == 200 && empty.object["takers"] as? Int == 2 && (empty.object["learners"] as? [Any])?.isEmpty == true,
                "\(empty.object)")
        let consent = try await f.send("PUT", "/v1/users/c/marketing-consent", key: "writer", json: ["marketing_opt_in": true])
        #expect(consent.status == 200 && consent.object["marketing_opt_in"] as? Bool == true)
        let audience = try await f.send("GET", "/v1/courses/e/audience?limit=5", token: marketer)
        let learners = audience.object["learners"] as? [[String: Any]] ?? []
        #expect(audience.status == 200 && learners.map { $0["external_id"] as? String } == ["c"], "\(audience.object)")
        #expect(audience.object["method"] as? String == "itemknn")
        #expect(try await f.send("GET", "/v1/courses/e/audience?method=als", token: marketer).status == 200)
        // A marketing key also reads what a read key reads, and writes nothing.
        #expect(try await f.send("GET", "/v1/courses/e/similar", token: marketer).status == 200)
        #expect(try await f.send("PUT", "/v1/users/c/marketing-consent", token: marketer, json: ["marketing_opt_in": false]).status == 403)
        // Bad input.
        #expect(try await f.send("GET", "/v1/courses/nope/audience", token: marketer).status == 404)
        #expect(try await f.send("GET", "/v1/courses/e/audience?method=magic", token: marketer).status == 400)
        #expect(try await f.send("GET", "/v1/courses/e/audience?limit=0", token: marketer).status == 400)
        #expect(try await f.send("PUT", "/v1/users/c/marketing-consent", key: "writer", json: ["marketing_opt_in": "yes"]).status == 400)
        #expect(try await f.send("PUT", "/v1/users/c/marketing-consent", key: "writer", json: ["opt_in": true]).status == 400)
        #expect(try await f.send("PUT", "/v1/users/c/marketing-consent", key: "writer",
                                 json: ["marketing_opt_in": true, "email": "x@y.z"]).status == 400)
        #expect(try await f.send("PUT", "/v1/users/ghost/marketing-consent", key: "writer", json: ["marketing_opt_in": true]).status == 404)
        // Consent given when the learner is registered; withdrawn later.
        let added = try await f.send("POST", "/v1/users", key: "writer", json: ["external_id": "m", "marketing_opt_in": true])
        #expect(added.status == 201 && added.object["marketing_opt_in"] as? Bool == true)
        let withdrawn = try await f.send("PUT", "/v1/users/c/marketing-consent", key: "writer", json: ["marketing_opt_in": false])
        #expect(withdrawn.status == 200 && withdrawn.object["marketing_opt_in"] as? Bool == false)
        #expect((try await f.send("GET", "/v1/courses/e/audience", token: marketer).object["learners"] as? [Any])?.isEmpty == true)
        try await f.stop()

        try f.expectAnswersMatchTheDocument()
    }
}
