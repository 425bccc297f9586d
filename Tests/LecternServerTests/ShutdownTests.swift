import Foundation
import LecternServer
import Testing

@Suite("lectern serve shutdown")
struct ShutdownTests {
    /// A request whose body is still arriving when shutdown starts is finished and answered.
    @Test func aRequestInFlightFinishesDuringGracefulShutdown() async throws {
        let f = try ServerFixture(train: [])
        try await f.start()
        let before = try f.count("interactions")
        let port = f.server!.port
        let body = #"{"user": "n", "course": "d", "kind": "view"}"#
        let connection = try RawConnection(port: port)
        defer { connection.close() }
        func head(_ body: String) -> String {
            "POST /v1/interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(f.tokens["writer"]!)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        }
        // One whole request answered first, so the server is reading this connection however loaded the
        // machine is; then the next one's head and part of its body.
        let other = #"{"user": "n", "course": "e", "kind": "view"}"#  // not a repeat of the one held half-sent
        connection.send(head(other) + other)
        let first = await RawConnection.onThread { connection.readResponse() }
        #expect(first.hasPrefix("HTTP/1.1 201"), "\(first)")
        connection.send(head(body) + body.prefix(10))
        try await Task.sleep(for: .milliseconds(500))  // the server has the head and part of the body
        let server = f.server!
        let stopping = Task { try await server.stop() }
        // No new connections once the listener is closed: give a loaded machine up to 10 s to get there.
        var refused = false
        for _ in 0..<200 where !refused {
            try await Task.sleep(for: .milliseconds(50))
            do {
                let probe = try RawConnection(port: port)
                probe.close()
            } catch {
                refused = true
            }
        }
        #expect(refused)
        connection.send(String(body.dropFirst(10)))
        let answer = connection.readToEnd()
        try await stopping.value
        #expect(answer.hasPrefix("HTTP/1.1 201"), "\(answer)")
        #expect(try f.count("interactions") == before + 2)
    }
}
