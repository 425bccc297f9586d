import LecternStore
import Testing
import LecternTestSupport

@Suite("TagRepository")
struct TagRepositoryTests {
    @Test("an empty catalog has no tags", arguments: TestEngine.allCases)
    func empty(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            #expect(try TagRepository(db).list().isEmpty)
        }
    }

    /// Migration 15: tags may be CJK words, as `tag suggest` finds them in Chinese course text; the
    /// Swift check and the table's CHECK agree.
    @Test("a tag may be a Chinese, Japanese or Korean word, and still nothing else", arguments: TestEngine.allCases)
    func cjkTags(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let course = try makeCourse(in: db, slug: "dl-zh", creator: try makeCreator(in: db))
            try CourseRepository(db).tag(courseID: course.id, with: ["深度学习", "ディープラーニング", "딥러닝", "pytorch"])
            #expect(Set(try TagRepository(db).list().map(\.name)) == ["深度学习", "ディープラーニング", "딥러닝", "pytorch"])
            for bad in ["deep learning", "élan", "深度学习!", String(repeating: "深", count: 61)] {
                #expect(throws: StoreError.self) { try CourseRepository(db).tag(courseID: course.id, with: [bad]) }
            }
            // The table refuses what the Swift check would, even written around it.
            #expect(throws: (any Error).self) { try db.run("INSERT INTO tags (name) VALUES ('Ab')") }
            try db.run("INSERT INTO tags (name) VALUES ('机器学习')")
        }
    }

    @Test("tags are listed most used first, then by name, with their course counts", arguments: TestEngine.allCases)
    func listByUse(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let courses = CourseRepository(db)
            let a = try makeCourse(in: db, slug: "a", creator: ada)
            let b = try makeCourse(in: db, slug: "b", creator: ada)
            let c = try makeCourse(in: db, slug: "c", creator: ada)
            try courses.tag(courseID: a.id, with: ["swift", "ios", "beginner-friendly"])
            try courses.tag(courseID: b.id, with: ["swift", "ios"])
            try courses.tag(courseID: c.id, with: ["swift", "async"])

            let tags = try TagRepository(db).list()
            #expect(tags.map(\.name) == ["swift", "ios", "async", "beginner-friendly"])
            #expect(tags.map(\.courses) == [3, 2, 1, 1])
            #expect(try TagRepository(db).list(limit: 2).map(\.name) == ["swift", "ios"])
            #expect(try TagRepository(db).list(limit: 2, offset: 2).map(\.name) == ["async", "beginner-friendly"])
        }
    }

    @Test("a tag removed from every course stays, with a count of zero", arguments: TestEngine.allCases)
    func unusedTag(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let a = try makeCourse(in: db, slug: "a", creator: ada)
            try CourseRepository(db).tag(courseID: a.id, with: ["swift", "old"])
            try CourseRepository(db).untag(courseID: a.id, names: ["old"])
            let tags = try TagRepository(db).list()
            #expect(tags.map(\.name) == ["swift", "old"])
            #expect(tags.map(\.courses) == [1, 0])
        }
    }
}
