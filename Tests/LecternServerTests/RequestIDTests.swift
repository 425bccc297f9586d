import Foundation
import LecternServer
import LecternStore
import Testing

/// Every answer names its request's id, and a failure the server did not expect is answered
/// `internal_error` with that id only: its text goes to the log, under the same id.
@Suite("lectern serve request ids and unexpected errors")
struct RequestIDTests {
    @Test func everyAnswerNamesItsRequestIDAsItsLogLineDoes() async throws {
        let f = try ServerFixture(train: [])
        try await f.start()
        let answers = [try await f.send("GET", "/healthz"), try await f.send("GET", "/healthz"),
                       try await f.send("GET", "/v1/courses/zz", key: "reader"), try await f.send("GET", "/no/such/thing")]
        try await f.stop()
        let ids = answers.compactMap { $0.headers["x-request-id"] }
        #expect(ids.count == answers.count)
        #expect(Set(ids).count == ids.count)
        let logged = f.logs.all.filter { $0.message == "request" }
        for (answer, id) in zip(answers, ids) {
            let line = logged.first { $0.metadata["hb.request.id"] == id }
            #expect(line?.metadata["path"] == answer.path, "\(answer.path)")
            #expect(line?.metadata["status"] == String(answer.status), "\(answer.path)")
        }
    }

    /// A value the JSON encoder cannot write (an infinite number of hours, which the database's
    /// triggers would refuse, put there behind their back) fails the handler with an EncodingError.
    @Test func aValueTheEncoderCannotWriteIsAnInternalErrorWithTheRequestIDOnly() async throws {
        let f = try ServerFixture(train: [])
        try await f.start()
        try f.db.execute("DROP TRIGGER courses_stay_in_range")
        try f.db.execute("UPDATE courses SET hours = 9e999 WHERE slug = 'd'")
        let failed = try await f.send("GET", "/v1/courses/d", key: "reader")
        #expect(try await f.send("GET", "/v1/courses/e", key: "reader").status == 200)
        try await f.stop()

        let cause = try expectInternalError(failed, in: f)
        #expect(cause.contains("invalidValue") && cause.contains("hours"), "\(cause)")
        #expect(!failed.text.contains("hours") && !failed.text.contains("invalidValue"), "\(failed.text)")
    }

    /// A table gone from under the server: the store's error names it, the answer does not.
    @Test func aDatabaseTheServerCannotReadIsAnInternalErrorWithTheRequestIDOnly() async throws {
        let f = try ServerFixture(train: [])
        try await f.start()
        try f.db.execute("ALTER TABLE course_prerequisites RENAME TO course_prerequisites_moved")
        let failed = try await f.send("GET", "/v1/courses/d", key: "reader")
        try await f.stop()

        let cause = try expectInternalError(failed, in: f)
        #expect(cause.contains("no such table: course_prerequisites"), "\(cause)")
        #expect(!failed.text.contains("course_prerequisites") && !failed.text.contains("database error"), "\(failed.text)")
    }

    /// Checks `answer` is the documented `internal_error` with its request's id, and that the log
    /// has one `unexpected error` line under that id; returns the error text logged.
    private func expectInternalError(_ answer: HTTPResult, in f: ServerFixture,
                                     sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        #expect(answer.status == 500, sourceLocation: sourceLocation)
        #expect(answer.errorCode == "internal_error", sourceLocation: sourceLocation)
        let id = try #require(answer.headers["x-request-id"], sourceLocation: sourceLocation)
        let error = answer.object["error"] as? [String: Any] ?? [:]
        #expect(error["request_id"] as? String == id, sourceLocation: sourceLocation)
        #expect(answer.errorMessage == "the server failed to answer; its log has the cause under request id \(id)",
                sourceLocation: sourceLocation)
        #expect(Set(error.keys) == ["code", "message", "request_id"], sourceLocation: sourceLocation)
        let problems = try OpenAPIChecker.committed().problems(method: answer.method, path: answer.path, status: answer.status,
                                                               body: answer.body, headers: answer.headers)
        #expect(problems.isEmpty, "\(problems)", sourceLocation: sourceLocation)

        let lines = f.logs.all.filter { $0.message == "unexpected error" }
        #expect(lines.count == 1, sourceLocation: sourceLocation)
        let line = try #require(lines.first, sourceLocation: sourceLocation)
        #expect(line.level == .error, sourceLocation: sourceLocation)
        #expect(line.metadata["hb.request.id"] == id, sourceLocation: sourceLocation)
        #expect(line.metadata["path"] == answer.path, sourceLocation: sourceLocation)
        return line.metadata["error"] ?? ""
    }
}
