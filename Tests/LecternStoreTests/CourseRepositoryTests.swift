import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

@Suite("CourseRepository")
struct CourseRepositoryTests {
    // MARK: Creating and reading

    @Test("create stores every field; find by id and slug return it", arguments: TestEngine.allCases)
    func createAndFind(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db, name: "Ada")
            let repository = CourseRepository(db)
            let course = Course(slug: "swift-basics", title: "  Swift Basics ", description: "From zero, \"quoted\".",
                                domain: " Programming ", difficulty: .intermediate, format: .ebook, language: "de",
                                priceMinor: 1_999, currency: "eur", creatorID: ada.id, hours: 3.5, status: .published,
                                createdAt: 1_000, updatedAt: 2_000)
            let created = try repository.create(course)
            #expect(created.id > 0)
            #expect(created.title == "Swift Basics")
            #expect(created.domain == "programming")
            #expect(created.currency == "EUR")

            let found = try #require(try repository.find(id: created.id))
            #expect(found == created)
            #expect(found.description == "From zero, \"quoted\".")
            #expect(found.difficulty == .intermediate)
            #expect(found.format == .ebook)
            #expect(found.language == "de")
            #expect(found.priceMinor == 1_999)
            #expect(found.hours == 3.5)
            #expect(found.status == .published)
            #expect(found.createdAt == 1_000)
            #expect(found.updatedAt == 2_000)
            #expect(try repository.find(slug: "swift-basics") == created)
            #expect(try repository.find(slug: "swift") == nil)
        }
    }

    @Test("a new course defaults to draft, now, and updatedAt equal to createdAt", arguments: TestEngine.allCases)
    func defaults(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let before = currentUnixTime()
            let course = try CourseRepository(db).create(Course(slug: "intro", title: "Intro", domain: "misc", creatorID: ada.id))
            #expect(course.status == .draft)
            #expect(course.createdAt >= before && course.createdAt <= currentUnixTime())
            #expect(course.updatedAt == course.createdAt)
            #expect(course.currency == "USD")
            #expect(course.language == "en")
        }
    }

    @Test("invalid courses are refused with invalidInput and nothing is stored", arguments: TestEngine.allCases)
    func invalid(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            func course(_ change: (inout Course) -> Void) -> Course {
                var course = Course(slug: "ok", title: "OK", domain: "misc", priceMinor: 100, creatorID: ada.id)
                change(&course)
                return course
            }
            let cases: [(String, Course)] = [
                ("price", course { $0.priceMinor = -1 }),
                ("slug", course { $0.slug = "Bad Slug" }),
                ("slug", course { $0.slug = "" }),
                ("slug", course { $0.slug = "ünïcode" }),
                ("slug", course { $0.slug = String(repeating: "a", count: 121) }),
                ("title", course { $0.title = "  " }),
                ("domain", course { $0.domain = "data science" }),
                ("currency", course { $0.currency = "US" }),
                ("currency", course { $0.currency = "U$D" }),
                ("hours", course { $0.hours = -0.5 }),
                ("hours", course { $0.hours = .infinity }),
                ("language", course { $0.language = "e" }),
            ]
            for (what, course) in cases {
                expectStoreError(.invalidInput, containing: what) { try CourseRepository(db).create(course) }
            }
            #expect(try rowCount(db, "courses") == 0)
        }
    }

    @Test("the schema itself refuses a difficulty, format or status Lectern does not know")
    func schemaRefusesUnknownChoices() throws {
        let db = try makeDatabase()
        let ada = try makeCreator(in: db)
        #expect(Course.Difficulty(rawValue: "expert") == nil)
        let sql = """
            INSERT INTO courses (slug, title, domain, difficulty, format, price_minor, creator_id, status, created_at, updated_at)
            VALUES (?, 'T', 'misc', ?, ?, 0, ?, ?, 0, 0)
            """
        for (difficulty, format, status) in [("expert", "video", "draft"), ("beginner", "vhs", "draft"),
                                             ("beginner", "video", "deleted")] {
            let error = #expect(throws: SQLiteError.self) { try db.run(sql, ["x", difficulty, format, ada.id, status]) }
            #expect(error?.extendedCode == 275)
        }
        #expect(try rowCount(db, "courses") == 0)
    }

    @Test("an unknown creator is notFound", arguments: TestEngine.allCases)
    func unknownCreator(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            expectStoreError(.notFound, containing: "creator") {
                try CourseRepository(db).create(Course(slug: "orphan", title: "Orphan", domain: "misc", creatorID: 42))
            }
            #expect(try rowCount(db, "courses") == 0)
        }
    }

    @Test("a duplicate slug is a conflict", arguments: TestEngine.allCases)
    func duplicateSlug(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            try makeCourse(in: db, slug: "swift", creator: ada, title: "First")
            expectStoreError(.conflict, containing: "'swift'") {
                try makeCourse(in: db, slug: "swift", creator: ada, title: "Second")
            }
            #expect(try CourseRepository(db).list().map(\.title) == ["First"])
        }
    }

    // MARK: Changing

    @Test("update saves the changes and moves updatedAt forward", arguments: TestEngine.allCases)
    func update(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db, name: "Ada")
            let bob = try makeCreator(in: db, name: "Bob")
            var course = try makeCourse(in: db, slug: "swift", creator: ada, priceMinor: 1_000, status: .draft)
            let repository = CourseRepository(db)

            course.slug = "swift-6"
            course.title = "Swift 6"
            course.priceMinor = 2_500
            course.creatorID = bob.id
            course.status = .published
            try repository.update(course)

            let stored = try #require(try repository.find(id: course.id))
            #expect(stored.slug == "swift-6")
            #expect(stored.title == "Swift 6")
            #expect(stored.priceMinor == 2_500)
            #expect(stored.creatorID == bob.id)
            #expect(stored.status == .published)
            #expect(stored.createdAt == newYear2025)
            #expect(stored.updatedAt >= currentUnixTime() - 5)
            #expect(try repository.find(slug: "swift") == nil)
        }
    }

    @Test("update refuses another course's slug, a bad value, an unknown creator and an unknown id", arguments: TestEngine.allCases)
    func updateRefusals(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let first = try makeCourse(in: db, slug: "first", creator: ada)
            try makeCourse(in: db, slug: "second", creator: ada)
            let repository = CourseRepository(db)

            var clash = first
            clash.slug = "second"
            expectStoreError(.conflict) { try repository.update(clash) }

            var negative = first
            negative.priceMinor = -5
            expectStoreError(.invalidInput) { try repository.update(negative) }

            var orphan = first
            orphan.creatorID = 999
            expectStoreError(.notFound) { try repository.update(orphan) }

            var ghost = first
            ghost.id = 999
            ghost.slug = "ghost"
            expectStoreError(.notFound, containing: "999") { try repository.update(ghost) }

            #expect(try repository.find(id: first.id) == first)
            #expect(try repository.find(slug: "ghost") == nil)
        }
    }

    @Test("archive takes a course off sale and keeps it; an unknown id is notFound", arguments: TestEngine.allCases)
    func archive(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let course = try makeCourse(in: db, slug: "old", creator: ada, status: .published)
            try CourseRepository(db).archive(id: course.id)
            let stored = try #require(try CourseRepository(db).find(id: course.id))
            #expect(stored.status == .archived)
            #expect(stored.updatedAt > course.updatedAt)
            expectStoreError(.notFound) { try CourseRepository(db).archive(id: course.id + 100) }
        }
    }

    @Test("resolve takes an id or a slug", arguments: TestEngine.allCases)
    func resolve(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let course = try makeCourse(in: db, slug: "swift", creator: ada)
            let repository = CourseRepository(db)
            #expect(try repository.resolve(String(course.id)) == course)
            #expect(try repository.resolve("swift") == course)
            expectStoreError(.notFound, containing: "'kotlin'") { _ = try repository.resolve("kotlin") }
            expectStoreError(.notFound) { _ = try repository.resolve("777") }
        }
    }

    // MARK: Tags

    @Test("tag creates tags once, normalises names, and ignores a tag the course already has", arguments: TestEngine.allCases)
    func tag(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let first = try makeCourse(in: db, slug: "first", creator: ada)
            let second = try makeCourse(in: db, slug: "second", creator: ada)
            let repository = CourseRepository(db)
            try repository.tag(courseID: first.id, with: ["  Swift ", "iOS", "c++"])
            try repository.tag(courseID: first.id, with: ["swift"])
            try repository.tag(courseID: second.id, with: ["swift"])
            #expect(try repository.tags(of: first.id) == ["c++", "ios", "swift"])
            #expect(try repository.tags(of: second.id) == ["swift"])
            #expect(try rowCount(db, "tags") == 3)
            #expect(try rowCount(db, "course_tags") == 4)
        }
    }

    @Test("an invalid tag refuses the whole call: no tag and no link is kept", arguments: TestEngine.allCases)
    func invalidTag(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let course = try makeCourse(in: db, slug: "first", creator: ada)
            expectStoreError(.invalidInput, containing: "bad tag") {
                try CourseRepository(db).tag(courseID: course.id, with: ["fine", "bad tag!"])
            }
            #expect(try rowCount(db, "tags") == 0)
            #expect(try rowCount(db, "course_tags") == 0)
        }
    }

    @Test("untag removes a tag from one course; an unknown tag or one the course lacks is notFound", arguments: TestEngine.allCases)
    func untag(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let first = try makeCourse(in: db, slug: "first", creator: ada)
            let second = try makeCourse(in: db, slug: "second", creator: ada)
            let repository = CourseRepository(db)
            try repository.tag(courseID: first.id, with: ["swift", "ios"])
            try repository.tag(courseID: second.id, with: ["swift"])

            try repository.untag(courseID: first.id, names: ["SWIFT"])
            #expect(try repository.tags(of: first.id) == ["ios"])
            #expect(try repository.tags(of: second.id) == ["swift"])

            expectStoreError(.notFound, containing: "no tag 'kotlin'") {
                try repository.untag(courseID: first.id, names: ["kotlin"])
            }
            expectStoreError(.notFound, containing: "no tag 'ios'") {
                try repository.untag(courseID: second.id, names: ["ios"])
            }
            // All or nothing: the known tag in a failing call stays.
            expectStoreError(.notFound) { try repository.untag(courseID: first.id, names: ["ios", "kotlin"]) }
            #expect(try repository.tags(of: first.id) == ["ios"])
        }
    }

    // MARK: Prerequisites

    @Test("prerequisites are stored and shown in details, with the creator's name and tags", arguments: TestEngine.allCases)
    func prerequisitesAndDetails(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db, name: "Ada")
            let basics = try makeCourse(in: db, slug: "basics", creator: ada)
            let algebra = try makeCourse(in: db, slug: "algebra", creator: ada)
            let advanced = try makeCourse(in: db, slug: "advanced", creator: ada)
            let repository = CourseRepository(db)
            try repository.addPrerequisites(courseID: advanced.id, requires: [basics.id, algebra.id, basics.id])
            try repository.tag(courseID: advanced.id, with: ["math", "cs"])

            let details = try repository.details(of: advanced)
            #expect(details.course == advanced)
            #expect(details.creatorName == "Ada")
            #expect(details.tags == ["cs", "math"])
            #expect(details.prerequisites == ["algebra", "basics"])
            #expect(try repository.details(of: basics).prerequisites.isEmpty)
            #expect(try rowCount(db, "course_prerequisites") == 2)
        }
    }

    @Test("a course cannot require itself", arguments: TestEngine.allCases)
    func selfPrerequisite(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let course = try makeCourse(in: db, slug: "loop", creator: ada)
            expectStoreError(.conflict, containing: "itself") {
                try CourseRepository(db).addPrerequisites(courseID: course.id, requires: [course.id])
            }
            #expect(try rowCount(db, "course_prerequisites") == 0)
        }
    }

    @Test("a cycle a -> b -> c -> a is refused and nothing of that call is inserted", arguments: TestEngine.allCases)
    func cycle(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let a = try makeCourse(in: db, slug: "a", creator: ada)
            let b = try makeCourse(in: db, slug: "b", creator: ada)
            let c = try makeCourse(in: db, slug: "c", creator: ada)
            let d = try makeCourse(in: db, slug: "d", creator: ada)
            let repository = CourseRepository(db)
            try repository.addPrerequisites(courseID: a.id, requires: [b.id])
            try repository.addPrerequisites(courseID: b.id, requires: [c.id])

            // c -> d is fine on its own, but comes in the same call as the closing c -> a.
            expectStoreError(.conflict, containing: "cycle") {
                try repository.addPrerequisites(courseID: c.id, requires: [d.id, a.id])
            }
            #expect(try repository.details(of: c).prerequisites.isEmpty)
            #expect(try rowCount(db, "course_prerequisites") == 2)

            // The shorter cycle b -> a is refused too; a longer chain that is not a cycle is fine.
            expectStoreError(.conflict) { try repository.addPrerequisites(courseID: b.id, requires: [a.id]) }
            try repository.addPrerequisites(courseID: c.id, requires: [d.id])
            try repository.addPrerequisites(courseID: a.id, requires: [d.id])
            #expect(try repository.details(of: a).prerequisites == ["b", "d"])
        }
    }

    @Test("setPrerequisites replaces the list, and a refused list keeps the old one", arguments: TestEngine.allCases)
    func setPrerequisites(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let a = try makeCourse(in: db, slug: "a", creator: ada)
            let b = try makeCourse(in: db, slug: "b", creator: ada)
            let c = try makeCourse(in: db, slug: "c", creator: ada)
            let repository = CourseRepository(db)
            try repository.setPrerequisites(courseID: a.id, requires: [b.id])
            try repository.setPrerequisites(courseID: a.id, requires: [c.id])
            #expect(try repository.details(of: a).prerequisites == ["c"])

            try repository.setPrerequisites(courseID: b.id, requires: [a.id])   // b -> a -> c
            expectStoreError(.conflict) { try repository.setPrerequisites(courseID: a.id, requires: [b.id]) }
            #expect(try repository.details(of: a).prerequisites == ["c"])
        }
    }

    @Test("tagging or linking a course id that names nothing is notFound, and nothing is written", arguments: TestEngine.allCases)
    func unknownCourseIDs(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            let a = try makeCourse(in: db, slug: "a", creator: ada)
            let b = try makeCourse(in: db, slug: "b", creator: ada)
            let repository = CourseRepository(db)
            expectStoreError(.notFound) { try repository.tag(courseID: 999, with: ["swift"]) }
            expectStoreError(.notFound) { try repository.addPrerequisites(courseID: a.id, requires: [b.id, 999]) }
            expectStoreError(.notFound) { try repository.addPrerequisites(courseID: 999, requires: [a.id]) }
            #expect(try rowCount(db, "tags") == 0)
            #expect(try rowCount(db, "course_tags") == 0)
            #expect(try rowCount(db, "course_prerequisites") == 0)
        }
    }

    // MARK: Listing

    /// Five courses, worked out so each filter picks a different, known subset.
    private func catalog(_ db: Database) throws -> (ada: Creator, bob: Creator) {
        let ada = try makeCreator(in: db, name: "Ada")
        let bob = try makeCreator(in: db, name: "Bob")
        let repository = CourseRepository(db)
        let basics = try makeCourse(in: db, slug: "swift-basics", creator: ada, title: "Swift Basics",
                                    description: "Learn Swift from zero", domain: "programming",
                                    difficulty: .beginner, format: .video, priceMinor: 1_000)
        let concurrency = try makeCourse(in: db, slug: "swift-concurrency", creator: ada, title: "Swift Concurrency",
                                         description: "Actors and tasks", domain: "programming",
                                         difficulty: .advanced, format: .video, priceMinor: 4_900)
        let data = try makeCourse(in: db, slug: "data-100", creator: bob, title: "100% Data",
                                  description: "All the data science you need", domain: "data-science",
                                  difficulty: .intermediate, format: .ebook, priceMinor: 2_500)
        try makeCourse(in: db, slug: "data-1000", creator: bob, title: "1000 Data Points",
                       description: "Sampling", domain: "data-science", difficulty: .beginner,
                       format: .article, priceMinor: 0, status: .draft)
        let finance = try makeCourse(in: db, slug: "finance-live", creator: bob, title: "Finance Live",
                                     description: "Budgets with SWIFT transfers", domain: "finance",
                                     difficulty: .intermediate, format: .live, priceMinor: 9_900)
        try repository.archive(id: finance.id)
        try repository.tag(courseID: basics.id, with: ["swift", "ios"])
        try repository.tag(courseID: concurrency.id, with: ["swift"])
        try repository.tag(courseID: data.id, with: ["python"])
        return (ada, bob)
    }

    @Test("list with no filter shows every course by slug, and pages", arguments: TestEngine.allCases)
    func listAll(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            _ = try catalog(db)
            let repository = CourseRepository(db)
            #expect(try repository.list().map(\.slug) == ["data-100", "data-1000", "finance-live", "swift-basics", "swift-concurrency"])
            #expect(try repository.list(CourseFilter(limit: 2, offset: 1)).map(\.slug) == ["data-1000", "finance-live"])
            #expect(try repository.list(CourseFilter(limit: 2)).map(\.slug) == ["data-100", "data-1000"])
            #expect(try repository.list(CourseFilter(offset: 4)).map(\.slug) == ["swift-concurrency"])
        }
    }

    @Test("list filters by each field", arguments: TestEngine.allCases)
    func listFilters(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let (ada, bob) = try catalog(db)
            func slugs(_ filter: CourseFilter) throws -> [String] { try CourseRepository(db).list(filter).map(\.slug) }

            #expect(try slugs(CourseFilter(domain: "data-science")) == ["data-100", "data-1000"])
            #expect(try slugs(CourseFilter(domain: "cooking")) == [])
            #expect(try slugs(CourseFilter(tag: "swift")) == ["swift-basics", "swift-concurrency"])
            #expect(try slugs(CourseFilter(tag: "SWIFT")) == ["swift-basics", "swift-concurrency"])
            #expect(try slugs(CourseFilter(tag: "ios")) == ["swift-basics"])
            #expect(try slugs(CourseFilter(tag: "rust")) == [])
            #expect(try slugs(CourseFilter(difficulty: .intermediate)) == ["data-100", "finance-live"])
            #expect(try slugs(CourseFilter(difficulty: .advanced)) == ["swift-concurrency"])
            #expect(try slugs(CourseFilter(format: .video)) == ["swift-basics", "swift-concurrency"])
            #expect(try slugs(CourseFilter(format: .audio)) == [])
            #expect(try slugs(CourseFilter(status: .draft)) == ["data-1000"])
            #expect(try slugs(CourseFilter(status: .archived)) == ["finance-live"])
            #expect(try slugs(CourseFilter(status: .published)) == ["data-100", "swift-basics", "swift-concurrency"])
            #expect(try slugs(CourseFilter(creatorID: ada.id)) == ["swift-basics", "swift-concurrency"])
            #expect(try slugs(CourseFilter(creatorID: bob.id)) == ["data-100", "data-1000", "finance-live"])
            // Price bounds are inclusive.
            #expect(try slugs(CourseFilter(minPriceMinor: 2_500)) == ["data-100", "finance-live", "swift-concurrency"])
            #expect(try slugs(CourseFilter(maxPriceMinor: 1_000)) == ["data-1000", "swift-basics"])
            #expect(try slugs(CourseFilter(minPriceMinor: 1_000, maxPriceMinor: 4_900)) == ["data-100", "swift-basics", "swift-concurrency"])
            #expect(try slugs(CourseFilter(minPriceMinor: 5_000, maxPriceMinor: 9_000)) == [])
            // Filters combine with AND.
            #expect(try slugs(CourseFilter(domain: "programming", difficulty: .advanced)) == ["swift-concurrency"])
            #expect(try slugs(CourseFilter(tag: "swift", maxPriceMinor: 1_000)) == ["swift-basics"])
        }
    }

    @Test("text search needs every word in the title or description, ignoring case", arguments: TestEngine.allCases)
    func textSearch(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            _ = try catalog(db)
            func slugs(_ text: String) throws -> [String] { try CourseRepository(db).list(CourseFilter(text: text)).map(\.slug) }

            // "SWIFT" is in the description of finance-live.
            #expect(try slugs("swift") == ["finance-live", "swift-basics", "swift-concurrency"])
            #expect(try slugs("  swift   actors ") == ["swift-concurrency"])
            #expect(try slugs("zero") == ["swift-basics"])
            #expect(try slugs("science data") == ["data-100"])
            #expect(try slugs("kotlin") == [])
        }
    }

    @Test("LIKE wildcards in the search text match only themselves", arguments: TestEngine.allCases)
    func textSearchWildcards(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            _ = try catalog(db)
            func slugs(_ text: String) throws -> [String] { try CourseRepository(db).list(CourseFilter(text: text)).map(\.slug) }

            // Unescaped, "100%" would also match "1000 Data Points".
            #expect(try slugs("100%") == ["data-100"])
            // Unescaped, "_" would match the space in "1000 Data".
            #expect(try slugs("1000_data") == [])
            #expect(try slugs("%") == ["data-100"])
            #expect(try slugs("\\") == [])
        }
    }
}
