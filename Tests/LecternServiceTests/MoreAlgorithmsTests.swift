import Foundation
import LecternCore
import LecternRecommender
import LecternSQLite
import LecternService
import LecternStore
import Testing

@Suite("EASE, RP3beta and BPR in the service")
struct MoreAlgorithmsTests {
    static func options() -> TrainingOptions {
        var options = TrainingOptions()
        options.listLength = 5
        options.bpr = BPRParameters(factors: 4, learningRate: 0.05, iterations: 50, seed: 3)
        return options
    }

    @Test(arguments: [Algorithm.ease, .rp3beta])
    func itemToItemListsAreCachedAndExplained(algorithm: Algorithm) throws {
        let f = try ServiceFixture()
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

    @Test func bprListsAreCachedWithFactorsAndFoldedIn() throws {
        let f = try ServiceFixture()
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
}
