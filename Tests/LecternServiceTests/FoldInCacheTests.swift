import Foundation
import LecternCore
import LecternRecommender
@testable import LecternService
import LecternStore
import Testing
import LecternTestSupport

@Suite("Fold-in cache")
struct FoldInCacheTests {
    /// Every learner's folded-in list, for every algorithm, with and without the cache.
    @Test(arguments: TestEngine.allCases) func aCachedFoldInAnswersLikeAFreshOne(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train(Algorithm.allCases, options: RecommendationServiceTests.options())
            try f.record("c", "f", .view, at: 1_800_000_000)  // c acted since training: folded in
            try LearnerRepository(f.db).create(Learner(externalID: "m", interests: ["finance"]))  // new: folded in
            let cache = FoldInCache()
            for _ in 0..<2 {  // the second round answers from the cache
                for algorithm in Algorithm.allCases {
                    for learner in ["c", "m"] {
                        let fresh = try RecommendationService(f.db).recommend(userExternalID: learner, algorithm: algorithm, limit: 5)
                        let cached = try RecommendationService(f.db, foldInCache: cache)
                            .recommend(userExternalID: learner, algorithm: algorithm, limit: 5)
                        #expect(fresh.foldedIn && cached.foldedIn)
                        #expect(cached.items.map(\.slug) == fresh.items.map(\.slug), "\(algorithm) for \(learner)")
                        #expect(cached.items.map(\.reason) == fresh.items.map(\.reason), "\(algorithm) for \(learner)")
                        // ALS's fold-in sums in float32 on several threads: equal to about 1e-7, not bit for bit.
                        for (a, b) in zip(cached.items, fresh.items) { #expect(abs(a.score - b.score) <= 1e-6 * max(1, abs(b.score))) }
                    }
                }
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aCatalogChangeIsSeenByTheNextQuery(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train([.itemknn], options: RecommendationServiceTests.options())
            try f.record("c", "x", .view, at: 1_800_000_000)
            let cache = FoldInCache()
            let before = try RecommendationService(f.db, foldInCache: cache).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(before.items.map(\.slug) == ["e", "f"])
            let version = try TrainingSnapshot.catalogVersion(in: f.db)
            try CourseRepository(f.db).archive(id: f.courses["e"]!)
            #expect(try TrainingSnapshot.catalogVersion(in: f.db) > version)
            let after = try RecommendationService(f.db, foldInCache: cache).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(after.items.map(\.slug) == ["f"])
        }
    }

    /// The server keeps each folded-in list until the learner acts again: a purchase made after the
    /// first answer must be gone from the next one, and a removed event must count too.
    @Test(arguments: TestEngine.allCases) func aKeptListNeverOutlivesTheLearnersNextEvent(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train([.itemknn], options: RecommendationServiceTests.options())
            try f.record("c", "x", .view, at: 1_800_000_000)
            let cache = FoldInCache()
            let service = RecommendationService(f.db, foldInCache: cache)
            let first = try service.recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(first.items.map(\.slug) == ["e", "f"])
            #expect(try service.recommend(userExternalID: "c", algorithm: .itemknn, limit: 10).items == first.items)
            try f.record("c", "e", .purchase, at: 1_800_000_100)
            let afterPurchase = try service.recommend(userExternalID: "c", algorithm: .itemknn, limit: 10)
            #expect(afterPurchase.items.map(\.slug) == ["f"])
            // `lectern clean` in another process removes the purchase: the list is computed again.
            try f.db.run("DELETE FROM interactions WHERE id = (SELECT max(id) FROM interactions)")
            #expect(try service.recommend(userExternalID: "c", algorithm: .itemknn, limit: 10).items.map(\.slug) == ["e", "f"])
        }
    }

    @Test(arguments: TestEngine.allCases) func theCatalogVersionMovesWithCoursesTagsAndPrerequisites(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            var last = try TrainingSnapshot.catalogVersion(in: f.db)
            func moved() throws -> Bool {
                let now = try TrainingSnapshot.catalogVersion(in: f.db)
                defer { last = now }
                return now > last
            }
            let courses = CourseRepository(f.db)
            try courses.tag(courseID: f.courses["d"]!, with: ["sql"])
            #expect(try moved())
            try courses.untag(courseID: f.courses["d"]!, names: ["sql"])
            #expect(try moved())
            try courses.addPrerequisites(courseID: f.courses["f"]!, requires: [f.courses["e"]!])
            #expect(try moved())
            var x = try courses.find(id: f.courses["x"]!)!
            x.title = "Course X, revised"
            try courses.update(x)
            #expect(try moved())
            // Activity is not the catalog.
            try f.record("a", "x", .view, at: 1_800_000_000)
            #expect(try !moved())
        }
    }
}

@Suite("Experiments and the fold-in cache")
struct ExperimentFoldInTests {
    /// Issue 15: a learner outside a running experiment's segment was served without the fold-in
    /// cache, so the server folded them in again on every request.
    @Test(arguments: TestEngine.allCases) func aLearnerOutsideTheSegmentIsFoldedInOnce(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train(Algorithm.standard, options: RecommendationServiceTests.options())
            try SegmentStore(f.db).replace(segments: [(name: "only-a", learners: 1, profile: "")],
                                           assignments: [(userID: f.learners["a"]!, segment: 0)], at: 1_800_000_000)
            let experiments = ExperimentService(f.db)
            try experiments.create(name: "knn-vs-popular", variants: [("knn", .itemknn), ("popular", .popular)], traffic: [50, 50],
                                   windowDays: 7, segment: "only-a")
            try f.record("c", "x", .view, at: 1_800_000_000)  // c acted since training and is outside the segment
            let cache = FoldInCache()
            let served = try ExperimentService(f.db, foldInCache: cache).serve(userExternalID: "c", algorithm: nil, limit: 5)
            #expect(served.variant == nil)
            #expect(served.list.foldedIn)
            #expect(cache.keptListCount == 1)
            let again = try ExperimentService(f.db, foldInCache: cache).serve(userExternalID: "c", algorithm: nil, limit: 5)
            #expect(again.list.items == served.list.items)
            #expect(cache.keptListCount == 1)
        }
    }
}
