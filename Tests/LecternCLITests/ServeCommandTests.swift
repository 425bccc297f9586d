import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

@Suite("lectern serve, apikey, health")
struct ServeCommandTests {
    @Test func apiKeysAreCreatedListedAndRevoked() throws {
        let lectern = try Lectern()
        let created = try lectern.run(["apikey", "create", "--name", "storefront", "--scope", "write"])
        #expect(created.status == 0)
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("lk_") && token.count == 51)
        #expect(created.stderr.contains("only its hash is kept"))
        let listed = try parseJSON(try lectern.ok(["apikey", "list", "--format", "json"])) as! [[String: Any]]
        #expect(listed.count == 1)
        #expect(listed[0]["name"] as? String == "storefront")
        #expect(listed[0]["scope"] as? String == "write")
        #expect(listed[0]["prefix"] as? String == String(token.prefix(9)) + "…")
        #expect(listed[0]["revoked_at"] is NSNull)
        #expect(!(try lectern.snapshot()).contains(token))

        #expect(try lectern.fails(["apikey", "create", "--name", "storefront"]) == "error: an API key named 'storefront' already exists")
        #expect(try lectern.run(["apikey", "create", "--name", "storefront"]).status == 5)
        #expect(try lectern.fails(["apikey", "create", "--name", "x", "--scope", "admin"]).contains("admin"))
        #expect(try lectern.ok(["apikey", "revoke", "storefront"]) == "Revoked key 1 'storefront'.\n")
        #expect(try lectern.ok(["apikey", "revoke", "1"]).contains("already revoked"))
        let revoked = try parseJSON(try lectern.ok(["apikey", "list", "--format", "json"])) as! [[String: Any]]
        #expect(revoked[0]["revoked_at"] is String)
        #expect(try lectern.run(["apikey", "revoke", "nobody"]).status == 3)
    }

    @Test func healthChecksTheDatabaseAndTheCacheAge() throws {
        let lectern = try Lectern(initialized: false)
        #expect(try lectern.run(["health"]).status == 8)  // no database yet
        try lectern.ok(["init"])
        try lectern.seedSmallCatalog()
        #expect(try lectern.fails(["health"]) == "error: no trained model in \(lectern.databasePath): run `lectern train`")
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-101", "--at", "2025-01-02"])
        try lectern.ok(["train", "--algorithm", "popular"])
        #expect(try lectern.ok(["health"]).hasPrefix("ok: \(lectern.databasePath) answers; cache ages: popular "))
        #expect(try lectern.fails(["health", "--algorithm", "itemknn"]).contains("no trained itemknn model"))
        // Make the cache two days old.
        let sql = Process()
        sql.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sql.arguments = [lectern.databasePath, "UPDATE model_runs SET finished_at = finished_at - 172800"]
        try sql.run()
        sql.waitUntilExit()
        let stale = try lectern.fails(["health", "--max-cache-age", "24h"])
        #expect(stale.hasPrefix("error: stale cache in \(lectern.databasePath): popular is 2d 0h old (more than 24h)"))
        #expect(try lectern.run(["health", "--max-cache-age", "24h"]).status == 1)
        #expect(try lectern.ok(["health", "--max-cache-age", "3d"]).hasPrefix("ok:"))
        #expect(try lectern.fails(["health", "--max-cache-age", "soon"]).contains("invalid --max-cache-age 'soon'"))
    }

    @Test func serveStartsAnswersAndStopsCleanlyOnSIGTERM() async throws {
        let lectern = try Lectern()
        try lectern.ok(["init"])
        let process = Process()
        process.executableURL = Lectern.binary
        process.arguments = ["serve", "--port", "0", "--db", lectern.databasePath]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // The first line names the port it bound.
        var buffer = Data()
        while !buffer.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            buffer.append(chunk)
        }
        let line = String(decoding: buffer, as: UTF8.self)
        #expect(line.hasPrefix("lectern serve: listening on http://127.0.0.1:"))
        let port = line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        let (data, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self) == "{\"status\":\"ok\"}")
        let (_, unauthorized) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/v1/courses")!)
        #expect((unauthorized as? HTTPURLResponse)?.statusCode == 401)

        process.terminate()  // SIGTERM
        let rest = out.fileHandleForReading.readDataToEndOfFile()
        let log = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: rest, as: UTF8.self).contains("lectern serve: stopped"))
        let logText = String(decoding: log, as: UTF8.self)
        #expect(logText.contains("route=/healthz"))
        #expect(logText.contains("status=200"))
    }

    @Test func serveRefusesBadOptionsAndForeignFiles() throws {
        let lectern = try Lectern()
        #expect(try lectern.fails(["serve", "--port", "70000"]).contains("--port must be 0 to 65535"))
        #expect(try lectern.fails(["serve", "--rate-limit=-1"]).contains("--rate-limit cannot be negative"))
        let junk = try lectern.write("junk.db", "this is not a database at all, just text long enough to fill a header")
        let result = try lectern.run(["serve", "--port", "0"], database: junk)
        #expect(result.status == 6)
        #expect(result.stderr.hasPrefix("error: "))
    }
}
