import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

@Suite("LearnerRepository")
struct LearnerRepositoryTests {
    @Test("create stores a learner and their interests in order; find by id and external id return them", arguments: TestEngine.allCases)
    func createAndFind(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let repository = LearnerRepository(db)
            let created = try repository.create(Learner(
                externalID: " shop-42 ", displayName: "Zoë Ångström", email: "zoe@example.com", country: "se",
                interests: [" Data-Science", "swift", "SWIFT", "", "finance"], channel: "Social_Video",
                campaign: "spring", createdAt: 5_000))
            #expect(created.id > 0)
            #expect(created.externalID == "shop-42")
            #expect(created.country == "SE")
            #expect(created.channel == "social_video")
            #expect(created.interests == ["data-science", "swift", "finance"])

            let found = try #require(try repository.find(id: created.id))
            #expect(found == created)
            #expect(found.displayName == "Zoë Ångström")
            #expect(found.email == "zoe@example.com")
            #expect(found.campaign == "spring")
            #expect(found.createdAt == 5_000)
            #expect(try repository.find(externalID: "shop-42") == created)
            #expect(try repository.interests(of: created.id) == ["data-science", "swift", "finance"])
            #expect(try repository.find(externalID: "shop-43") == nil)
            #expect(try repository.find(id: created.id + 1) == nil)
        }
    }

    @Test("empty optional fields are stored as none, and the creation time defaults to now", arguments: TestEngine.allCases)
    func defaults(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let before = currentUnixTime()
            let learner = try LearnerRepository(db).create(Learner(externalID: "u1", email: "", country: "", campaign: ""))
            #expect(learner.email == nil)
            #expect(learner.country == nil)
            #expect(learner.campaign == nil)
            #expect(learner.channel == "direct")
            #expect(learner.createdAt >= before)
            #expect(try db.scalarInt("SELECT count(*) FROM users WHERE email IS NULL AND country IS NULL AND campaign IS NULL") == 1)
        }
    }

    @Test("invalid learners are refused with invalidInput and nothing is stored", arguments: [
        ("email", Learner(externalID: "a", email: "no-at-sign")),
        ("email", Learner(externalID: "b", email: "two@at@signs")),
        ("email", Learner(externalID: "c", email: "@example.com")),
        ("email", Learner(externalID: "d", email: "someone@")),
        ("country", Learner(externalID: "e", country: "DEU")),
        ("country", Learner(externalID: "f", country: "D1")),
        ("country", Learner(externalID: "g", country: "Ö")),
        ("channel", Learner(externalID: "h", channel: "social video")),
        ("channel", Learner(externalID: "i", channel: "")),
        ("external id", Learner(externalID: "   ")),
        ("external id", Learner(externalID: String(repeating: "x", count: 121))),
    ])
    func invalid(what: String, learner: Learner) throws {
        let db = try makeDatabase()
        expectStoreError(.invalidInput, containing: what) { try LearnerRepository(db).create(learner) }
        #expect(try rowCount(db, "users") == 0)
        #expect(try rowCount(db, "user_interests") == 0)
    }

    @Test("a duplicate external id is a conflict and the first learner is untouched", arguments: TestEngine.allCases)
    func duplicateExternalID(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let first = try makeLearner(in: db, externalID: "u1", displayName: "First", interests: ["swift"])
            expectStoreError(.conflict, containing: "'u1'") {
                try LearnerRepository(db).create(Learner(externalID: "u1", displayName: "Second", interests: ["finance"]))
            }
            #expect(try rowCount(db, "users") == 1)
            #expect(try LearnerRepository(db).find(id: first.id) == first)
        }
    }

    @Test("update saves the changes and replaces the interests", arguments: TestEngine.allCases)
    func update(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let repository = LearnerRepository(db)
            var learner = try makeLearner(in: db, externalID: "u1", interests: ["swift", "ios"])
            learner.displayName = "Renamed"
            learner.email = "new@example.com"
            learner.country = "fr"
            learner.interests = ["finance", "swift"]
            learner.campaign = "autumn"
            try repository.update(learner)
            let stored = try #require(try repository.find(id: learner.id))
            #expect(stored.displayName == "Renamed")
            #expect(stored.email == "new@example.com")
            #expect(stored.country == "FR")
            #expect(stored.interests == ["finance", "swift"])
            #expect(stored.campaign == "autumn")
            #expect(stored.createdAt == learner.createdAt)
            #expect(try rowCount(db, "user_interests") == 2)
        }
    }

    @Test("update refuses another learner's external id, a bad value and an unknown id, changing nothing", arguments: TestEngine.allCases)
    func updateRefusals(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let repository = LearnerRepository(db)
            let first = try makeLearner(in: db, externalID: "u1", interests: ["swift"])
            try makeLearner(in: db, externalID: "u2")

            var clash = first
            clash.externalID = "u2"
            expectStoreError(.conflict) { try repository.update(clash) }

            var badEmail = first
            badEmail.email = "nope"
            expectStoreError(.invalidInput) { try repository.update(badEmail) }

            var ghost = first
            ghost.id = 999
            ghost.externalID = "ghost"
            expectStoreError(.notFound, containing: "999") { try repository.update(ghost) }

            #expect(try repository.find(id: first.id) == first)
            #expect(try repository.find(externalID: "ghost") == nil)
        }
    }

    @Test("resolve takes an external id", arguments: TestEngine.allCases)
    func resolve(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let learner = try makeLearner(in: db, externalID: "shop-1")
            #expect(try LearnerRepository(db).resolve("shop-1") == learner)
            expectStoreError(.notFound, containing: "'shop-2'") { _ = try LearnerRepository(db).resolve("shop-2") }
        }
    }

    @Test("list filters by channel, campaign, country and text, and pages", arguments: TestEngine.allCases)
    func list(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            try makeLearner(in: db, externalID: "c-3", displayName: "Carla", email: "carla@mail.test", country: "DE",
                            channel: "search", campaign: "spring")
            try makeLearner(in: db, externalID: "a-1", displayName: "Anna 100%", country: "DE", channel: "partner")
            try makeLearner(in: db, externalID: "b-2", displayName: "Bert", email: "bert@corp.test", country: "FR",
                            interests: ["swift"], channel: "search", campaign: "autumn")
            func ids(_ filter: LearnerFilter) throws -> [String] { try LearnerRepository(db).list(filter).map(\.externalID) }

            #expect(try ids(LearnerFilter()) == ["a-1", "b-2", "c-3"])
            #expect(try ids(LearnerFilter(channel: "search")) == ["b-2", "c-3"])
            #expect(try ids(LearnerFilter(campaign: "spring")) == ["c-3"])
            #expect(try ids(LearnerFilter(country: "de")) == ["a-1", "c-3"])
            #expect(try ids(LearnerFilter(channel: "search", country: "FR")) == ["b-2"])
            #expect(try ids(LearnerFilter(text: "CORP")) == ["b-2"])       // email
            #expect(try ids(LearnerFilter(text: "carla")) == ["c-3"])      // name and email
            #expect(try ids(LearnerFilter(text: "a-")) == ["a-1"])         // external id
            #expect(try ids(LearnerFilter(text: "100%")) == ["a-1"])
            #expect(try ids(LearnerFilter(text: "%")) == ["a-1"])
            #expect(try ids(LearnerFilter(text: "_")) == [])
            #expect(try ids(LearnerFilter(limit: 1, offset: 1)) == ["b-2"])
            #expect(try LearnerRepository(db).list(LearnerFilter(text: "bert")).first?.interests == ["swift"])
        }
    }
}
