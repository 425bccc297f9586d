import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

@Suite("CreatorRepository")
struct CreatorRepositoryTests {
    @Test("create stores a creator and assigns an id; find by id and by name return it", arguments: TestEngine.allCases)
    func createAndFind(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let repository = CreatorRepository(db)
            let created = try repository.create(Creator(name: "  Ada Lovelace ", revenueShare: 0.65,
                                                        contact: "ada@example.com", createdAt: 1_000))
            #expect(created.id > 0)
            #expect(created.name == "Ada Lovelace")
            let byID = try #require(try repository.find(id: created.id))
            #expect(byID == created)
            #expect(byID.revenueShare == 0.65)
            #expect(byID.contact == "ada@example.com")
            #expect(byID.createdAt == 1_000)
            #expect(try repository.find(name: "Ada Lovelace") == created)
            #expect(try repository.find(name: "ada lovelace") == nil)
            #expect(try repository.find(id: created.id + 1) == nil)
        }
    }

    @Test("a creator without a creation time gets the current time; an empty contact is stored as none", arguments: TestEngine.allCases)
    func defaults(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let before = currentUnixTime()
            let created = try CreatorRepository(db).create(Creator(name: "Linus", revenueShare: 0, contact: ""))
            #expect(created.createdAt >= before)
            #expect(created.createdAt <= currentUnixTime())
            #expect(created.contact == nil)
            #expect(try db.scalarInt("SELECT count(*) FROM creators WHERE contact IS NULL") == 1)
        }
    }

    @Test("the ends of the revenue share range are allowed", arguments: TestEngine.allCases)
    func revenueShareBounds(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            try makeCreator(in: db, name: "Zero", revenueShare: 0)
            try makeCreator(in: db, name: "All", revenueShare: 1)
            #expect(try rowCount(db, "creators") == 2)
        }
    }

    @Test("invalid creators are refused with invalidInput and nothing is stored", arguments: TestEngine.allCases)
    func invalid(engine: TestEngine) throws {
        let creators = [
            Creator(name: "Too Greedy", revenueShare: 1.5),
            Creator(name: "Negative", revenueShare: -0.1),
            Creator(name: "Not A Number", revenueShare: .nan),
            Creator(name: "Infinite", revenueShare: .infinity),
            Creator(name: "   ", revenueShare: 0.5),
            Creator(name: String(repeating: "x", count: 201), revenueShare: 0.5),
        ]
        try withDatabase(on: engine) { (db: Database) throws in
            for creator in creators {
                expectStoreError(.invalidInput) { try CreatorRepository(db).create(creator) }
            }
            #expect(try rowCount(db, "creators") == 0)
        }
    }

    @Test("the 200-character limit counts what SQLite counts, so a long name is invalidInput, not a conflict", arguments: TestEngine.allCases)
    func nameLengthInCodePoints(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            // "é" written as e + U+0301 is one Swift Character but two code points; the schema's
            // length() counts code points, so 150 of them are 300 and break its CHECK.
            let name = String(repeating: "e\u{301}", count: 150)
            #expect(name.count == 150)
            expectStoreError(.invalidInput) { try CreatorRepository(db).create(Creator(name: name, revenueShare: 0.5)) }
            #expect(try rowCount(db, "creators") == 0)
        }
    }

    @Test("the revenue share message names the value", arguments: TestEngine.allCases)
    func revenueShareMessage(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            expectStoreError(.invalidInput, containing: "1.5") {
                try CreatorRepository(db).create(Creator(name: "Greedy", revenueShare: 1.5))
            }
        }
    }

    @Test("a duplicate name is a conflict", arguments: TestEngine.allCases)
    func duplicateName(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            try makeCreator(in: db, name: "Grace Hopper")
            expectStoreError(.conflict, containing: "Grace Hopper") {
                try CreatorRepository(db).create(Creator(name: "Grace Hopper ", revenueShare: 0.1))
            }
            #expect(try rowCount(db, "creators") == 1)
        }
    }

    @Test("update saves the changes; renaming onto another creator is a conflict; an unknown id is notFound", arguments: TestEngine.allCases)
    func update(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let repository = CreatorRepository(db)
            var ada = try makeCreator(in: db, name: "Ada")
            let grace = try makeCreator(in: db, name: "Grace")

            ada.name = "Ada Lovelace"
            ada.revenueShare = 0.8
            ada.contact = "ada@example.com"
            try repository.update(ada)
            #expect(try repository.find(id: ada.id) == ada)

            var clash = ada
            clash.name = grace.name
            expectStoreError(.conflict) { try repository.update(clash) }
            #expect(try repository.find(id: ada.id)?.name == "Ada Lovelace")

            var invalid = ada
            invalid.revenueShare = 1.5
            expectStoreError(.invalidInput) { try repository.update(invalid) }
            #expect(try repository.find(id: ada.id)?.revenueShare == 0.8)

            var ghost = ada
            ghost.id = 9_999
            ghost.name = "Ghost"
            expectStoreError(.notFound, containing: "9999") { try repository.update(ghost) }
            #expect(try repository.find(name: "Ghost") == nil)
        }
    }

    @Test("resolve takes an id or an exact name", arguments: TestEngine.allCases)
    func resolve(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let repository = CreatorRepository(db)
            let ada = try makeCreator(in: db, name: "Ada")
            #expect(try repository.resolve(String(ada.id)) == ada)
            #expect(try repository.resolve("Ada") == ada)
            expectStoreError(.notFound, containing: "'Nobody'") { _ = try repository.resolve("Nobody") }
            expectStoreError(.notFound) { _ = try repository.resolve("12345") }
        }
    }

    @Test("list orders by name, counts each creator's courses, and pages", arguments: TestEngine.allCases)
    func list(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let zed = try makeCreator(in: db, name: "Zed")
            let ada = try makeCreator(in: db, name: "Ada")
            try makeCreator(in: db, name: "Mia")
            try makeCourse(in: db, slug: "one", creator: zed)
            try makeCourse(in: db, slug: "two", creator: zed)
            try makeCourse(in: db, slug: "three", creator: ada)

            let all = try CreatorRepository(db).list()
            #expect(all.map(\.creator.name) == ["Ada", "Mia", "Zed"])
            #expect(all.map(\.courses) == [1, 0, 2])
            let page = try CreatorRepository(db).list(limit: 1, offset: 1)
            #expect(page.map(\.creator.name) == ["Mia"])
        }
    }
}
