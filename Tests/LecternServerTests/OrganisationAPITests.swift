import Foundation
import LecternCore
@testable import LecternServer
import LecternService
import LecternStore
import Testing
import LecternTestSupport

/// Organisations over HTTP, and keys scoped to one: organisation A's key asking for organisation B's
/// data gets "not found" from every endpoint, as if B's members did not exist (issue 19 point 6).
@Suite("Organisations over HTTP")
struct OrganisationAPITests {
    static let due: Int64 = 4_000_000_000

    /// acme holds a (team data), beta holds b; both are assigned course e. Keys: acme-read and
    /// acme-write scoped to acme.
    static func fixture(_ engine: TestEngine) throws -> (ServerFixture, [String: String]) {
        let f = try ServerFixture(train: [.itemknn], engine: engine)
        let organisations = OrganisationRepository(f.db)
        for (slug, learner) in [("acme", "a"), ("beta", "b")] {
            try organisations.create(Organisation(slug: slug, name: slug.capitalized, seats: 5))
            try organisations.addMember(OrgMember(externalID: learner, team: "data"), to: slug)
            _ = try AssignmentService(f.db).assign(org: slug, to: .user(learner), work: .course("e"), dueAt: Self.due)
        }
        let acme = try organisations.resolve("acme").id
        var tokens: [String: String] = [:]
        for (name, scope) in [("acme-read", APIKey.Scope.read), ("acme-write", .write)] {
            tokens[name] = "Bearer " + (try APIToken.createKey(name: name, scope: scope, orgID: acme, in: APIKeyRepository(f.db)).token)
        }
        return (f, tokens)
    }

    @Test func aScopedKeySeesItsOwnMembersAndNobodyElse() async throws { try await Self.aScopedKeySeesItsOwnMembersAndNobodyElse(.sqlite) }
    static func aScopedKeySeesItsOwnMembersAndNobodyElse(_ engine: TestEngine) async throws {
        let (f, tokens) = try fixture(engine)
        try await f.start()
        let read = tokens["acme-read"]!, write = tokens["acme-write"]!
        // Its own member.
        #expect(try await f.send("GET", "/v1/users/a/recommendations?algorithm=itemknn", token: read).status == 200)
        let mine = try await f.send("GET", "/v1/users/a/assignments", token: read)
        #expect(mine.status == 200 && mine.object["org"] as? String == "acme")
        #expect((mine.object["items"] as? [[String: Any]])?.map { $0["course"] as? String } == ["e"])
        let team = try await f.send("GET", "/v1/orgs/acme/assignments?team=data&status=started", token: read)
        #expect(team.status == 200 && (team.object["items"] as? [Any])?.count == 1, "\(team.object)")
        // Organisation B's learner and organisation: the same 404 as someone who does not exist.
        for path in ["/v1/users/b/recommendations?algorithm=itemknn", "/v1/users/b/assignments"] {
            let answer = try await f.send("GET", path, token: read)
            let nobody = try await f.send("GET", path.replacingOccurrences(of: "/b/", with: "/nobody/"), token: read)
            #expect(answer.status == 404 && answer.errorMessage == "no learner 'b'", "\(path)")
            #expect(nobody.status == 404 && nobody.errorCode == answer.errorCode, "\(path)")
        }
        let other = try await f.send("GET", "/v1/orgs/beta/assignments", token: read)
        #expect(other.status == 404 && other.errorMessage == "no organisation 'beta'")
        // Writes: for its members alone, a batch naming B's learner refused whole; no learners added.
        let refused = try await f.send("POST", "/v1/interactions", token: write,
                                       json: [["user": "a", "course": "f", "kind": "view"], ["user": "b", "course": "f", "kind": "view"]])
        #expect(refused.status == 404 && refused.errorMessage == "event 1: no learner 'b'")
        #expect(try await f.send("POST", "/v1/interactions", token: write, json: ["user": "b", "course": "f", "kind": "view"]).status == 404)
        #expect(try InteractionRepository(f.db).count(ofUser: try LearnerRepository(f.db).resolve("a").id) == 8)
        #expect(try await f.send("POST", "/v1/interactions", token: write, json: ["user": "a", "course": "f", "kind": "view"]).status == 201)
        let added = try await f.send("POST", "/v1/users", token: write, json: ["external_id": "z"])
        #expect(added.status == 403 && added.errorCode == "insufficient_scope")
        // An unscoped key sees everyone; a learner in no organisation has no assignments.
        #expect(try await f.send("GET", "/v1/orgs/beta/assignments", key: "reader").status == 200)
        let none = try await f.send("GET", "/v1/users/c/assignments", key: "reader")
        #expect(none.status == 200 && (none.object["items"] as? [Any])?.isEmpty == true && none.object["org"] == nil)
        #expect(try await f.send("GET", "/v1/orgs/acme/assignments?status=lost", key: "reader").status == 400)
        try await f.stop()

        try f.expectAnswersMatchTheDocument()
    }
}
