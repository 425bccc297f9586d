import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A raw TCP client, for what an HTTP client library will not send: a request held half-sent, a
/// garbage request line, a megabyte of headers, a chunked body cut short.
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
        guard result == 0 else {
            _ = Glibc.close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    /// Sends all of `text`, or as much as the server takes before it closes (no SIGPIPE).
    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Everything the server sends until it closes the connection.
    func readToEnd() -> String {
        String(decoding: read().bytes, as: UTF8.self)
    }

    /// What the server sends until it ends the stream (`closed`) or `limit` seconds pass with nothing
    /// read. The limit only keeps a failing test from hanging; a passing one never waits on it.
    func read(limit seconds: Int = 60) -> (bytes: [UInt8], closed: Bool) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = recv(descriptor, &buffer, buffer.count, 0)
            if n == 0 { return (data, true) }
            if n < 0 { return (data, false) }
            data += buffer[0..<n]
        }
    }

    /// One whole response (its head and a `Content-Length` body), leaving the connection open for the
    /// next request; what came if the server closes first or `limit` seconds pass with nothing read.
    func readResponse(limit seconds: Int = 60) -> String {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var data = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let text = String(decoding: data, as: UTF8.self)
            if let end = text.range(of: "\r\n\r\n") {
                let length = text[..<end.lowerBound].split(separator: "\r\n")
                    .first { $0.lowercased().hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                if text.utf8.distance(from: text.startIndex, to: end.upperBound) + length <= data.count { return text }
            }
            let n = recv(descriptor, &buffer, buffer.count, 0)
            if n <= 0 { return text }
            data += buffer[0..<n]
        }
    }

    /// Shuts both directions, which also wakes a `send` blocked on a full buffer.
    func shutdown() { _ = Glibc.shutdown(descriptor, Int32(SHUT_RDWR)) }

    func close() { _ = Glibc.close(descriptor) }

    /// Sends `request` from one thread while another reads the answer, so a server that answers
    /// before it has read the whole request (and stops reading) is seen answering; then closes.
    /// Blocking calls run on threads of their own, never on the cooperative pool the server needs.
    static func exchange(port: Int, _ request: String) async throws -> (answers: [RawAnswer], closed: Bool) {
        let connection = try RawConnection(port: port)
        let sending = Task { await onThread { connection.send(request) } }
        let (bytes, closed) = await onThread { connection.read() }
        connection.shutdown()
        await sending.value
        connection.close()
        return (RawAnswer.parse(bytes), closed)
    }

    static func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: work()) }.start()
        }
    }
}

/// One HTTP/1.1 response read off a raw connection.
struct RawAnswer {
    let status: Int
    /// Header fields, names in lower case.
    let headers: [String: String]
    let body: Data

    var errorCode: String? { error?["code"] as? String }
    var errorMessage: String? { error?["message"] as? String }

    private var error: [String: Any]? {
        let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any]
        return object?["error"] as? [String: Any]
    }

    /// The responses in `bytes`, one after another, each with a Content-Length; a trailing part
    /// that is not a whole response is left out.
    static func parse(_ bytes: [UInt8]) -> [RawAnswer] {
        var answers: [RawAnswer] = []
        var rest = bytes[...]
        let separator = Array("\r\n\r\n".utf8)
        while let end = rest.firstRange(of: separator) {
            let head = String(decoding: rest[rest.startIndex..<end.lowerBound], as: UTF8.self)
            var lines = head.components(separatedBy: "\r\n")
            let statusLine = lines.removeFirst().split(separator: " ")
            guard statusLine.count >= 2, let status = Int(statusLine[1]) else { break }
            var headers: [String: String] = [:]
            for line in lines {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            let length = Int(headers["content-length"] ?? "0") ?? 0
            guard rest.distance(from: end.upperBound, to: rest.endIndex) >= length else { break }
            let bodyEnd = rest.index(end.upperBound, offsetBy: length)
            answers.append(RawAnswer(status: status, headers: headers, body: Data(rest[end.upperBound..<bodyEnd])))
            rest = rest[bodyEnd...]
        }
        return answers
    }
}
