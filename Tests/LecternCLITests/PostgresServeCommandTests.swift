import Foundation
import LecternPostgres
import LecternTestSupport
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `lectern serve`, `apikey` and `health` on a PostgreSQL URL: two real server processes on one
/// database, as two API nodes behind a load balancer.
@Suite("lectern serve on PostgreSQL, two nodes", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct PostgresServeCommandTests {
    /// A `lectern serve` process and the port it printed.
    struct Node {
        let process: Process
        let out: Pipe
        let err: Pipe
        let port: String

        static func start(_ url: String, _ extra: [String] = []) throws -> Node {
            let process = Process()
            process.executableURL = Lectern.binary
            process.arguments = ["serve", "--port", "0", "--key-cache", "0", "--threads", "2", "--db", url] + extra
            let out = Pipe(), err = Pipe()
            process.standardOutput = out
            process.standardError = err
            try process.run()
            var buffer = Data()
            while !buffer.contains(UInt8(ascii: "\n")) {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            let line = String(decoding: buffer, as: UTF8.self)
            let port = line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
            return Node(process: process, out: out, err: err, port: port)
        }

        func send(_ method: String, _ path: String, token: String, json: [String: Any]? = nil) async throws -> Int {
            try await fetch(method, path, token: token, json: json).0
        }

        /// The status and body of a request.
        func fetch(_ method: String, _ path: String, token: String, json: [String: Any]? = nil) async throws -> (Int, Data) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            if let json {
                request.httpBody = try JSONSerialization.data(withJSONObject: json)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
        }

        /// SIGTERM, then what it printed: (exit status, standard output, standard error).
        func stop() -> (Int32, String, String) {
            process.terminate()
            let rest = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, rest, log)
        }
    }

    @Test("two lectern serve processes on one database: a learner added on one is known to the other, a key revoked by the CLI is refused by both")
    func twoServeProcesses() async throws {
        let (url, drop) = try TestPostgres.makeDatabase()
        defer { drop() }
        let password = try PGConnectionURL(url).password
        let lectern = try Lectern(initialized: false)
        #expect(try lectern.run(["init"], database: url).status == 0)
        let created = try lectern.run(["apikey", "create", "--name", "node-test", "--scope", "write"], database: url)
        #expect(created.status == 0, "\(created.stderr)")
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try lectern.run(["apikey", "list", "--format", "csv"], database: url)
        #expect(listed.stdout.contains(",node-test,write,"), "\(listed.stdout)")
        let health = try lectern.run(["health"], database: url)
        #expect(health.status == 1 && health.stderr.hasPrefix("error: no trained model in "), "\(health.stderr)")

        let a = try Node.start(url), b = try Node.start(url)
        #expect(!a.port.isEmpty && !b.port.isEmpty)
        #expect(try await a.send("POST", "/v1/users", token: token, json: ["external_id": "from-a"]) == 201)
        #expect(try await b.send("POST", "/v1/users", token: token, json: ["external_id": "from-a"]) == 409)
        #expect(try await b.send("POST", "/v1/interactions", token: token, json: ["user": "from-a", "course": "nope", "kind": "view"]) == 404)
        #expect(try lectern.run(["apikey", "revoke", "node-test"], database: url).status == 0)
        #expect(try await a.send("GET", "/v1/courses", token: token) == 401)
        #expect(try await b.send("GET", "/v1/courses", token: token) == 401)
        for node in [a, b] {
            let (status, stdout, log) = node.stop()
            #expect(status == 0, "\(log)")
            #expect(stdout.contains("lectern serve: stopped"))
            if let password { #expect(!stdout.contains(password) && !log.contains(password)) }
        }
        if let password {
            for result in [created, listed, health] { #expect(!result.stdout.contains(password) && !result.stderr.contains(password)) }
        }
    }
}
