import Foundation
import Testing

/// What a run of the `lectern` binary printed and how it exited.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
    /// The process was killed by a signal (a trap is SIGILL, 4: not the exit status 4).
    var signaled = false

    /// The lines written to standard error.
    var errorLines: [String] { stderr.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) }
}

/// Runs the real, built `lectern` binary against temporary databases.
struct Lectern {
    /// The binary: `LECTERN_BIN`, else `lectern` beside the test bundle in the build folder.
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["LECTERN_BIN"] { return URL(fileURLWithPath: path) }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("lectern")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/lectern")
    }()

    /// A fresh temporary folder for one test's files.
    let directory: URL
    /// The database file every run uses unless told otherwise.
    var databasePath: String { directory.appendingPathComponent("test.db").path }

    /// A fresh folder; `initialized` also creates the test database with `lectern init`, as a user
    /// would (other commands refuse a missing database).
    init(initialized: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lectern-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        if initialized { try ok(["init"]) }
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Writes `text` to a file in the test folder and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Runs `lectern ARGUMENTS --db <test database>` and waits for it.
    @discardableResult
    func run(_ arguments: [String], database: String? = nil, environment: [String: String] = [:]) throws -> RunResult {
        let process = Process()
        process.executableURL = Self.binary
        // `generate` writes files, not a database, and takes no --db.
        process.arguments = arguments.first == "generate" ? arguments : arguments + ["--db", database ?? databasePath]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "LECTERN_DB")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return RunResult(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                         stderr: String(decoding: stderr, as: UTF8.self), signaled: process.terminationReason == .uncaughtSignal)
    }

    /// Runs a command that must succeed and returns its standard output.
    @discardableResult
    func ok(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments)
        #expect(result.status == 0, "lectern \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result.stdout
    }

    /// Runs a command that must fail with one `error:` line and returns that line.
    @discardableResult
    func fails(_ arguments: [String], database: String? = nil, environment: [String: String] = [:],
               sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let result = try run(arguments, database: database, environment: environment)
        #expect(result.status != 0, "expected lectern \(arguments.joined(separator: " ")) to fail", sourceLocation: sourceLocation)
        #expect(result.errorLines.count == 1, "expected one error line, got: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("error: "), "expected 'error: ...', got: \(result.stderr)", sourceLocation: sourceLocation)
        return result.errorLines.first ?? ""
    }

    /// A fingerprint of everything stored: every row of every table, in order.
    func snapshot(database: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database ?? databasePath, ".dump"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// The value of one SQL query run by the sqlite3 shell on the test database, trimmed.
    func sql(_ query: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [databasePath, query]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = Pipe()
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A small catalog: one creator, three published courses in a chain, two learners.
    func seedSmallCatalog() throws {
        try ok(["creator", "add", "Ada Lovelace", "--share", "0.7"])
        try ok(["course", "add", "py-101", "--title", "Python Basics", "--domain", "software-engineering",
                "--price", "49.90", "--creator", "Ada Lovelace", "--status", "published", "--tags", "python,beginner"])
        try ok(["course", "add", "py-201", "--title", "Python for Data", "--domain", "data-science",
                "--price", "79", "--creator", "1", "--status", "published", "--requires", "py-101",
                "--difficulty", "intermediate"])
        try ok(["course", "add", "py-301", "--title", "Advanced Python", "--domain", "software-engineering",
                "--price", "99.00", "--creator", "1", "--status", "draft", "--requires", "py-201",
                "--difficulty", "advanced", "--format", "ebook"])
        try ok(["user", "add", "u1", "--name", "Bo", "--email", "bo@example.com", "--interests", "python",
                "--channel", "social_video", "--campaign", "spring"])
        try ok(["user", "add", "u2", "--name", "Cy", "--channel", "referral"])
    }
}

/// Parses JSON printed by `--format json`.
func parseJSON(_ text: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(text.utf8))
}
