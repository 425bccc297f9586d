import Foundation
import HTTPTypes
import LecternCore
import LecternServer
import LecternService
import LecternStore
import OpenAPIRuntime
import OpenAPIURLSession

/// A small platform in a real database file, served by a real `lectern serve` on a free loopback
/// port, and clients generated from the committed document to talk to it.
///
/// Courses d, e, f (data-science) and x (finance); learners a and b bought d and e, b also f, c
/// bought d. Keys: reader (read scope) and writer (write scope).
final class ClientFixture: @unchecked Sendable {
    let directory: URL
    let path: String
    private(set) var tokens: [String: String] = [:]
    private var server: RunningServer?

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lectern-client-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("client.db").path
        let db = try LecternDatabase.open(path: path)
        let creator = try CreatorRepository(db).create(Creator(name: "Ada", revenueShare: 0.7))
        var courses: [String: Int64] = [:]
        for (slug, domain) in [("d", "data-science"), ("e", "data-science"), ("f", "data-science"), ("x", "finance")] {
            courses[slug] = try CourseRepository(db).create(Course(
                slug: slug, title: "Course \(slug.uppercased())", description: "All about \(domain)", domain: domain,
                priceMinor: 1990, creatorID: creator.id, status: .published, createdAt: 1_700_000_000)).id
        }
        var time: Int64 = 1_700_000_000
        for (name, bought) in [("a", ["d", "e"]), ("b", ["d", "e", "f"]), ("c", ["d"])] {
            let learner = try LearnerRepository(db).create(Learner(externalID: name, createdAt: time))
            for slug in bought {
                time += 60
                _ = try InteractionRepository(db).record(Interaction(userID: learner.id, courseID: courses[slug]!, kind: .purchase,
                                                                     occurredAt: time))
            }
        }
        var options = TrainingOptions()
        options.listLength = 5
        try RecommendationService(db).train([.itemknn, .popular, .content, .hybrid], options: options)
        // acme: learner a in team data, assigned course f.
        try OrganisationRepository(db).create(Organisation(slug: "acme", name: "Acme", seats: 5))
        try OrganisationRepository(db).addMember(OrgMember(externalID: "a", team: "data"), to: "acme")
        _ = try AssignmentService(db).assign(org: "acme", to: .user("a"), work: .course("f"), dueAt: 4_000_000_000)
        for (name, scope) in [("reader", APIKey.Scope.read), ("writer", .write)] {
            tokens[name] = try APIToken.createKey(name: name, scope: scope, in: APIKeyRepository(db)).token
        }
    }

    /// Starts the server; `rateLimit` requests a second per key, after a burst of `burst`.
    func start(rateLimit: Double = 1000, burst: Int = 1000) async throws {
        var configuration = ServerConfiguration(databasePath: path)
        configuration.port = 0
        configuration.rateLimit = rateLimit
        configuration.burst = burst
        configuration.keyCacheSeconds = 0
        configuration.databaseThreads = 2
        server = try await LecternServer.start(configuration)
    }

    func stop() async throws {
        try await server?.stop()
        server = nil
    }

    /// A generated client with `key`'s token (none: no Authorization header).
    func client(_ key: String? = nil) -> Client {
        Client(serverURL: URL(string: "http://127.0.0.1:\(server!.port)")!, transport: URLSessionTransport(),
               middlewares: key.map { [BearerToken(token: tokens[$0]!)] } ?? [])
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Sends the API key as the document's `apiKey` scheme (HTTP bearer) asks.
struct BearerToken: ClientMiddleware {
    let token: String

    func intercept(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
                   next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)) async throws
        -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = "Bearer \(token)"
        return try await next(request, body, baseURL)
    }
}
