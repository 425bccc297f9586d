import Foundation
import LecternCore
import LecternRecommender
import LecternSQLite
@testable import LecternService
import LecternStore
import Testing
import LecternTestSupport

@Suite("Recommendation service")
struct RecommendationServiceTests {
    static func options() -> TrainingOptions {
        var options = TrainingOptions()
        options.als = ALSParameters(factors: 2, regularization: 0.5, iterations: 10, seed: 7)
        options.listLength = 5
        return options
    }

    @Test(arguments: TestEngine.allCases) func itemKNNByHand(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train([.itemknn], options: Self.options())
            // c bought only d. Learners who bought d also bought e (a, b) and f (b):
            // cos(d,e) = 2/(sqrt2 sqrt2)... all weights equal, so e outranks f.
            let list = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(list.items.map(\.slug) == ["e", "f"])
            #expect(list.items[0].reason == "because you bought Course D")
            #expect(list.items[0].score > list.items[1].score)
            #expect(list.foldedIn == false)
        }
    }

    @Test(arguments: Algorithm.allCases, TestEngine.allCases)
    func everyListKeepsTheRules(algorithm: Algorithm, engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train(Algorithm.allCases, options: Self.options())
            for learner in ["a", "b", "c", "n"] {
                let list = try RecommendationService(f.db).recommend(userExternalID: learner, algorithm: algorithm, limit: 10)
                let owned = try InteractionRepository(f.db).list(InteractionFilter(userID: f.learners[learner]))
                    .filter { [.purchase, .enroll, .complete].contains($0.interaction.kind) }.map(\.courseSlug)
                for item in list.items {
                    #expect(!owned.contains(item.slug), "\(algorithm) recommends \(item.slug) that \(learner) owns")
                    #expect(item.slug != "g" && item.slug != "h", "\(algorithm) recommends an unavailable course")
                    #expect(!item.reason.isEmpty)
                }
                #expect(list.items.map(\.rank) == Array(1...max(1, list.items.count)).prefix(list.items.count).map { $0 })
                #expect(zip(list.items, list.items.dropFirst()).allSatisfy { $0.score >= $1.score })
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aNewLearnerGetsInterestsAndPopularity(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train(Algorithm.allCases, options: Self.options())
            let list = try RecommendationService(f.db).recommend(userExternalID: "n", algorithm: .hybrid, limit: 3)
            #expect(!list.items.isEmpty)
            #expect(list.items[0].slug == "d")  // the most popular data-science course
            let popular = try RecommendationService(f.db).recommend(userExternalID: "n", algorithm: .popular, limit: 3)
            #expect(popular.items.first?.reason == "popular in data-science")
        }
    }

    @Test(arguments: TestEngine.allCases) func aCourseBoughtSinceTrainingDisappearsAtOnce(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train([.itemknn], options: Self.options())
            try f.record("c", "e", .purchase, at: 1_800_000_000)
            let list = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(!list.items.map(\.slug).contains("e"))
            #expect(list.items.map(\.slug) == ["f"])
        }
    }

    /// What a learner owns follows refunds and ratings: a refunded course is no reason "because you
    /// bought" it, and a rated course (a rating means they took it) is never recommended back, in the
    /// cache, at once after the rating, and in a folded-in list.
    @Test(arguments: TestEngine.allCases) func refundsAndRatingsChangeWhatALearnerOwns(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try f.record("c", "d", .refund, at: 1_750_000_000)
            try f.record("a", "f", .rate, at: 1_750_000_000, value: 5)
            try RecommendationService(f.db).train([.itemknn], options: Self.options())
            let c = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(!c.foldedIn && !c.items.isEmpty)
            #expect(c.items.allSatisfy { !$0.reason.hasPrefix("because you bought") }, "\(c.items.map(\.reason))")
            let a = try RecommendationService(f.db).recommend(userExternalID: "a", algorithm: .itemknn, limit: 10)
            #expect(!a.items.map(\.slug).contains("f"), "\(a.items.map(\.slug))")

            #expect(c.items.map(\.slug).contains("e"))
            try f.record("c", "e", .rate, at: 1_800_000_000, value: 5)
            let rated = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(rated.foldedIn)
            #expect(!rated.items.map(\.slug).contains("e"), "\(rated.items.map(\.slug))")
            // The cached list alone (what a storefront reads) drops it too.
            let cached = try RecommendationCache(f.db).recommendations(userID: f.learners["c"]!, algorithm: .itemknn, limit: 10)
            #expect(!cached.map(\.slug).contains("e"))
        }
    }

    /// Runs of one family (a module each term): a learner who took one run is never offered another,
    /// in the cached list, in fold-in, or at once after taking one since training.
    @Test(arguments: TestEngine.allCases) func anotherRunOfACourseTakenIsNeverOffered(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try f.setFamily("module-df", of: ["d", "f"])
            try RecommendationService(f.db).train([.itemknn], options: Self.options())
            let c = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(!c.foldedIn && c.items.map(\.slug) == ["e"], "\(c.items.map(\.slug))")
            try f.record("c", "x", .view, at: 1_800_000_000)
            let folded = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(folded.foldedIn && !folded.items.map(\.slug).contains("f"), "\(folded.items.map(\.slug))")

            // Without the family, f is offered; taking d's family-mate since training removes it at once.
            try f.setFamily(nil, of: ["d", "f"])
            try RecommendationService(f.db).train([.itemknn], options: Self.options())
            #expect(try RecommendationCache(f.db).recommendations(userID: f.learners["c"]!, algorithm: .itemknn, limit: 10)
                .map(\.slug).contains("f"))
            try f.setFamily("module-ef", of: ["e", "f"])
            try f.record("c", "e", .enroll, at: 1_800_000_100)
            let storefront = try RecommendationCache(f.db).recommendations(userID: f.learners["c"]!, algorithm: .itemknn, limit: 10)
            #expect(!storefront.map(\.slug).contains("e") && !storefront.map(\.slug).contains("f"), "\(storefront.map(\.slug))")
        }
    }

    /// Offline evaluation counts a family as one course: every run's events go to its first run, and
    /// the other runs are never listed.
    @Test(arguments: TestEngine.allCases) func evaluationCountsAFamilyAsOneCourse(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try f.setFamily("module-ef", of: ["e", "f"])
            let data = try TrainingMatrix.build(from: f.db, weights: InteractionWeights())
            let (events, context) = EvaluationService.familiesAsOne(data)
            let (e, fColumn) = (data.catalog.columnOf[f.courses["e"]!]!, data.catalog.columnOf[f.courses["f"]!]!)
            let (first, other) = (min(e, fColumn), max(e, fColumn))
            #expect(events.count == data.events.count)
            #expect(!events.contains { $0.item == other })
            #expect(events.filter { $0.item == first }.count == data.events.filter { $0.item == e || $0.item == fColumn }.count)
            #expect(!context.facts.available[Int(other)] && context.facts.available[Int(first)])
            // Without families nothing changes.
            try ServiceFixture.with(engine: engine) { plain in
                let plainData = try TrainingMatrix.build(from: plain.db, weights: InteractionWeights())
                #expect(EvaluationService.familiesAsOne(plainData).events == plainData.events)
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func newActivityIsFoldedIn(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train([.itemknn, .als], options: Self.options())
            // c views f: f's neighbours now count for c, and f itself is still recommendable.
            try f.record("c", "f", .view, at: 1_800_000_000)
            let list = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(list.foldedIn)
            #expect(Set(list.items.map(\.slug)) == ["e", "f"])
            let als = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .als, limit: 10)
            #expect(als.foldedIn)
            #expect(!als.items.map(\.slug).contains("d"))
        }
    }

    @Test(arguments: TestEngine.allCases) func aCourseNobodyTookHasContentNeighbours(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train(Algorithm.allCases, options: Self.options())
            let course = try CourseRepository(f.db).find(slug: "x")!
            let (items, source) = try RecommendationService(f.db).similar(to: course, algorithm: .itemknn, limit: 3)
            #expect(source == .content)
            #expect(items.first?.slug == "d")  // same tags: python, pandas
            // And the content model can put it in front of a learner whose tastes match.
            let content = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .content, limit: 5)
            #expect(content.items.map(\.slug).contains("x"))
        }
    }

    @Test(arguments: TestEngine.allCases) func trainingOnAnEmptyDatabaseFails(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            #expect(throws: StoreError.self) { try RecommendationService(db).train([.itemknn]) }
            #expect(try RecommendationCache(db).runs().isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases) func unknownLearnersAndUntrainedModelsAreErrors(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            #expect(throws: StoreError.self) { try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .als, limit: 5) }
            try RecommendationService(f.db).train([.popular], options: Self.options())
            #expect(throws: StoreError.self) { try RecommendationService(f.db).recommend(userExternalID: "zz", algorithm: .popular, limit: 5) }
            var bad = Self.options()
            bad.itemKNN.neighbors = 0
            #expect(throws: RecommenderError.self) { try RecommendationService(f.db).train([.itemknn], options: bad) }
        }
    }

    @Test(arguments: TestEngine.allCases) func oldRunsArePruned(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            for _ in 0..<5 { try RecommendationService(f.db).train([.itemknn], options: Self.options()) }
            let runs = try RecommendationCache(f.db).runs()
            #expect(runs.count == RecommendationCache.keptRuns)
            #expect(try f.db.scalarInt("SELECT count(DISTINCT run_id) FROM recommendations") == Int64(RecommendationCache.keptRuns))
        }
    }

    @Test(arguments: TestEngine.allCases) func theSameSeedGivesTheSameLists(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            let first = try RecommendationService(f.db).train([.als], options: Self.options())[0]
            let second = try RecommendationService(f.db).train([.als], options: Self.options())[0]
            let read = { (run: Int64) in
                try f.db.texts("""
                    SELECT user_id || ',' || rank || ',' || course_id || ',' || score FROM recommendations
                    WHERE run_id = ? ORDER BY user_id, rank
                    """, [run])
            }
            #expect(try read(first.id) == read(second.id))
            #expect(try !read(first.id).isEmpty)
        }
    }
}

@Suite("Recommendation cache refresh")
struct CacheRefreshTests {
    @Test(arguments: TestEngine.allCases) func readersSeeTheOldCacheUntilTheNewOneCommits(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine, file: true) { f in
            let first = try RecommendationService(f.db).train([.itemknn], options: RecommendationServiceTests.options())[0]
            // Another connection: SQLite's on the file, a second session on PostgreSQL.
            let reader: (String, [any SQLBindable]) throws -> Int64?
            if engine == .sqlite {
                let connection = try Connection(path: f.path)
                reader = { try connection.scalarInt($0, $1) }
            } else {
                let session = try LecternDatabase.open(path: f.path)
                reader = { try session.scalarInt($0, $1) }
            }
            let query = "SELECT run_id FROM active_models WHERE algorithm = 'itemknn'"
            var seenDuring: Int64?
            var rowsDuring: Int64?
            var output = RunOutput(run: ModelRun(algorithm: .itemknn, parameters: "{}", learners: 0, courses: 0, interactions: 0,
                                                 startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
            output.recommendations = [(f.learners["c"]!, 1, f.courses["x"]!, 1.0, CachedReason(text: "test"))]
            try RecommendationCache(f.db).save(output, now: { 0 }) {
                seenDuring = try reader(query, [])
                rowsDuring = try reader("SELECT count(*) FROM recommendations r JOIN active_models a ON a.run_id = r.run_id WHERE r.course_id = ?",
                                        [f.courses["x"]!])
            }
            #expect(seenDuring == first.id)
            #expect(rowsDuring == 0)
            #expect(try reader(query, []) != first.id)
        }
    }

    @Test(arguments: TestEngine.allCases) func aFailedRefreshLeavesTheOldCache(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            let first = try RecommendationService(f.db).train([.itemknn], options: RecommendationServiceTests.options())[0]
            struct Interrupted: Error {}
            let output = RunOutput(run: ModelRun(algorithm: .itemknn, parameters: "{}", learners: 0, courses: 0, interactions: 0,
                                                 startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
            #expect(throws: Interrupted.self) { try RecommendationCache(f.db).save(output, now: { 0 }) { throw Interrupted() } }
            #expect(try RecommendationCache(f.db).activeRun(algorithm: .itemknn)?.id == first.id)
            #expect(try RecommendationCache(f.db).runs().count == 1)
        }
    }
}
