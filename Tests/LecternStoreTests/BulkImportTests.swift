import Foundation
import LecternSQLite
@testable import LecternStore
import Testing

/// A large interactions file is loaded with interactions_by_course dropped and rebuilt inside the
/// import's transaction (`BulkLoad`); nothing of that may show afterwards.
@Suite("Bulk import", .serialized)
struct BulkImportTests {
    static let rows = 240_000

    /// A catalog of 50 learners and 20 courses, and an interactions file of `rows` rows (big enough to
    /// be a bulk load) whose every 1000th row carries an idempotency key, ending with `tail`.
    func platform(_ directory: TemporaryDirectory, tail: String = "") throws -> (Database, String, String) {
        let path = directory.path("lectern.db")
        let db = try LecternDatabase.open(path: path)
        let creator = try makeCreator(in: db)
        for c in 0..<20 { try makeCourse(in: db, slug: "c\(c)", creator: creator) }
        for u in 0..<50 { try makeLearner(in: db, externalID: "u\(u)") }
        var text = "user,course,kind,value,channel,occurred_at,key\n"
        text.reserveCapacity(Self.rows * 60)
        for i in 0..<Self.rows {
            let key = i % 1000 == 0 ? "k\(i)" : ""
            // Every row a distinct event (learner, course, kind and time): one a second from 2025-03-01.
            text += "u\(i % 50),c\(i % 20),view,,web,\(Timestamp.format(1_740_787_200 + Int64(i))),\(key)\n"
        }
        text += tail
        let file = directory.path("interactions.csv")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        return (db, path, file)
    }

    static let schema = "SELECT type, name, sql FROM sqlite_schema ORDER BY name"

    func schema(_ db: Database) throws -> [String] {
        try db.query(Self.schema) { "\($0.text(0)) \($0.text(1)) \($0.isNull(2) ? "" : $0.text(2))" }
    }

    @Test func whatCountsAsABulkLoad() {
        #expect(BulkLoad.isBulk(fileBytes: 10_000_000, storedRows: 0))
        #expect(!BulkLoad.isBulk(fileBytes: 1_000_000, storedRows: 0))  // small: keep every index
        #expect(!BulkLoad.isBulk(fileBytes: 10_000_000, storedRows: 20_000_000))  // small next to the table
        #expect(BulkLoad.isBulk(fileBytes: 1_400_000_000, storedRows: 20_000_000))
    }

    @Test func aBulkLoadLeavesEveryIndexAsItWasAndTheDatabaseSound() throws {
        let directory = try TemporaryDirectory()
        let (db, _, file) = try platform(directory)
        #expect(BulkLoad.isBulk(fileBytes: try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? 0, storedRows: 0))
        let before = try schema(db)
        let summary = try Importer(db).importInteractions(from: file)
        #expect(summary.imported == Self.rows)
        #expect(try schema(db) == before)
        #expect(try db.queryFirst("PRAGMA integrity_check") { $0.text(0) } == "ok")
        // The rebuilt index answers as the table does.
        let byIndex = try db.scalarInt("SELECT count(*) FROM interactions INDEXED BY interactions_by_course WHERE course_id = 3")
        #expect(byIndex == Int64(Self.rows / 20))
        // Again: every row is already recorded (by its key, or by its learner, course, kind and time).
        let again = try Importer(db).importInteractions(from: file)
        #expect(again.duplicates == Self.rows)
        #expect(again.imported == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM interactions") == Int64(Self.rows))
        #expect(try schema(db) == before)
    }

    @Test func aBadLastRowOfABulkLoadLeavesTheDatabaseByteForByte() throws {
        let directory = try TemporaryDirectory()
        let (db, path, file) = try platform(directory, tail: "u1,no-such-course,view,,web,2025-03-01T10:00:00Z,\n")
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        let before = try schema(db)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            try Importer(db).importInteractions(from: file)
        } throws: { error in
            "\(error)".contains("line \(Self.rows + 2)") && "\(error)".contains("no course 'no-such-course'")
        }
        #expect(try db.scalarInt("SELECT count(*) FROM interactions") == 0)
        #expect(try schema(db) == before)
        try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func keysRepeatedInsideOneBulkFileAreCaught() throws {
        let directory = try TemporaryDirectory()
        let (db, _, file) = try platform(directory, tail: "u1,c1,view,,web,2025-03-01T10:00:00Z,k0\n")
        let summary = try Importer(db).importInteractions(from: file)
        #expect(summary.duplicates == 1)
        #expect(summary.imported == Self.rows)
    }
}
