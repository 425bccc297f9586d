import Foundation
import OpenAPIRuntime
import Testing

/// The HTTP API as a storefront team meets it: through a client generated from the committed
/// document (swift-openapi-generator, at build time), against a live server. Every endpoint, keys,
/// paging, an idempotent retry, a batch refused whole, and a 429.
@Suite("A generated Swift client")
struct GeneratedClientTests {
    @Test func drivesEveryEndpoint() async throws {
        let f = try ClientFixture()
        try await f.start()
        let anonymous = f.client(), reader = f.client("reader"), writer = f.client("writer")

        #expect(try await anonymous.health().ok.body.json.status == "ok")
        #expect(try await anonymous.ready().ok.body.json.models.count == 4)
        _ = try await anonymous.openapi().ok
        _ = try await reader.metrics().ok
        if case .unauthorized = try await anonymous.metrics() {} else { Issue.record("metrics without a key") }

        // Paging: two courses, then the rest.
        let first = try await reader.listCourses(query: .init(limit: 2)).ok.body.json
        #expect(first.courses.map(\.slug).count == 2 && first.next_offset == 2)
        let rest = try await reader.listCourses(query: .init(limit: 2, offset: 2)).ok.body.json
        #expect(Set(first.courses.map(\.slug) + rest.courses.map(\.slug)) == ["d", "e", "f", "x"])
        #expect(try await reader.getCourse(path: .init(id: "d")).ok.body.json.value1.slug == "d")
        if case .notFound = try await reader.getCourse(path: .init(id: "zz")) {} else { Issue.record("an unknown course") }
        #expect(try await reader.similarCourses(path: .init(id: "d")).ok.body.json.items.map(\.slug).contains("e"))

        // A learner, created once; a read key may not write.
        _ = try await writer.createUser(body: .json(.init(external_id: "m", interests: ["data-science"]))).created
        if case .conflict = try await writer.createUser(body: .json(.init(external_id: "m"))) {} else { Issue.record("a second m") }
        if case .forbidden = try await reader.createUser(body: .json(.init(external_id: "o"))) {} else { Issue.record("a read key wrote") }

        // An event retried with its key is recorded once.
        // Events are typed by kind (the document's oneOf with a discriminator on kind).
        let view = Components.Schemas.Event.view(.init(user: "m", course: .case1("d"), kind: .view))
        let recorded = try await writer.recordInteractions(headers: .init(Idempotency_hyphen_Key: "m-view-d"), body: .json(.Event(view)))
        #expect(try recorded.created.body.json.recorded == 1)
        let retried = try await writer.recordInteractions(headers: .init(Idempotency_hyphen_Key: "m-view-d"), body: .json(.Event(view)))
        #expect(try retried.ok.body.json.duplicates == 1)
        let rated = Components.Schemas.Event.rate(.init(user: "m", course: .case1("d"), kind: .rate, rating: 5))
        _ = try await writer.recordInteractions(body: .json(.Event(rated))).created
        let dismissed = Components.Schemas.Event.dismiss(.init(user: "m", course: .case1("x"), kind: .dismiss, reason: .not_hyphen_relevant))
        _ = try await writer.recordInteractions(body: .json(.Event(dismissed))).created

        // A batch with one bad event is refused whole: its good event is still new afterwards.
        let good = Components.Schemas.Event.wishlist(.init(user: "m", course: .case1("e"), kind: .wishlist))
        let bad = Components.Schemas.Event.view(.init(user: "m", course: .case1("no-such-course"), kind: .view))
        switch try await writer.recordInteractions(body: .json(.case2([good, bad]))) {
        case .notFound, .badRequest: break
        default: Issue.record("a batch with an unknown course was not refused")
        }
        #expect(try await writer.recordInteractions(body: .json(.Event(good))).created.body.json.recorded == 1)

        // Recommendations: m's list is folded in from what m just did.
        let list = try await reader.recommendations(path: .init(id: "m"), query: .init(limit: 3, explain: true)).ok.body.json
        #expect(list.user == "m" && list.folded_in == true && !list.items.isEmpty)
        if case .notFound = try await reader.recommendations(path: .init(id: "nobody")) {} else { Issue.record("an unknown learner") }

        // Organisations: a learner's assignments and a manager's view of the team.
        let mine = try await reader.learnerAssignments(path: .init(id: "a")).ok.body.json
        #expect(mine.org == "acme" && mine.items.map(\.course) == ["f"])
        let team = try await reader.organisationAssignments(path: .init(org: "acme"), query: .init(team: "data")).ok.body.json
        #expect(team.items.map(\.user) == ["a"] && team.items.first?.status == .assigned)
        if case .notFound = try await reader.organisationAssignments(path: .init(org: "nope")) {} else { Issue.record("an unknown organisation") }
        try await f.stop()
    }

    @Test func aClientOverItsRateIsAnswered429WithRetryAfter() async throws {
        let f = try ClientFixture()
        try await f.start(rateLimit: 0.01, burst: 2)
        let reader = f.client("reader")
        var limited: Operations.getCourse.Output.TooManyRequests?
        for _ in 0..<5 where limited == nil {
            if case .tooManyRequests(let answer) = try await reader.getCourse(path: .init(id: "d")) { limited = answer }
        }
        let answer = try #require(limited)
        #expect((answer.headers.Retry_hyphen_After ?? 0) >= 1)
        try await f.stop()
    }
}
