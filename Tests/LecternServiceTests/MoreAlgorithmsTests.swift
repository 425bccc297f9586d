import Foundation
import LecternCore
import LecternRecommender
import LecternSQLite
import LecternService
import LecternStore
import Testing
import LecternTestSupport

@Suite("EASE, RP3beta and BPR in the service")
struct MoreAlgorithmsTests {
    static func options() -> TrainingOptions {
        var options = TrainingOptions()
        options.listLength = 5
        options.bpr = BPRParameters(factors: 4, learningRate: 0.05, iterations: 50, seed: 3)
        return options
    }

    @Test(arguments: [Algorithm.ease, .rp3beta], TestEngine.allCases)
    func itemToItemListsAreCachedAndExplained(algorithm: Algorithm, engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            let runs = try RecommendationService(f.db).train([algorithm], options: Self.options())
            #expect(runs.map(\.algorithm) == [algorithm])
            #expect(runs[0].parameters.contains(algorithm == .ease ? "\"lambda\":500" : "\"beta\":0.5"))
            // c bought only d; a and b bought d with e, b also f: e first, then f.
            let list = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: algorithm, limit: 10)
            #expect(list.foldedIn == false)
            #expect(list.items.map(\.slug) == ["e", "f"])
            #expect(list.items.allSatisfy { $0.reason == "because you bought Course D" && $0.algorithm == algorithm })
            // The weights are cached as neighbours.
            let neighbors = try RecommendationCache(f.db).neighbors(courseID: f.courses["d"]!, algorithm: algorithm, limit: 10)
            #expect(neighbors.first?.slug == "e")
            // A newcomer who only looked at d is folded in from the cached weights: "learners who took".
            _ = try LearnerRepository(f.db).create(Learner(externalID: "v", createdAt: 1_700_000_000))
            var fixture = f
            fixture.learners["v"] = try LearnerRepository(f.db).resolve("v").id
            try fixture.record("v", "d", .view, at: 1_800_000_000)
            let folded = try RecommendationService(f.db).recommend(userExternalID: "v", algorithm: algorithm, limit: 10)
            #expect(folded.foldedIn)
            #expect(folded.items.map(\.slug) == ["e", "f"])
            #expect(folded.items[0].reason == "learners who took Course D also took this")
            // And the same through a long-running process's fold-in cache.
            let cached = try RecommendationService(f.db, foldInCache: FoldInCache())
                .recommend(userExternalID: "v", algorithm: algorithm, limit: 10)
            #expect(cached.items.map(\.slug) == folded.items.map(\.slug))
        }
    }

    @Test(arguments: TestEngine.allCases) func bprListsAreCachedWithFactorsAndFoldedIn(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train([.bpr], options: Self.options())
            let run = try #require(try RecommendationCache(f.db).activeRun(algorithm: .bpr))
            // One vector per learner and one per course, the course's with its bias as a fifth number.
            let courses = try RecommendationCache(f.db).factors(runID: run.id, entity: "course")
            #expect(courses.count == 6 && courses.values.allSatisfy { $0.count == 5 })
            #expect(try RecommendationCache(f.db).factors(runID: run.id, entity: "user").values.allSatisfy { $0.count == 4 })
            let list = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .bpr, limit: 10)
            #expect(!list.foldedIn)
            #expect(Set(list.items.map(\.slug)).isSubset(of: ["e", "f", "x"]) && !list.items.isEmpty)
            #expect(list.items.allSatisfy { $0.reason == "because you bought Course D" })
            try f.record("c", "e", .view, at: 1_800_000_000)
            let folded = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .bpr, limit: 10)
            #expect(folded.foldedIn)
            #expect(!folded.items.isEmpty && !folded.items.contains { $0.slug == "d" })
        }
    }

    @Test func tunedParametersComeBack() throws {
        var options = TrainingOptions()
        options.ease.regularization = 42
        options.rp3beta = RP3betaParameters(alpha: 0.8, beta: 0.25, neighbors: 33)
        options.bpr = BPRParameters(factors: 12, learningRate: 0.02, regularization: 0.003, iterations: 70)
        var back = TrainingOptions()
        for algorithm in [Algorithm.ease, .rp3beta, .bpr] { back = back.applying(options.json(for: algorithm), for: algorithm) }
        #expect(back.ease.regularization == 42)
        #expect(back.rp3beta == RP3betaParameters(alpha: 0.8, beta: 0.25, neighbors: 33))
        #expect(back.bpr.factors == 12 && back.bpr.learningRate == 0.02 && back.bpr.regularization == 0.003 && back.bpr.iterations == 70)
    }

    @Test func recencyHalfLivesComeBackAndNullTurnsThemOff() throws {
        var options = TrainingOptions()
        options.itemKNN.recencyHalfLife = 3
        options.ease.recencyHalfLife = 7.5
        #expect(options.json(for: .itemknn).contains("\"recency_half_life\":3.0"))
        #expect(options.json(for: .rp3beta).contains("\"recency_half_life\":null"))
        var back = TrainingOptions()
        back.rp3beta.recencyHalfLife = 9
        for algorithm in [Algorithm.itemknn, .ease, .rp3beta] { back = back.applying(options.json(for: algorithm), for: algorithm) }
        #expect(back.itemKNN.recencyHalfLife == 3 && back.ease.recencyHalfLife == 7.5 && back.rp3beta.recencyHalfLife == nil)
        // Parameters saved before recency existed leave it as it is.
        back = back.applying("{\"neighbors\":20}", for: .itemknn)
        #expect(back.itemKNN.recencyHalfLife == 3 && back.itemKNN.neighbors == 20)
    }

    @Test(arguments: TestEngine.allCases) func aFoldedInLearnerIsWeighedByTheRunsRecency(engine: TestEngine) throws {
        // w looked at e, then at f (looked at, not bought: both may come back). d is scored
        // sim(e, d) x 0.5^(1 / 1) + sim(f, d):
        // the half-life comes from the run's parameters when w is folded in.
        try ServiceFixture.with(engine: engine) { f in
            var options = Self.options()
            options.itemKNN.recencyHalfLife = 1
            let runs = try RecommendationService(f.db).train([.itemknn], options: options)
            #expect(runs[0].parameters.contains("\"recency_half_life\":1.0"))
            var fixture = f
            fixture.learners["w"] = try LearnerRepository(f.db).create(Learner(externalID: "w", createdAt: 1_700_000_000)).id
            try fixture.record("w", "e", .view, at: 1_800_000_000)
            try fixture.record("w", "f", .view, at: 1_800_000_100)
            let cache = RecommendationCache(f.db)
            func similarity(_ from: String) throws -> Double {
                try cache.neighbors(courseID: f.courses[from]!, algorithm: .itemknn, limit: 10).first { $0.slug == "d" }!.score
            }
            let expected = try similarity("e") * 0.5 + similarity("f")
            for service in [RecommendationService(f.db), RecommendationService(f.db, foldInCache: FoldInCache())] {
                let list = try service.recommend(userExternalID: "w", algorithm: .itemknn, limit: 10)
                let d = try #require(list.items.first { $0.slug == "d" })
                #expect(list.foldedIn && abs(d.score - expected) < 1e-6)
            }
        }
    }
}
