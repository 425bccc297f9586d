import Foundation
import LecternServer
import LecternSQLite
@testable import LecternStore
import Testing

/// `user forget` while a reader holds old pages says the wipe is pending; the running server then
/// completes it within seconds of the reader finishing.
@Suite("lectern serve completes a pending wipe")
struct PendingWipeTests {
    /// The database file and its log, read by another process (closing a descriptor of the file in
    /// this one would drop the POSIX locks of the server's connections).
    static func raw(_ path: String) throws -> Data {
        var bytes = Data()
        for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let cat = Process()
            cat.executableURL = URL(fileURLWithPath: "/bin/cat")
            cat.arguments = [file]
            let out = Pipe()
            cat.standardOutput = out
            try cat.run()
            bytes.append(out.fileHandleForReading.readDataToEndOfFile())
            cat.waitUntilExit()
        }
        return bytes
    }

    @Test func theServerWipesTheLogOnceTheReaderIsDone() async throws {
        let f = try ServerFixture(train: [])
        try await f.start()
        var options = Connection.Options()
        options.busyTimeoutMilliseconds = 100
        let writer = try Connection(path: f.path, options: options)
        let reader = try Connection(path: f.path)
        _ = try LearnerRepository(writer).create(Learner(externalID: "zed-4711", email: "zed.z@example.net", createdAt: 1_700_000_000))
        try reader.execute("BEGIN")
        #expect(try reader.scalarInt("SELECT count(*) FROM users WHERE external_id = 'zed-4711'") == 1)

        let summary = try LearnerRepository(writer).forget(externalID: "zed-4711")
        #expect(!summary.wiped)
        let marker = LearnerRepository.wipeMarker(forDatabase: f.path)
        #expect(FileManager.default.fileExists(atPath: marker))
        #expect(try Self.raw(f.path).range(of: Data("zed.z@example.net".utf8)) != nil)  // the reader's pages

        try reader.execute("COMMIT")
        for _ in 0..<100 where FileManager.default.fileExists(atPath: marker) { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!FileManager.default.fileExists(atPath: marker), "the server did not complete the wipe within 10 s")
        let bytes = try Self.raw(f.path)
        for trace in ["zed-4711", "zed.z@example.net"] { #expect(bytes.range(of: Data(trace.utf8)) == nil, "\(trace) is still in the files") }
        try await f.stop()
    }
}
