import Foundation
import LecternServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP client, so a test can hold a request half-sent while the server shuts down.
struct RawConnection {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Everything the server sends until it closes the connection.
    func readToEnd() -> String {
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(descriptor, &buffer, buffer.count, 0)
            if n <= 0 { break }
            data += buffer[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }

    func close() { _ = Glibc.close(descriptor) }
}

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
        connection.send("POST /v1/interactions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(f.tokens["writer"]!)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body.prefix(10))
        try await Task.sleep(for: .milliseconds(200))  // the server has the head and part of the body
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
        #expect(try f.count("interactions") == before + 1)
    }
}
