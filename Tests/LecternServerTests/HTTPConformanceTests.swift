import Foundation
import LecternServer
import Testing

/// What happens below the routes, on raw sockets: requests the HTTP/1 parser refuses, bodies over the
/// limit, methods a path does not take. Every such answer has the JSON error body the document describes.
@Suite("lectern serve HTTP conformance")
struct HTTPConformanceTests {
    static let head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"

    /// Requests that never reach the router: a garbage request line, one 1 MB header, 10,000 headers.
    static let refused: [(name: String, request: String, code: String)] = [
        ("garbage request line", "\u{1}\u{2}GARBAGE\r\n\r\n", "malformed_request"),
        ("unknown method", "BREW /pot HTCPCP/1.0\r\n\r\n", "malformed_request"),
        ("1 MB header", head + "X-Big: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n", "headers_too_large"),
        ("10,000 headers", head + (0..<10_000).map { "X-Field-\($0): v\r\n" }.joined() + "\r\n", "headers_too_large"),
    ]

    @Test(arguments: refused.indices)
    func requestsTheParserRefusesAreAnswered400WithTheErrorBodyAndClosed(_ index: Int) async throws {
        let (name, request, code) = Self.refused[index]
        let checker = try OpenAPIChecker.committed()
        let f = try ServerFixture(train: [])
        try await f.start(idleTimeoutSeconds: 600)
        let (answers, closed) = try await RawConnection.exchange(port: f.server!.port, request)
        #expect(answers.count == 1, "\(name)")
        let answer = try #require(answers.first, "\(name)")
        #expect(answer.status == 400, "\(name)")
        #expect(answer.errorCode == code, "\(name)")
        #expect(answer.headers["content-type"] == "application/json; charset=utf-8", "\(name)")
        #expect(checker.problems(response: "MalformedRequest", body: answer.body, headers: answer.headers, at: name).isEmpty, "\(name)")
        #expect(closed, "\(name): the connection stays open")
        #expect(try await f.send("GET", "/healthz").status == 200)
        try await f.stop()
    }

    /// Garbage after a good request on a kept-alive connection: the good one is answered first.
    @Test func garbageAfterAGoodRequestIsAnsweredAfterIt() async throws {
        let f = try ServerFixture(train: [])
        try await f.start(idleTimeoutSeconds: 600)
        let (answers, closed) = try await RawConnection.exchange(port: f.server!.port, Self.head + "\r\nNOT HTTP AT ALL\r\n\r\n")
        #expect(answers.map(\.status) == [200, 400])
        #expect(answers.last?.errorCode == "malformed_request")
        #expect(answers.last?.headers["connection"] == "close")
        #expect(closed)
        try await f.stop()
    }

    /// Chunked framing that breaks inside a body is that request's one answer, and ends the connection.
    @Test func aMalformedChunkedBodyIsAnsweredOnceAndClosed() async throws {
        let f = try ServerFixture(train: [])
        try await f.start(idleTimeoutSeconds: 600)
        let before = try f.count("interactions")
        func post(_ authorization: String) -> String {
            "POST /v1/interactions HTTP/1.1\r\nHost: 127.0.0.1\r\n\(authorization)Transfer-Encoding: chunked\r\n\r\n"
                + "zz\r\n{}\r\n0\r\n\r\n"
        }
        let (answers, closed) = try await RawConnection.exchange(port: f.server!.port, post("Authorization: Bearer \(f.tokens["writer"]!)\r\n"))
        #expect(answers.map(\.status) == [400])
        #expect(answers.first?.errorCode == "malformed_request")
        #expect(answers.first?.headers["connection"] == "close")
        #expect(closed)
        // Refused before its body is read: that answer only, not a second one for the framing.
        let (unauthorized, closedToo) = try await RawConnection.exchange(port: f.server!.port, post(""))
        #expect(unauthorized.map(\.status) == [401])
        #expect(unauthorized.first?.errorCode == "missing_api_key")
        #expect(closedToo)
        #expect(try f.count("interactions") == before)
        try await f.stop()
    }

    /// Over `--max-body`, by Content-Length or by chunks read: 413 with `Connection: close`, then the
    /// connection closes although the client never sent the rest of the body.
    @Test func aBodyOverTheLimitIs413AndClosesTheConnectionUnread() async throws {
        let checker = try OpenAPIChecker.committed()
        let f = try ServerFixture(train: [])
        try await f.start(maxBodyBytes: 1_024, idleTimeoutSeconds: 600)
        let before = try f.count("interactions")
        let users = try f.count("users")
        func start(_ path: String) -> String {
            "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(f.tokens["writer"]!)\r\n"
        }
        let chunk = "3e8\r\n" + String(repeating: " ", count: 1_000) + "\r\n"
        let requests = [
            ("chunked", "/v1/interactions", start("/v1/interactions") + "Transfer-Encoding: chunked\r\n\r\n" + chunk + chunk),  // 2,000 bytes, no last chunk
            ("Content-Length", "/v1/interactions", start("/v1/interactions") + "Content-Length: 1000000\r\n\r\n" + String(repeating: " ", count: 100)),
            ("chunked learner", "/v1/users", start("/v1/users") + "Transfer-Encoding: chunked\r\n\r\n" + chunk + chunk),
        ]
        for (name, path, request) in requests {
            let (answers, closed) = try await RawConnection.exchange(port: f.server!.port, request)
            #expect(answers.map(\.status) == [413], "\(name)")
            let answer = try #require(answers.first, "\(name)")
            #expect(answer.errorCode == "body_too_large", "\(name)")
            #expect(answer.errorMessage == (name == "Content-Length" ? "the request body is 1000000 bytes; the limit is 1024"
                                                                       : "the request body is over the limit of 1024 bytes"), "\(name)")
            #expect(answer.headers["connection"] == "close", "\(name)")
            #expect(checker.problems(method: "POST", path: path, status: 413, body: answer.body,
                                     headers: answer.headers).isEmpty, "\(name)")
            #expect(closed, "\(name): the server waits for the rest of the body")
        }
        #expect(try f.count("interactions") == before)
        #expect(try f.count("users") == users)
        try await f.stop()
    }

    @Test func aMethodAKnownPathDoesNotTakeIs405WithAllow() async throws {
        let f = try ServerFixture(train: [])
        try await f.start()
        for (method, path, allow) in [("DELETE", "/v1/courses/d", "GET"), ("PUT", "/v1/courses/d/similar", "GET"),
                                      ("GET", "/v1/interactions", "POST"), ("DELETE", "/v1/users", "POST"),
                                      ("POST", "/healthz", "GET"), ("PATCH", "/openapi.json", "GET")] {
            let answer = try await f.send(method, path, key: "writer")
            #expect(answer.status == 405, "\(method) \(path)")
            #expect(answer.headers["allow"] == allow, "\(method) \(path)")
            #expect(answer.errorCode == "method_not_allowed", "\(method) \(path)")
            #expect(answer.headers["content-type"] == "application/json; charset=utf-8", "\(method) \(path)")
        }
        let unknown = try await f.send("DELETE", "/v1/nothing/here", key: "writer")
        #expect(unknown.status == 404)
        #expect(unknown.headers["allow"] == nil)
        #expect(unknown.errorCode == "not_found")
        let metrics = try await f.send("GET", "/metrics", key: "reader")
        #expect(metrics.text.contains("lectern_http_requests_total{route=\"/v1/users\",method=\"DELETE\",status=\"405\"} 1"))
        try await f.stop()
    }
}
