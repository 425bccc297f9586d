import Foundation
import LecternSQLite
import LecternStore
import Testing

/// A fresh in-memory database with Lectern's real migrations applied; every store test starts here.
func makeDatabase() throws -> Database {
    try LecternDatabase.inMemory()
}

/// 2025-01-01T00:00:00Z, worked out by hand: 55 years of 365 days plus 14 leap days (1972...2024)
/// is 20_089 days, times 86_400.
let newYear2025: Int64 = 1_735_689_600

@discardableResult
func makeCreator(in db: Database, name: String = "Grace Hopper", revenueShare: Double = 0.7,
                 contact: String? = nil) throws -> Creator {
    try CreatorRepository(db).create(Creator(name: name, revenueShare: revenueShare, contact: contact,
                                             createdAt: newYear2025))
}

@discardableResult
func makeCourse(in db: Database, slug: String, creator: Creator, title: String? = nil,
                description: String = "", domain: String = "programming",
                difficulty: Course.Difficulty = .beginner, format: Course.Format = .video,
                priceMinor: Int64 = 1_000, hours: Double = 2, status: Course.Status = .published) throws -> Course {
    try CourseRepository(db).create(Course(
        slug: slug, title: title ?? "Course \(slug)", description: description, domain: domain,
        difficulty: difficulty, format: format, priceMinor: priceMinor, creatorID: creator.id, hours: hours,
        status: status, createdAt: newYear2025))
}

@discardableResult
func makeLearner(in db: Database, externalID: String, displayName: String = "", email: String? = nil,
                 country: String? = nil, interests: [String] = [], channel: String = "direct",
                 campaign: String? = nil) throws -> Learner {
    try LearnerRepository(db).create(Learner(
        externalID: externalID, displayName: displayName, email: email, country: country, interests: interests,
        channel: channel, campaign: campaign, createdAt: newYear2025))
}

/// Rows in `table` (a name written in the test, never input).
func rowCount(_ db: Database, _ table: String) throws -> Int {
    Int(try db.scalarInt("SELECT count(*) FROM \(table)") ?? -1)
}

/// Runs `body`, expects a `StoreError` with `code`, and returns it for further checks.
@discardableResult
func expectStoreError(_ code: StoreError.Code, containing text: String? = nil,
                      sourceLocation: SourceLocation = #_sourceLocation,
                      _ body: () throws -> Void) -> StoreError? {
    let error = #expect(throws: StoreError.self, sourceLocation: sourceLocation) { try body() }
    if let error {
        #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        if let text {
            #expect(error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
        }
    }
    return error
}

/// A directory under the system's temporary directory, removed with everything in it when released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lectern-store-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `text` (UTF-8, exactly as given) to `name` and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(name)))
    }
}
