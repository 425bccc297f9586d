import Foundation
import LecternSQLite
import LecternStore
import LecternTestSupport

/// A small platform built by hand through the repositories.
///
/// Courses: d, e, f (data-science, published), g (draft), h (archived), x (finance, published,
/// nobody has touched it, tagged like d). Learners: a bought d and e; b bought d, e and f;
/// c bought d; n is new (no activity, interested in data-science).
struct ServiceFixture {
    let db: Database
    /// The SQLite file, ":memory:", or the PostgreSQL database's URL.
    let path: String
    var courses: [String: Int64] = [:]
    var learners: [String: Int64] = [:]

    /// The platform in an SQLite database: in memory, or in a temporary file (`path`) for the tests
    /// that open a second connection or lock the file.
    init(file: Bool = false) throws {
        let path = file ? FileManager.default.temporaryDirectory.appendingPathComponent("lectern-service-\(UUID().uuidString).db").path
            : ":memory:"
        try self.init(db: try LecternDatabase.open(path: path), path: path)
    }

    /// Runs `body` with the platform built on a fresh database of `engine`, so one test runs on both
    /// engines with `arguments: TestEngine.allCases`. On PostgreSQL `path` is the database's URL, and
    /// the database is dropped after; `file` puts SQLite's in a temporary file, removed after.
    static func with(engine: TestEngine, file: Bool = false, _ body: (ServiceFixture) throws -> Void) throws {
        if engine == .sqlite && file {
            let f = try ServiceFixture(file: true)
            defer { removeFiles(of: f.path) }
            return try body(f)
        }
        try withDatabaseAndURL(on: engine) { db, url in try body(try ServiceFixture(db: db, path: url)) }
    }

    /// Removes an SQLite file with its WAL, shared memory and training lock.
    static func removeFiles(of path: String) {
        for suffix in ["", "-wal", "-shm", ".train-lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    private init(db: Database, path: String) throws {
        self.db = db
        self.path = path
        let creator = try CreatorRepository(db).create(Creator(name: "Ada", revenueShare: 0.7))
        let other = try CreatorRepository(db).create(Creator(name: "Bob", revenueShare: 0.6))
        let repo = CourseRepository(db)
        let specs: [(String, String, Course.Status, Int64, [String])] = [
            ("d", "data-science", .published, creator.id, ["python", "pandas"]),
            ("e", "data-science", .published, creator.id, ["python", "statistics"]),
            ("f", "data-science", .published, other.id, ["statistics", "machine-learning"]),
            ("g", "data-science", .draft, creator.id, ["python"]),
            ("h", "data-science", .archived, other.id, ["python"]),
            ("x", "finance", .published, other.id, ["python", "pandas"]),
        ]
        for (slug, domain, status, creatorID, tags) in specs {
            let course = try repo.create(Course(slug: slug, title: "Course \(slug.uppercased())",
                                                description: "All about \(tags.joined(separator: " and "))", domain: domain,
                                                priceMinor: 1000, creatorID: creatorID, status: .published))
            try repo.tag(courseID: course.id, with: tags)
            courses[slug] = course.id
        }
        let people = LearnerRepository(db)
        for name in ["a", "b", "c"] {
            learners[name] = try people.create(Learner(externalID: name, createdAt: 1_700_000_000)).id
        }
        learners["n"] = try people.create(Learner(externalID: "n", interests: ["data-science"], createdAt: 1_700_000_000)).id
        var time: Int64 = 1_700_000_000
        for (learner, bought) in [("a", ["d", "e", "g", "h"]), ("b", ["d", "e", "f", "g", "h"]), ("c", ["d"])] {
            for slug in bought {
                time += 60
                try record(learner, slug, .view, at: time)
                try record(learner, slug, .purchase, at: time + 10)
            }
        }
        // g and h leave the catalog after they were bought.
        for slug in ["g", "h"] {
            var course = try repo.find(id: courses[slug]!)!
            course.status = slug == "g" ? .draft : .archived
            try repo.update(course)
        }
    }

    func record(_ learner: String, _ course: String, _ kind: Interaction.Kind, at time: Int64, value: Int64? = nil) throws {
        _ = try InteractionRepository(db).record(Interaction(userID: learners[learner]!, courseID: courses[course]!,
                                                             kind: kind, value: value, occurredAt: time))
    }

    /// Puts the courses `slugs` in `family` (nil takes them out of any).
    func setFamily(_ family: String?, of slugs: [String]) throws {
        let repo = CourseRepository(db)
        for slug in slugs {
            var course = try repo.find(id: courses[slug]!)!
            course.family = family
            try repo.update(course)
        }
    }

    func slug(_ id: Int64) -> String {
        courses.first { $0.value == id }!.key
    }
}
