import Foundation
import LecternCore
import LecternRecommender
import LecternServer
import LecternService
import LecternSQLite
import LecternStore
import Logging
import Testing
import LecternTestSupport

/// A small platform built by hand in a temporary database file, with a running server over it.
///
/// Courses: d, e, f (data-science, published), g (draft), h (archived), x (finance, published,
/// nobody has touched it, tagged like d). Learners: a bought d and e; b bought d, e and f;
/// c bought d; n is new. Keys: `reader` (read), `writer` (write), `gone` (write, revoked).
///
/// `@unchecked Sendable` so a test may send two requests at once: what is shared then (`base`,
/// `tokens`, the recorder) is set before the requests and only read while they run.
final class ServerFixture: @unchecked Sendable {
    let directory: URL
    /// The SQLite file, or the PostgreSQL database's URL (with its password).
    let path: String
    let db: Database
    /// On PostgreSQL, drops the database the fixture made.
    private let dropDatabase: (() -> Void)?
    var courses: [String: Int64] = [:]
    var tokens: [String: String] = [:]
    private(set) var server: RunningServer?
    /// Every answer this fixture's requests got, for the OpenAPI check.
    let recorder = Recorder()
    /// What the server logged.
    let logs = LogLines()

    /// Where the server listens.
    var base: String { "http://127.0.0.1:\(server!.port)" }

    /// - Parameters:
    ///   - train: the algorithms trained before the server starts.
    ///   - engine: SQLite (a file in a temporary folder) or PostgreSQL (a fresh database on
    ///     LECTERN_TEST_PG, dropped when the fixture goes).
    init(train: [Algorithm] = Algorithm.allCases, engine: TestEngine = .sqlite) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lectern-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        switch engine {
        case .sqlite:
            path = directory.appendingPathComponent("test.db").path
            dropDatabase = nil
        case .postgresql:
            (path, dropDatabase) = try TestPostgres.makeDatabase()
        }
        db = try LecternDatabase.open(path: path)
        try populate(train: train)
    }

    /// Another fixture's database under a second server (a second API node).
    init(sharing other: ServerFixture) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lectern-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = other.path
        dropDatabase = nil
        db = try LecternDatabase.open(path: path)
        courses = other.courses
        tokens = other.tokens
    }

    private func populate(train: [Algorithm]) throws {
        let ada = try CreatorRepository(db).create(Creator(name: "Ada", revenueShare: 0.7))
        let bob = try CreatorRepository(db).create(Creator(name: "Bob", revenueShare: 0.6))
        let repo = CourseRepository(db)
        let specs: [(String, String, Int64, Int64, [String])] = [
            ("d", "data-science", ada.id, 1000, ["python", "pandas"]),
            ("e", "data-science", ada.id, 2000, ["python", "statistics"]),
            ("f", "data-science", bob.id, 3000, ["statistics", "machine-learning"]),
            ("g", "data-science", ada.id, 4000, ["python"]),
            ("h", "data-science", bob.id, 5000, ["python"]),
            ("x", "finance", bob.id, 4990, ["python", "pandas"]),
        ]
        for (slug, domain, creatorID, price, tags) in specs {
            let course = try repo.create(Course(slug: slug, title: "Course \(slug.uppercased())",
                                                description: "All about \(tags.joined(separator: " and "))", domain: domain,
                                                priceMinor: price, creatorID: creatorID, status: .published,
                                                createdAt: 1_700_000_000))
            try repo.tag(courseID: course.id, with: tags)
            courses[slug] = course.id
        }
        let people = LearnerRepository(db)
        var learners: [String: Int64] = [:]
        for name in ["a", "b", "c", "n"] {
            learners[name] = try people.create(Learner(externalID: name, createdAt: 1_700_000_000)).id
        }
        var time: Int64 = 1_700_000_000
        for (learner, bought) in [("a", ["d", "e", "g", "h"]), ("b", ["d", "e", "f", "g", "h"]), ("c", ["d"])] {
            for slug in bought {
                time += 60
                for kind in [Interaction.Kind.view, .purchase] {
                    _ = try InteractionRepository(db).record(Interaction(userID: learners[learner]!, courseID: courses[slug]!,
                                                                         kind: kind, occurredAt: time + (kind == .view ? 0 : 10)))
                }
            }
        }
        for (slug, status) in [("g", Course.Status.draft), ("h", .archived)] {
            var course = try repo.find(slug: slug)!
            course.status = status
            try repo.update(course)
        }
        if !train.isEmpty { try RecommendationService(db).train(train, options: Self.options()) }
        let keys = APIKeyRepository(db)
        for (name, scope) in [("reader", APIKey.Scope.read), ("writer", .write), ("gone", .write)] {
            tokens[name] = try APIToken.createKey(name: name, scope: scope, in: keys).token
        }
        try keys.revoke(id: try keys.resolve("gone").id)
    }

    static func options() -> TrainingOptions {
        var options = TrainingOptions()
        options.als = ALSParameters(factors: 2, regularization: 0.5, iterations: 10, seed: 7)
        options.listLength = 5
        return options
    }

    /// Starts the server on a free loopback port.
    func start(rateLimit: Double = 0, burst: Int = 1, maxBodyBytes: Int = 1 << 20, idleTimeoutSeconds: Int64 = 30,
               keyCacheSeconds: Double = 0, lockTimeoutMilliseconds: Int32 = 2_000) async throws {
        var configuration = ServerConfiguration(databaseLocation: path)
        configuration.port = 0
        configuration.rateLimit = rateLimit
        configuration.burst = burst
        configuration.maxBodyBytes = maxBodyBytes
        configuration.idleTimeoutSeconds = idleTimeoutSeconds
        configuration.databaseThreads = 4
        configuration.keyCacheSeconds = keyCacheSeconds  // 0: revocations are seen at once
        configuration.busyTimeoutMilliseconds = lockTimeoutMilliseconds
        configuration.logger = Logger(label: "test") { [logs] _ in CapturingLogHandler(lines: logs) }
        server = try await LecternServer.start(configuration)
    }

    func stop() async throws {
        try await server?.stop()
        server = nil
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
        dropDatabase?()
    }

    /// Checks every answer recorded so far against the committed OpenAPI document.
    func expectAnswersMatchTheDocument(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let checker = try OpenAPIChecker.committed()
        for answer in recorder.all {
            let problems = checker.problems(method: answer.method, path: answer.path, status: answer.status, body: answer.body,
                                            headers: answer.headers)
            #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)
        }
    }

    func count(_ table: String) throws -> Int {
        Int(try db.scalarInt("SELECT count(*) FROM \(table)") ?? -1)
    }

    // MARK: HTTP

    /// Sends one request with `key`'s token (or `token` as given) and returns what came back.
    func send(_ method: String, _ path: String, key: String? = nil, token: String? = nil, json: Any? = nil,
              body: Data? = nil, headers: [String: String] = [:]) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let key { request.setValue("Bearer \(tokens[key]!)", forHTTPHeaderField: "Authorization") }
        if let token { request.setValue(token, forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed])
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await Self.session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
        let result = HTTPResult(method: method, path: path, status: http.statusCode, headers: fields, body: data)
        recorder.append(result)
        return result
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        configuration.httpAdditionalHeaders = ["Expect": ""]
        return URLSession(configuration: configuration)
    }()
}

#if canImport(FoundationNetworking)
@_exported import FoundationNetworking
#endif

/// One answer from the server.
struct HTTPResult: Sendable {
    let method: String
    let path: String
    let status: Int
    let headers: [String: String]
    let body: Data

    var object: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    var text: String { String(decoding: body, as: UTF8.self) }
    /// `error.code` of an error body.
    var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (object["error"] as? [String: Any])?["message"] as? String }
    /// The `slug` of each item of `key`'s array.
    func slugs(_ key: String = "items") -> [String] {
        (object[key] as? [[String: Any]] ?? []).compactMap { $0["slug"] as? String }
    }
}

/// Collects answers (thread-safe).
final class Recorder: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [HTTPResult] = []

    func append(_ result: HTTPResult) { lock.withLock { results.append(result) } }
    var all: [HTTPResult] { lock.withLock { results } }
}

/// Lines a server logged (thread-safe).
final class LogLines: @unchecked Sendable {
    struct Line {
        let level: Logger.Level
        let message: String
        /// The logger's metadata (such as `hb.request.id`) and the line's own, as text.
        let metadata: [String: String]
    }

    private let lock = NSLock()
    private var lines: [Line] = []

    func append(_ line: Line) { lock.withLock { lines.append(line) } }
    var all: [Line] { lock.withLock { lines } }
}

/// Keeps every line at `info` and above in a `LogLines`.
struct CapturingLogHandler: LogHandler {
    let lines: LogLines
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lines.append(.init(level: event.level, message: event.message.description, metadata: all.mapValues(\.description)))
    }
}
