import Foundation
import LecternSQLite
import LecternStore
import Synchronization
import Testing
import LecternTestSupport

/// Small import files, written by hand, whose expected rows and exports were worked out by hand.
private enum Samples {
    static let creatorsCSV = """
        name,revenue_share,contact,created_at
        Ada Lovelace,0.7,ada@example.com,2025-01-01T00:00:00Z
        "Hopper, Grace",0.55,,2024-06-01

        """

    /// `swift-advanced` requires `swift-basics`, which comes later in the file.
    static let coursesCSV = """
        slug,title,description,domain,difficulty,format,language,price_minor,currency,creator,hours,status,tags,prerequisites,created_at,updated_at
        swift-advanced,Advanced Swift,"Generics, ""macros"" and more",programming,advanced,video,en,4900,USD,Ada Lovelace,12.5,published,swift;generics,swift-basics,2025-01-02T00:00:00Z,2025-01-03T00:00:00Z
        swift-basics,Swift Basics,,Programming,beginner,video,en,1900,usd,Ada Lovelace,3.25,,swift; ios,,2025-01-01T00:00:00Z,
        cobol-now,COBOL Now,"Line one
        Line two",legacy,intermediate,ebook,de,0,EUR,"Hopper, Grace",1.5,draft,,,2025-01-01,

        """

    static let usersJSONL = """
        {"external_id":"u1","display_name":"Zo\\u00eb \\ud83c\\udf93","email":"zoe@example.com","country":"se","interests":["swift","data-science"],"channel":"search","campaign":"spring","created_at":"2025-02-01T00:00:00Z"}

        {"external_id": "u2", "interests": [], "created_at": 1735689600}

        """

    /// The second purchase repeats the first one's key; amounts left out default to price and purchase.
    static let interactionsCSV = """
        user,course,kind,value,channel,occurred_at,key
        u1,swift-basics,view,,web,2025-02-02T10:00:00Z,
        u1,swift-basics,purchase,,web,2025-02-02T10:05:00Z,order-1
        u1,swift-basics,purchase,,web,2025-02-02T10:05:00Z,order-1
        u1,swift-basics,rate,5,,2025-02-03T00:00:00Z,
        u2,swift-advanced,purchase,3900,app,2025-02-04T00:00:00+01:00,
        u2,swift-advanced,refund,,app,2025-02-05T00:00:00Z,

        """

    /// Creators whose third row (line 4) has a revenue share above 1.
    static let creatorsBadThirdRow = """
        name,revenue_share
        Ada,0.5
        Bob,0.6
        Cleo,1.5
        Dan,0.2

        """

    // What export writes for the data above, column by column as Exporter defines them.

    static let exportedCreatorsCSV = """
        name,revenue_share,contact,created_at
        Ada Lovelace,0.7,ada@example.com,2025-01-01T00:00:00Z
        "Hopper, Grace",0.55,,2024-06-01T00:00:00Z

        """

    static let exportedCreatorsJSONL = """
        {"name":"Ada Lovelace","revenue_share":0.7,"contact":"ada@example.com","created_at":"2025-01-01T00:00:00Z"}
        {"name":"Hopper, Grace","revenue_share":0.55,"contact":null,"created_at":"2024-06-01T00:00:00Z"}

        """

    static let exportedCoursesCSV = """
        slug,title,description,domain,difficulty,format,language,price_minor,currency,creator,hours,status,tags,prerequisites,created_at,updated_at,family
        swift-advanced,Advanced Swift,"Generics, ""macros"" and more",programming,advanced,video,en,4900,USD,Ada Lovelace,12.5,published,generics;swift,swift-basics,2025-01-02T00:00:00Z,2025-01-03T00:00:00Z,
        swift-basics,Swift Basics,,programming,beginner,video,en,1900,USD,Ada Lovelace,3.25,published,ios;swift,,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,
        cobol-now,COBOL Now,"Line one
        Line two",legacy,intermediate,ebook,de,0,EUR,"Hopper, Grace",1.5,draft,,,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z,

        """

    static let exportedUsersCSV = """
        external_id,display_name,email,country,interests,channel,campaign,created_at,marketing_opt_in
        u1,Zoë 🎓,zoe@example.com,SE,swift;data-science,search,spring,2025-02-01T00:00:00Z,false
        u2,,,,,direct,,2025-01-01T00:00:00Z,false

        """

    static let exportedUsersJSONL = """
        {"external_id":"u1","display_name":"Zoë 🎓","email":"zoe@example.com","country":"SE","interests":["swift","data-science"],"channel":"search","campaign":"spring","created_at":"2025-02-01T00:00:00Z","marketing_opt_in":false}
        {"external_id":"u2","display_name":"","email":null,"country":null,"interests":[],"channel":"direct","campaign":null,"created_at":"2025-01-01T00:00:00Z","marketing_opt_in":false}

        """

    static let exportedInteractionsCSV = """
        user,course,kind,value,channel,occurred_at,key,reason
        u1,swift-basics,view,,web,2025-02-02T10:00:00Z,,
        u1,swift-basics,purchase,1900,web,2025-02-02T10:05:00Z,order-1,
        u1,swift-basics,rate,5,,2025-02-03T00:00:00Z,,
        u2,swift-advanced,purchase,3900,app,2025-02-03T23:00:00Z,,
        u2,swift-advanced,refund,3900,app,2025-02-05T00:00:00Z,,

        """
}

@Suite("Import and export")
struct ImportExportTests {
    /// A database holding everything in `Samples`, imported from files in `directory`.
    private func importSamples(into db: Database, directory: TemporaryDirectory) throws -> [ImportSummary] {
        let importer = Importer(db)
        return [
            try importer.importCreators(from: try directory.write("creators.csv", Samples.creatorsCSV)),
            try importer.importCourses(from: try directory.write("courses.csv", Samples.coursesCSV)),
            try importer.importUsers(from: try directory.write("users.jsonl", Samples.usersJSONL)),
            try importer.importInteractions(from: try directory.write("interactions.csv", Samples.interactionsCSV)),
        ]
    }

    private func text(_ directory: TemporaryDirectory, _ name: String) throws -> String {
        String(decoding: try directory.read(name), as: UTF8.self)
    }

    // MARK: Importing

    @Test("creators, courses, users and interactions import with every field", arguments: TestEngine.allCases)
    func importsEverything(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in try expectEverythingImported(into: db) }
    }

    /// On PostgreSQL an interactions import leaves the planner statistics of what it wrote (a table
    /// never analysed has reltuples -1): the first reports and lists after a load are not planned blind.
    @Test("an interactions import on PostgreSQL analyses the tables it filled")
    func interactionsImportAnalyses() throws {
        try withDatabase(on: .postgresql) { (db: Database) throws in
            let tuples = "SELECT reltuples::int8 FROM pg_class WHERE relname = ? AND relkind = 'r'"
            #expect(try db.scalarInt(tuples, ["interactions"]) == -1)
            _ = try importSamples(into: db, directory: try TemporaryDirectory())
            #expect(try db.scalarInt(tuples, ["interactions"]) == 5)
            #expect(try db.scalarInt(tuples, ["monthly_learner_activity"]) ?? -1 >= 0)  // analysed (empty until rolled up)
        }
    }

    /// Imports the samples into `db` and checks every field of every row.
    private func expectEverythingImported(into db: Database) throws {
        let directory = try TemporaryDirectory()
        let summaries = try importSamples(into: db, directory: directory)
        #expect(summaries.map(\.entity) == ["creators", "courses", "users", "interactions"])
        #expect(summaries.map(\.imported) == [2, 3, 2, 5])
        #expect(summaries.map(\.duplicates) == [0, 0, 0, 1])
        #expect(summaries.allSatisfy { $0.skipped.isEmpty })

        let ada = try #require(try CreatorRepository(db).find(name: "Ada Lovelace"))
        #expect(ada.revenueShare == 0.7)
        #expect(ada.contact == "ada@example.com")
        #expect(ada.createdAt == newYear2025)
        let grace = try #require(try CreatorRepository(db).find(name: "Hopper, Grace"))
        #expect(grace.contact == nil)
        // 2024-06-01: 2024-01-01 (1_704_067_200) plus 152 days (31+29+31+30+31).
        #expect(grace.createdAt == 1_717_200_000)

        let courses = CourseRepository(db)
        let advanced = try courses.details(of: try courses.resolve("swift-advanced"))
        #expect(advanced.course.description == "Generics, \"macros\" and more")
        #expect(advanced.course.hours == 12.5)
        #expect(advanced.course.updatedAt == newYear2025 + 2 * 86_400)
        #expect(advanced.creatorName == "Ada Lovelace")
        #expect(advanced.tags == ["generics", "swift"])
        #expect(advanced.prerequisites == ["swift-basics"])
        let basics = try courses.resolve("swift-basics")
        #expect(basics.domain == "programming")
        #expect(basics.currency == "USD")
        #expect(basics.status == .published)          // an empty status means published
        #expect(basics.updatedAt == basics.createdAt)  // an empty updated_at means created_at
        #expect(try courses.tags(of: basics.id) == ["ios", "swift"])
        let cobol = try courses.resolve("cobol-now")
        #expect(cobol.description == "Line one\nLine two")
        #expect(cobol.creatorID == grace.id)
        #expect(cobol.status == .draft)
        #expect(cobol.language == "de")
        #expect(cobol.currency == "EUR")

        let u1 = try LearnerRepository(db).resolve("u1")
        #expect(u1.displayName == "Zoë 🎓")
        #expect(u1.country == "SE")
        #expect(u1.interests == ["swift", "data-science"])
        #expect(u1.channel == "search")
        #expect(u1.createdAt == newYear2025 + 31 * 86_400)
        let u2 = try LearnerRepository(db).resolve("u2")
        #expect(u2.interests.isEmpty)
        #expect(u2.email == nil)
        #expect(u2.createdAt == newYear2025)

        let values = try db.texts("""
            SELECT kind || ' ' || COALESCE(CAST(value AS TEXT), '-') || ' ' || CAST(occurred_at AS TEXT)
            FROM interactions ORDER BY id
            """)
        // 2025-02-02 is 32 days after 2025-01-01 = 1_738_454_400.
        #expect(values == [
            "view - \(1_738_454_400 + 36_000)",
            "purchase 1900 \(1_738_454_400 + 36_300)",        // the course price
            "rate 5 \(1_738_454_400 + 86_400)",
            "purchase 3900 \(1_738_454_400 + 2 * 86_400 - 3_600)", // +01:00
            "refund 3900 \(1_738_454_400 + 3 * 86_400)",      // what was paid
        ])
    }

    @Test("users import from CSV with a list of interests", arguments: TestEngine.allCases)
    func usersFromCSV(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("users.csv", """
                external_id,interests,channel
                u1,swift; Finance ;swift,Partner

                """)
            #expect(try Importer(db).importUsers(from: path).imported == 1)
            let learner = try LearnerRepository(db).resolve("u1")
            #expect(learner.interests == ["swift", "finance"])
            #expect(learner.channel == "partner")
        }
    }

    @Test("a progress callback ends with the whole file read", arguments: TestEngine.allCases)
    func progress(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.csv", Samples.creatorsCSV)
            final class Calls: Sendable {
                let list = Mutex<[(Int, Int)]>([])
            }
            let calls = Calls()
            let options = ImportOptions(progress: { done, total in calls.list.withLock { $0.append((done, total)) } })
            _ = try Importer(db).importCreators(from: path, options: options)
            let last = try #require(calls.list.withLock { $0.last })
            #expect(last.0 == Samples.creatorsCSV.utf8.count)
            #expect(last.1 == Samples.creatorsCSV.utf8.count)
        }
    }

    // MARK: Exporting

    /// Writes `entity` (creators, courses, users or interactions) to `path`; returns the rows written.
    private func export(_ entity: String, from db: Database, to path: String, format: TransferFormat) throws -> Int {
        let exporter = Exporter(db)
        switch entity {
        case "creators": return try exporter.exportCreators(to: path, format: format)
        case "courses": return try exporter.exportCourses(to: path, format: format)
        case "users": return try exporter.exportUsers(to: path, format: format)
        default: return try exporter.exportInteractions(to: path, format: format)
        }
    }

    @Test("export writes exactly the expected CSV and JSON Lines", arguments: [
        ("creators", TransferFormat.csv, 2, Samples.exportedCreatorsCSV),
        ("creators", .jsonl, 2, Samples.exportedCreatorsJSONL),
        ("courses", .csv, 3, Samples.exportedCoursesCSV),
        ("users", .csv, 2, Samples.exportedUsersCSV),
        ("users", .jsonl, 2, Samples.exportedUsersJSONL),
        ("interactions", .csv, 5, Samples.exportedInteractionsCSV),
    ])
    func exportsExactly(entity: String, format: TransferFormat, rows: Int, expected: String) throws {
        let db = try makeDatabase()
        let directory = try TemporaryDirectory()
        _ = try importSamples(into: db, directory: directory)
        let name = "out-\(entity).\(format.rawValue)"
        #expect(try export(entity, from: db, to: directory.path(name), format: format) == rows)
        #expect(try text(directory, name) == expected)
    }

    @Test("an empty database exports a header only in CSV and nothing in JSON Lines", arguments: TestEngine.allCases)
    func exportEmpty(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            #expect(try Exporter(db).exportCreators(to: directory.path("c.csv"), format: .csv) == 0)
            #expect(try text(directory, "c.csv") == "name,revenue_share,contact,created_at\n")
            #expect(try Exporter(db).exportUsers(to: directory.path("u.jsonl"), format: .jsonl) == 0)
            #expect(try directory.read("u.jsonl").isEmpty)
        }
    }

    @Test("export replaces an existing file and leaves no temporary file behind", arguments: TestEngine.allCases)
    func exportReplaces(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            try makeCreator(in: db, name: "Ada", revenueShare: 0.5)
            let directory = try TemporaryDirectory()
            try directory.write("creators.csv", "old content that is longer than the new export, by quite a bit\n")
            try Exporter(db).exportCreators(to: directory.path("creators.csv"), format: .csv)
            #expect(try text(directory, "creators.csv") == "name,revenue_share,contact,created_at\nAda,0.5,,2025-01-01T00:00:00Z\n")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.url.path) == ["creators.csv"])
        }
    }

    @Test("export, import into a fresh database, export again: the bytes are the same", arguments: TestEngine.allCases, TransferFormat.allCases)
    func roundTrip(engine: TestEngine, format: TransferFormat) throws {
        try withDatabase(on: engine) { (source: Database) throws in
            try withDatabase(on: engine) { (copy: Database) throws in try roundTrip(from: source, to: copy, format: format) }
        }
    }

    /// Exports `source` in `format`, imports that into the empty `copy`, exports again and compares.
    private func roundTrip(from source: Database, to copy: Database, format: TransferFormat) throws {
        let directory = try TemporaryDirectory()
        _ = try importSamples(into: source, directory: directory)
        // Text that needs quoting or escaping in every format.
        let ada = try #require(try CreatorRepository(source).find(name: "Ada Lovelace"))
        try makeCourse(in: source, slug: "tricky", creator: ada, title: "Tabs\tand, \"quotes\"",
                       description: "Back\\slash, CR\r\nnewline; semi; ünï 東京", priceMinor: 1)
        try makeLearner(in: source, externalID: "u3", displayName: "O'Brien, \"Bob\"", email: "bob@example.com",
                        country: "IE", interests: ["cobol", "legacy"], channel: "referral", campaign: "a,b")

        let kinds: [(String, (Exporter, String) throws -> Int, (Importer, String) throws -> ImportSummary)] = [
            ("creators", { try $0.exportCreators(to: $1, format: format) }, { try $0.importCreators(from: $1) }),
            ("courses", { try $0.exportCourses(to: $1, format: format) }, { try $0.importCourses(from: $1) }),
            ("users", { try $0.exportUsers(to: $1, format: format) }, { try $0.importUsers(from: $1) }),
            ("interactions", { try $0.exportInteractions(to: $1, format: format) }, { try $0.importInteractions(from: $1) }),
        ]
        for (name, export, load) in kinds {
            let first = directory.path("first-\(name).\(format.rawValue)")
            let second = directory.path("second-\(name).\(format.rawValue)")
            let exported = try export(Exporter(source), first)
            let summary = try load(Importer(copy), first)
            #expect(summary.imported == exported, "\(name)")
            #expect(try export(Exporter(copy), second) == exported, "\(name)")
            let firstBytes = try Data(contentsOf: URL(fileURLWithPath: first))
            let secondBytes = try Data(contentsOf: URL(fileURLWithPath: second))
            #expect(!firstBytes.isEmpty)
            #expect(firstBytes == secondBytes, "\(name): \(String(decoding: firstBytes, as: UTF8.self)) != \(String(decoding: secondBytes, as: UTF8.self))")
        }
        // And the copy holds the same data, not only the same text.
        #expect(try CourseRepository(copy).resolve("tricky").description == "Back\\slash, CR\r\nnewline; semi; ünï 東京")
        #expect(try CourseRepository(copy).resolve("tricky").title == "Tabs\tand, \"quotes\"")
        #expect(try LearnerRepository(copy).resolve("u3").displayName == "O'Brien, \"Bob\"")
        #expect(try LearnerRepository(copy).resolve("u3").campaign == "a,b")
        #expect(try InteractionRepository(copy).count() == 5)
    }

    @Test("a learner's interests survive export and import (or a list separator is refused)", arguments: TestEngine.allCases)
    func interestWithSeparator(engine: TestEngine) throws {
        try withDatabase(on: engine) { (source: Database) throws in
            let learner: Learner
            do {
                learner = try makeLearner(in: source, externalID: "u1", interests: ["cooking;baking", "swift"])
            } catch let error as StoreError where error.code == .invalidInput {
                return // Refusing `;` in an interest is a fine answer too.
            }
            let directory = try TemporaryDirectory()
            let path = directory.path("users.csv")
            try Exporter(source).exportUsers(to: path, format: .csv)
            try withDatabase(on: engine) { (copy: Database) throws in
                _ = try Importer(copy).importUsers(from: path)
                #expect(try LearnerRepository(copy).resolve("u1").interests == learner.interests)
            }
        }
    }

    // MARK: All or nothing

    @Test("a bad third row fails the whole file, naming line 4, and keeps nothing", arguments: TestEngine.allCases)
    func allOrNothing(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.csv", Samples.creatorsBadThirdRow)
            let error = expectStoreError(.invalidInput, containing: "line 4") { _ = try Importer(db).importCreators(from: path) }
            #expect(error?.message.contains("1.5") == true)
            #expect(try rowCount(db, "creators") == 0)
            #expect(!db.isInTransaction)
        }
    }

    @Test("skipInvalid keeps the good rows and lists the bad line with its reason", arguments: TestEngine.allCases)
    func skipInvalid(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.csv", Samples.creatorsBadThirdRow)
            let summary = try Importer(db).importCreators(from: path, options: ImportOptions(skipInvalid: true))
            #expect(summary.imported == 3)
            #expect(summary.skipped.map(\.line) == [4])
            #expect(summary.skipped.first?.reason.contains("revenue share") == true)
            #expect(try CreatorRepository(db).list().map(\.creator.name) == ["Ada", "Bob", "Dan"])
        }
    }

    @Test("skipInvalid skips structurally bad rows too (field count, malformed JSON, unknown field) and keeps the good ones",
          arguments: [
            ("creators.csv", "name,revenue_share\nAda,0.5\nBob,0.6,extra\nCy\"x,0.1\nDan,0.2\n", [3, 4]),
            ("creators.csv", "name,revenue_share\nAda,0.5\n\"Bob,0.6\nDan,0.2\n", [3]),
            ("creators.jsonl", "{\"name\": \"Ada\", \"revenue_share\": 0.5}\n{\"name\": \"Bob\", \"revenue_share\": \n"
                + "{\"name\": \"Cy\", \"revenue_share\": 0.1, \"shoe_size\": 44}\n{\"name\": \"Dan\", \"revenue_share\": 0.2}\n", [2, 3]),
          ] as [(String, String, [Int])])
    func skipInvalidStructural(name: String, text: String, lines: [Int]) throws {
        let db = try makeDatabase()
        let directory = try TemporaryDirectory()
        let path = try directory.write(name, text)
        // Without the flag the file is refused whole, naming the first bad line.
        expectStoreError(.invalidInput, containing: "line \(lines[0])") { _ = try Importer(db).importCreators(from: path) }
        #expect(try rowCount(db, "creators") == 0)
        let summary = try Importer(db).importCreators(from: path, options: ImportOptions(skipInvalid: true))
        #expect(summary.skipped.map(\.line) == lines)
        let kept = try CreatorRepository(db).list().map(\.creator.name)
        #expect(kept.first == "Ada" && (kept.count == 2 ? kept.last == "Dan" : true), "\(kept)")
    }

    @Test("a full database is never a bad row: the whole import rolls back, skipInvalid or not, as a storage error")
    func fullDatabaseRollsBack() throws {
        let directory = try TemporaryDirectory()
        let db = try LecternDatabase.open(path: directory.path("full.db"))
        let ada = try makeCreator(in: db)
        try makeCourse(in: db, slug: "swift", creator: ada)
        try makeLearner(in: db, externalID: "u1")
        var text = "user,course,kind,occurred_at\n"
        for i in 0..<20_000 { text += "u1,swift,view,\(1_740_787_200 + i)\n" }
        let path = try directory.write("events.csv", text)
        let pages = try db.scalarInt("PRAGMA page_count") ?? 0
        try db.execute("PRAGMA max_page_count = \(pages + 8)")
        for skip in [false, true] {
            let error = expectStoreError(.io, containing: "the disk is full") {
                _ = try Importer(db).importInteractions(from: path, options: ImportOptions(skipInvalid: skip))
            }
            #expect(error?.message.contains("line") == false)
            #expect(try rowCount(db, "interactions") == 0)
            #expect(!db.isInTransaction)
        }
    }

    @Test("a field over 1 MiB or a JSON line over 4 MiB is refused at that size, as its row", arguments: TestEngine.allCases)
    func sizeLimits(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let huge = String(repeating: "x", count: (1 << 20) + 10)
            let csv = try directory.write("creators.csv", "name,revenue_share\nAda,0.5\n\(huge),0.1\n\"\(huge)\",0.1\nDan,0.2\n")
            expectStoreError(.invalidInput, containing: "line 3: a field longer than 1 MiB") { _ = try Importer(db).importCreators(from: csv) }
            let summary = try Importer(db).importCreators(from: csv, options: ImportOptions(skipInvalid: true))
            #expect(summary.skipped.map(\.line) == [3, 4])
            #expect(try CreatorRepository(db).list().map(\.creator.name) == ["Ada", "Dan"])
            // A file that is one line with no line break.
            let line = try directory.write("creators.jsonl", "{\"name\": \"" + String(repeating: "y", count: 5 << 20))
            expectStoreError(.invalidInput, containing: "line 1: a line longer than 4 MiB") { _ = try Importer(db).importCreators(from: line) }
        }
    }

    @Test("a bad interaction fails the whole file and keeps none of the earlier ones", arguments: TestEngine.allCases)
    func interactionsAllOrNothing(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            try makeCourse(in: db, slug: "swift", creator: ada)
            try makeLearner(in: db, externalID: "u1")
            let directory = try TemporaryDirectory()
            let path = try directory.write("events.csv", """
                user,course,kind,occurred_at
                u1,swift,view,2025-01-01
                u1,swift,wishlist,2025-01-02
                u1,kotlin,view,2025-01-03

                """)
            expectStoreError(.invalidInput, containing: "line 4: course: no course 'kotlin'") {
                _ = try Importer(db).importInteractions(from: path)
            }
            #expect(try rowCount(db, "interactions") == 0)

            let skipped = try Importer(db).importInteractions(from: path, options: ImportOptions(skipInvalid: true))
            #expect(skipped.imported == 2)
            #expect(skipped.skipped.map(\.line) == [4])
        }
    }

    @Test("a refund with no purchase in an import names its line", arguments: TestEngine.allCases)
    func importedRefundWithoutPurchase(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let ada = try makeCreator(in: db)
            try makeCourse(in: db, slug: "swift", creator: ada)
            try makeLearner(in: db, externalID: "u1")
            let directory = try TemporaryDirectory()
            let path = try directory.write("events.jsonl", """
                {"user":"u1","course":"swift","kind":"view","occurred_at":"2025-01-01"}
                {"user":"u1","course":"swift","kind":"refund","occurred_at":"2025-01-02"}

                """)
            expectStoreError(.conflict, containing: "line 2") { _ = try Importer(db).importInteractions(from: path) }
            #expect(try rowCount(db, "interactions") == 0)
        }
    }

    @Test("a prerequisite naming no course fails the course import and keeps no course", arguments: TestEngine.allCases)
    func unknownPrerequisite(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            try makeCreator(in: db, name: "Ada")
            let directory = try TemporaryDirectory()
            let path = try directory.write("courses.csv", """
                slug,title,domain,price_minor,creator,prerequisites
                a,A,misc,0,Ada,
                b,B,misc,0,Ada,a;zzz

                """)
            expectStoreError(.notFound, containing: "line 3: prerequisites: no course 'zzz'") {
                _ = try Importer(db).importCourses(from: path)
            }
            #expect(try rowCount(db, "courses") == 0)
        }
    }

    @Test("a prerequisite cycle inside one file is refused", arguments: TestEngine.allCases)
    func prerequisiteCycleInFile(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            try makeCreator(in: db, name: "Ada")
            let directory = try TemporaryDirectory()
            let path = try directory.write("courses.csv", """
                slug,title,domain,price_minor,creator,prerequisites
                a,A,misc,0,Ada,b
                b,B,misc,0,Ada,a

                """)
            expectStoreError(.conflict, containing: "cycle") { _ = try Importer(db).importCourses(from: path) }
            #expect(try rowCount(db, "courses") == 0)
            #expect(try rowCount(db, "course_prerequisites") == 0)
        }
    }

    @Test("row values a course cannot have are refused with the line and column", arguments: [
        ("difficulty", "expert"), ("format", "vhs"), ("status", "deleted"), ("price_minor", "12.50"), ("hours", "lots"),
        ("created_at", "2025-13-01"),
    ])
    func badCourseValues(column: String, value: String) throws {
        let db = try makeDatabase()
        try makeCreator(in: db, name: "Ada")
        let directory = try TemporaryDirectory()
        let path = try directory.write("courses.csv", """
            slug,title,domain,price_minor,creator,\(column == "price_minor" ? "currency" : column)
            ok,OK,misc,100,Ada,\(column == "price_minor" ? "USD" : "")
            bad,Bad,misc,\(column == "price_minor" ? value : "100"),Ada,\(column == "price_minor" ? "USD" : value)

            """)
        expectStoreError(.invalidInput, containing: "line 3: \(column)") { _ = try Importer(db).importCourses(from: path) }
        #expect(try rowCount(db, "courses") == 0)
    }

    @Test("a duplicate learner in one file is a conflict naming the second line", arguments: TestEngine.allCases)
    func duplicateLearner(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("users.csv", "external_id\nu1\nu2\nu1\n")
            expectStoreError(.conflict, containing: "line 4") { _ = try Importer(db).importUsers(from: path) }
            #expect(try rowCount(db, "users") == 0)
        }
    }

    @Test("thousands of learners with interests import whole; a fault names its own line wherever it falls in a batch", arguments: TestEngine.allCases)
    func learnersInBatches(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            // 2,500 learners: PostgreSQL writes them 1,000 at a time.
            let lines = (1...2_500).map { "u\($0),Learner \($0),\($0 % 3 == 0 ? "data;design" : "")" }
            let path = try directory.write("users.csv", "external_id,display_name,interests\n" + lines.joined(separator: "\n") + "\n")
            #expect(try Importer(db).importUsers(from: path).imported == 2_500)
            #expect(try rowCount(db, "users") == 2_500)
            #expect(try rowCount(db, "user_interests") == 2 * 833)
            #expect(try LearnerRepository(db).resolve("u2499").interests == ["data", "design"])
            #expect(try LearnerRepository(db).resolve("u2500").displayName == "Learner 2500")

            // A learner already stored, in the middle of the second batch (line 1,502), is the fault
            // reported, though a bad time comes later in the same batch; nothing of the file is kept.
            var again = (1...1_800).map { "v\($0),,2025-01-01T00:00:00Z" }
            again[1_500] = "u17,,2025-01-01T00:00:00Z"
            again[1_700] = "v9999,,yesterday"
            let second = try directory.write("again.csv", "external_id,display_name,created_at\n" + again.joined(separator: "\n") + "\n")
            expectStoreError(.conflict, containing: "line 1502: a learner with external id 'u17' already exists") {
                _ = try Importer(db).importUsers(from: second)
            }
            // The same file without that learner: the bad time, on line 1,702.
            again[1_500] = "v1501,,2025-01-01T00:00:00Z"
            let third = try directory.write("third.csv", "external_id,display_name,created_at\n" + again.joined(separator: "\n") + "\n")
            expectStoreError(.invalidInput, containing: "line 1702") { _ = try Importer(db).importUsers(from: third) }
            #expect(try rowCount(db, "users") == 2_500)
        }
    }

    @Test("a thousand courses and more import whole with their tags and prerequisites; a fault names its own line wherever it falls in a batch",
          arguments: TestEngine.allCases)
    func coursesInBatches(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            _ = try CreatorRepository(db).create(Creator(name: "Ada", revenueShare: 0.7))
            let directory = try TemporaryDirectory()
            let header = "slug,title,domain,creator,price_minor,tags,prerequisites\n"
            // 1,300 courses (PostgreSQL writes them 1,000 at a time); each requires the next, one
            // from the second batch; tags repeat across courses, and once within one.
            let lines = (1...1_300).map { n in
                "c\(n),Course \(n),data,Ada,900,\(n % 2 == 0 ? "python;Pandas;python" : "sql"),\(n < 1_300 ? "c\(n + 1)" : "")"
            }
            let path = try directory.write("courses.csv", header + lines.joined(separator: "\n") + "\n")
            #expect(try Importer(db).importCourses(from: path).imported == 1_300)
            #expect(try rowCount(db, "courses") == 1_300)
            #expect(try rowCount(db, "tags") == 3)
            #expect(try rowCount(db, "course_tags") == 650 * 2 + 650)
            #expect(try rowCount(db, "course_prerequisites") == 1_299)
            let details = try CourseRepository(db).details(of: try CourseRepository(db).resolve("c998"))
            #expect(details.tags == ["pandas", "python"] && details.prerequisites == ["c999"])

            // A slug already stored, in the second batch (line 1,502), is reported though a bad tag
            // comes later in that batch; nothing of the file is kept.
            var again = (1...1_800).map { "d\($0),D,data,Ada,900,," }
            again[1_500] = "c17,C,data,Ada,900,,"
            again[1_700] = "d1701,D,data,Ada,900,no tags!,"
            let second = try directory.write("again.csv", header + again.joined(separator: "\n") + "\n")
            expectStoreError(.conflict, containing: "line 1502: a course with slug 'c17' already exists") {
                _ = try Importer(db).importCourses(from: second)
            }
            // Without that course: the bad tag, line 1,702; with the tag's course taken too, the slug.
            again[1_500] = "d1501,D,data,Ada,900,,"
            let third = try directory.write("third.csv", header + again.joined(separator: "\n") + "\n")
            expectStoreError(.invalidInput, containing: "invalid tag 'no tags!'") { _ = try Importer(db).importCourses(from: third) }
            again[1_700] = "c5,D,data,Ada,900,no tags!,"
            let fourth = try directory.write("fourth.csv", header + again.joined(separator: "\n") + "\n")
            expectStoreError(.conflict, containing: "line 1702: a course with slug 'c5' already exists") {
                _ = try Importer(db).importCourses(from: fourth)
            }
            #expect(try rowCount(db, "courses") == 1_300)
        }
    }

    // MARK: File problems

    /// Creators files refused whole, and what the message says (every fragment): the CSV and JSON
    /// Lines readers' checks of the header, the fields and the lines, each naming the line.
    static let refusedCreators = refusedCSV + refusedJSONLines

    static let refusedCSV: [(file: String, text: String, message: [String])] = [
        // An unclosed quote runs to the end of the file.
        ("creators.csv", "name,revenue_share\nAda,0.5\n\"Bob,0.6\nCleo,0.2\n", ["line 3: malformed CSV"]),
        // A quote inside an unquoted field, and text after a closing quote.
        ("creators.csv", "name,revenue_share\nAd\"a,0.5\n", ["line 2: malformed CSV"]),
        ("creators.csv", "name,revenue_share\n\"Ada\"x,0.5\n", ["line 2: malformed CSV"]),
        ("creators.csv", "name,revenue_share,colour\nAda,0.5,red\n",
         ["line 1: unknown column 'colour'", "name, revenue_share, contact, created_at"]),
        ("creators.csv", "name,revenue_share,name\nAda,0.5,Bob\n", ["column 'name' appears twice"]),
        // A missing required column is refused before any row is read.
        ("creators.csv", "name,contact\nAda,ada@example.com\n", ["missing column 'revenue_share'"]),
        ("creators.csv", "name,revenue_share\nAda,\n", ["line 2: revenue_share"]),
        ("creators.csv", "name,revenue_share,contact\nAda,0.5,a@b\nBob,0.6\n", ["line 3: expected 3 fields, found 2"]),
        ("creators.csv", "name,revenue_share\nAda,0.5,extra\n", ["line 2: expected 2 fields, found 3"]),
        // Line numbers count the lines inside quoted fields and blank lines.
        ("creators.csv", "name,revenue_share,contact\n\"Ada\",0.5,\"two\nlines\"\n\nBob,2,\n", ["line 5"]),
    ]

    static let refusedJSONLines: [(file: String, text: String, message: [String])] = [
        ("creators.jsonl", "{\"name\":\"Ada\",\"revenue_share\":0.5,\"colour\":\"red\"}\n", ["line 1: unknown field 'colour'"]),
        ("creators.jsonl", "{\"revenue_share\":0.5}\n", ["line 1: missing field 'name'"]),
    ] + malformedJSONLines.map { (line: String) -> (file: String, text: String, message: [String]) in
        ("creators.jsonl", "{\"name\":\"Ada\",\"revenue_share\":0.5}\n" + line + "\n", ["line 2: malformed JSON"])
    }

    /// Second lines of a JSON Lines file that are not a JSON object of names and plain values.
    static let malformedJSONLines: [String] = [
        "{\"name\":\"Bob\",\"revenue_share\":0.6",
        "{\"name\":\"Bob\" \"revenue_share\":0.6}",
        "{\"name\":\"Bob\",\"revenue_share\":0.6} trailing",
        "[\"name\"]",
        "{\"name\":{\"nested\":1},\"revenue_share\":0.6}",
        "{\"name\":\"B\\qob\",\"revenue_share\":0.6}",
        "{\"name\":\"Bob\",\"revenue_share\":0.6,\"tags\":[1]}",
    ]

    @Test("a malformed creators file is refused whole, naming the line and the problem, and nothing is kept",
          arguments: refusedCreators)
    func refusedFile(file: String, text: String, message: [String]) throws {
        let db = try makeDatabase()
        let directory = try TemporaryDirectory()
        let path = try directory.write(file, text)
        let error = expectStoreError(.invalidInput, containing: message[0]) { _ = try Importer(db).importCreators(from: path) }
        for fragment in message.dropFirst() {
            #expect(error?.message.contains(fragment) == true, "\(error?.message ?? "no error")")
        }
        #expect(try rowCount(db, "creators") == 0)
    }

    @Test("JSON Lines: escapes, numbers, null, CRLF and blank lines", arguments: TestEngine.allCases)
    func jsonDetails(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.jsonl",
                "{\"name\":\"Tab\\there \\\"q\\\" \\\\ \\/ \\u00e9\\ud83c\\udf93\",\"revenue_share\":1,\"contact\":null}\r\n"
                + "   \r\n"
                + "{ \"name\" : \"Bob\" , \"revenue_share\" : 2.5e-1 , \"created_at\" : \"2025-01-01\" }\r\n")
            let summary = try Importer(db).importCreators(from: path)
            #expect(summary.imported == 2)
            let names = try CreatorRepository(db).list().map(\.creator.name)
            #expect(names == ["Bob", "Tab\there \"q\" \\ / é🎓"])
            #expect(try CreatorRepository(db).find(name: "Bob")?.revenueShare == 0.25)
            #expect(try CreatorRepository(db).find(name: "Bob")?.createdAt == newYear2025)
        }
    }

    @Test("a missing file is an io error", arguments: TestEngine.allCases)
    func missingFile(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            expectStoreError(.io, containing: "no such file") { _ = try Importer(db).importCreators(from: directory.path("nope.csv")) }
        }
    }

    @Test("an empty CSV file has no header and is refused; an empty JSON Lines file imports nothing", arguments: TestEngine.allCases)
    func emptyFiles(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let csv = try directory.write("empty.csv", "")
            expectStoreError(.invalidInput, containing: "empty") { _ = try Importer(db).importCreators(from: csv) }
            let headerOnly = try directory.write("header.csv", "name,revenue_share\n")
            #expect(try Importer(db).importCreators(from: headerOnly).imported == 0)
            let jsonl = try directory.write("empty.jsonl", "")
            #expect(try Importer(db).importCreators(from: jsonl).imported == 0)
            #expect(try rowCount(db, "creators") == 0)
        }
    }

    @Test("the format comes from the file name, or from the options", arguments: TestEngine.allCases)
    func formats(engine: TestEngine) throws {
        #expect(TransferFormat.inferred(from: "a.CSV") == .csv)
        #expect(TransferFormat.inferred(from: "a.tsv") == .tsv)
        #expect(TransferFormat.inferred(from: "a.tab") == .tsv)
        #expect(TransferFormat.inferred(from: "a.jsonl") == .jsonl)
        #expect(TransferFormat.inferred(from: "a.ndjson") == .jsonl)
        #expect(TransferFormat.inferred(from: "a.txt") == nil)

        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.txt", "name,revenue_share\nAda,0.5\n")
            expectStoreError(.invalidInput, containing: "cannot tell the format") { _ = try Importer(db).importCreators(from: path) }
            #expect(try Importer(db).importCreators(from: path, options: ImportOptions(format: .csv)).imported == 1)
        }
    }

    @Test("TSV: tabs separate, commas are plain text", arguments: TestEngine.allCases)
    func tsv(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.tsv", "name\trevenue_share\tcontact\nHopper, Grace\t0.5\t\"tab\there\"\n")
            #expect(try Importer(db).importCreators(from: path).imported == 1)
            let grace = try #require(try CreatorRepository(db).find(name: "Hopper, Grace"))
            #expect(grace.contact == "tab\there")
            #expect(grace.revenueShare == 0.5)
        }
    }

    @Test("CRLF line endings, inside and outside quoted fields", arguments: TestEngine.allCases)
    func crlf(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.csv", "name,revenue_share,contact\r\nAda,0.5,\"a\r\nb\"\r\nBob,0.25,\r\n")
            #expect(try Importer(db).importCreators(from: path).imported == 2)
            #expect(try CreatorRepository(db).find(name: "Ada")?.contact == "a\r\nb")
            #expect(try CreatorRepository(db).find(name: "Bob")?.revenueShare == 0.25)
            #expect(try CreatorRepository(db).find(name: "Bob")?.contact == nil)
        }
    }

    @Test("quoted fields hold commas, doubled quotes and newlines", arguments: TestEngine.allCases)
    func quotedFields(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.csv", """
                name,revenue_share,contact
                "Hopper, Grace","0.5","She said ""hi"",
                then left"
                "",0.1,

                """)
            // The empty quoted name is a row with an empty required value: refused, naming line 4.
            expectStoreError(.invalidInput, containing: "line 4: name") { _ = try Importer(db).importCreators(from: path) }
            let summary = try Importer(db).importCreators(from: path, options: ImportOptions(skipInvalid: true))
            #expect(summary.imported == 1)
            #expect(try CreatorRepository(db).find(name: "Hopper, Grace")?.contact == "She said \"hi\",\nthen left")
        }
    }

    @Test("a byte order mark before the header is ignored", arguments: TestEngine.allCases)
    func byteOrderMark(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.csv", "\u{FEFF}name,revenue_share\nAda,0.5\n")
            #expect(try Importer(db).importCreators(from: path).imported == 1)
            #expect(try CreatorRepository(db).find(name: "Ada") != nil)
        }
    }

    @Test("a byte order mark before a quoted header is ignored too", arguments: TestEngine.allCases)
    func byteOrderMarkBeforeQuote(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let directory = try TemporaryDirectory()
            let path = try directory.write("creators.csv", "\u{FEFF}\"name\",\"revenue_share\"\n\"Ada\",\"0.5\"\n")
            #expect(try Importer(db).importCreators(from: path).imported == 1)
        }
    }
}
