import Foundation
import Hummingbird
@testable import LecternServer
import Testing

/// The router and the OpenAPI document, walked both ways (issue 21): an endpoint added on one side
/// only, or a request field renamed on one side only, fails here. Response fields are held by
/// `theOpenAPIDocumentIsServedAndDescribesRealAnswers`, whose checker refuses a key the document
/// does not name and misses a required one.
@Suite("The router and the document agree")
struct ContractDriftTests {
    /// Every (method, path) the document declares, paths as written there (`/v1/courses/{id}`).
    static func documentedOperations(_ checker: OpenAPIChecker) -> Set<String> {
        let paths = checker.document["paths"] as? [String: [String: Any]] ?? [:]
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        return Set(paths.flatMap { path, item in item.keys.filter(methods.contains).map { "\($0.uppercased()) \(path)" } })
    }

    /// Every (method, path) the server's router takes, built as `lectern serve` builds it.
    static func routedOperations() async throws -> Set<String> {
        let fixture = try ServerFixture(train: [])
        let pool = try AsyncDatabase(location: fixture.path, threadCount: 1, busyTimeoutMilliseconds: 1000)
        let router = Router(context: APIRequestContext.self)
        LecternAPI(pool: pool, metrics: Metrics(), limiter: RateLimiter(rate: 0, burst: 1), keys: KeyCache(ttl: .seconds(1)))
            .addRoutes(to: router)
        try await pool.shutdown()
        return Set(router.routes.map { route in
            // Hummingbird writes a parameter as `{id}` or `:id`; the document as `{id}`.
            let path = route.path.description.split(separator: "/").map { part in
                part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
            }.joined(separator: "/")
            return "\(route.method.rawValue) /\(path)"
        })
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedOperationIsRouted() async throws {
        let documented = Self.documentedOperations(try OpenAPIChecker.committed())
        let routed = try await Self.routedOperations()
        #expect(routed.count >= 10)
        #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented).sorted())")
        #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
    }

    /// The properties a request body's schema names, through `$ref`, `allOf` and `oneOf` (the union
    /// of the choices: a field any event kind takes).
    static func requestProperties(_ checker: OpenAPIChecker, method: String, path: String) -> Set<String> {
        let paths = checker.document["paths"] as? [String: [String: Any]] ?? [:]
        let operation = paths[path]?[method] as? [String: Any] ?? [:]
        let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any] ?? [:]
        let schema = (content["application/json"] as? [String: Any])?["schema"] as? [String: Any] ?? [:]
        return properties(checker, schema)
    }

    static func properties(_ checker: OpenAPIChecker, _ raw: [String: Any]) -> Set<String> {
        var schema = raw
        if let ref = raw["$ref"] as? String {
            let components = (checker.document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
            schema = components[String(ref.split(separator: "/").last!)] as? [String: Any] ?? [:]
        }
        var names = Set((schema["properties"] as? [String: Any] ?? [:]).keys)
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in schema[key] as? [[String: Any]] ?? [] { names.formUnion(properties(checker, part)) }
        }
        if let items = schema["items"] as? [String: Any] { names.formUnion(properties(checker, items)) }
        return names
    }

    @Test func requestBodiesNameTheFieldsTheServerReads() throws {
        let checker = try OpenAPIChecker.committed()
        let bodies: [(method: String, path: String, fields: [String])] = [
            ("post", "/v1/users", NewLearnerInput.CodingKeys.allCases.map(\.stringValue)),
            ("post", "/v1/interactions", EventBody.CodingKeys.allCases.map(\.stringValue)),
            ("put", "/v1/users/{id}/marketing-consent", MarketingConsentInput.CodingKeys.allCases.map(\.stringValue)),
        ]
        for body in bodies {
            let documented = Self.requestProperties(checker, method: body.method, path: body.path)
            let read = Set(body.fields)
            #expect(!documented.isEmpty, "\(body.path) documents no request body")
            #expect(read.subtracting(documented).isEmpty, "\(body.path): read but not documented: \(read.subtracting(documented).sorted())")
            #expect(documented.subtracting(read).isEmpty, "\(body.path): documented but not read: \(documented.subtracting(read).sorted())")
        }
        // Every documented request body is in the list above.
        let paths = checker.document["paths"] as? [String: [String: Any]] ?? [:]
        let withBodies = paths.flatMap { path, item in
            item.compactMap { method, operation in (operation as? [String: Any])?["requestBody"] != nil ? "\(method) \(path)" : nil }
        }
        #expect(Set(withBodies) == Set(bodies.map { "\($0.method) \($0.path)" }))
    }

    /// The checker behind the response half: a renamed field is an undocumented key plus a missing
    /// required one.
    @Test func aResponseFieldRenamedOnTheServerIsCaught() throws {
        let checker = try OpenAPIChecker.committed()
        let course = #"{"id": 1, "slug": "d", "title": "D", "course_slug": "d"}"#
        let problems = checker.problems(method: "GET", path: "/v1/courses/d", status: 200, body: Data(course.utf8))
        #expect(problems.contains { $0.contains("'course_slug', which the document does not name") }, "\(problems)")
    }
}
