import Foundation
import LecternCore
import LecternRecommender
@testable import LecternService
import LecternStore
import Testing
import LecternTestSupport

/// A learner's "not for me" and low ratings, end to end on a real database.
@Suite("Dismissals and low ratings")
struct DismissalTests {
    static let trained: [Algorithm] = [.itemknn, .als, .popular, .content, .hybrid, .ease, .rp3beta]

    func slugs(_ f: ServiceFixture, _ learner: String, _ algorithm: Algorithm, cache: FoldInCache? = nil) throws -> [String] {
        try RecommendationService(f.db, foldInCache: cache).recommend(userExternalID: learner, algorithm: algorithm, limit: 5)
            .items.map(\.slug)
    }

    /// The storefront query alone, as a platform would run it against the cache.
    func storefront(_ f: ServiceFixture, _ learner: String, _ algorithm: Algorithm) throws -> [CachedRecommendation] {
        try RecommendationCache(f.db).recommendations(userID: f.learners[learner]!, algorithm: algorithm, limit: 5)
    }

    @Test(arguments: TestEngine.allCases) func aDismissedCourseLeavesEveryListAtOnceAndUntilTheLearnerComesBack(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train(Self.trained, options: RecommendationServiceTests.options())
            #expect(try slugs(f, "c", .itemknn).contains("e"))
            #expect(try storefront(f, "c", .itemknn).contains { $0.slug == "e" })

            try f.record("c", "e", .dismiss, at: 1_800_000_000)
            let cache = FoldInCache()
            for algorithm in Self.trained {
                #expect(try !slugs(f, "c", algorithm).contains("e"), "\(algorithm)")
                #expect(try !slugs(f, "c", algorithm, cache: cache).contains("e"), "\(algorithm), fold-in cache")
                // The storefront query drops it too, and counts ranks from 1 again.
                let rows = try storefront(f, "c", algorithm)
                #expect(!rows.contains { $0.slug == "e" }, "\(algorithm)")
                #expect(rows.map(\.rank) == Array(1...max(1, rows.count)).prefix(rows.count).map { $0 }, "\(algorithm)")
            }
            // Training after the dismissal keeps it out of the cached lists themselves.
            try RecommendationService(f.db).train(Self.trained, options: RecommendationServiceTests.options())
            for algorithm in Self.trained {
                let list = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: algorithm, limit: 5)
                #expect(!list.items.contains { $0.slug == "e" }, "\(algorithm)")
                // Not only filtered on the way out: the cached rows themselves leave it out.
                let cached = try f.db.scalarInt("""
                    SELECT count(*) FROM recommendations r JOIN active_models a ON a.run_id = r.run_id
                    WHERE a.algorithm = ? AND r.user_id = ? AND r.course_id = ?
                    """, [algorithm.rawValue, f.learners["c"]!, f.courses["e"]!])
                #expect(cached == 0, "\(algorithm)")
            }
            // A later view takes the dismissal back, without retraining.
            try f.record("c", "e", .view, at: 1_800_000_100)
            #expect(try slugs(f, "c", .itemknn).contains("e"))
            #expect(try slugs(f, "c", .itemknn, cache: cache).contains("e"))
        }
    }

    @Test(arguments: TestEngine.allCases) func aLowRatingIsNeverAPositiveNorCited(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            // a bought, viewed and rated d one star: d is out of a's row, whatever else a did with it.
            try f.record("a", "d", .complete, at: 1_700_100_000)
            try f.record("a", "d", .rate, at: 1_700_100_100, value: 1)
            let data = try TrainingMatrix.build(from: f.db)
            let row = data.snapshot.learners.firstIndex { $0.id == f.learners["a"]! }!
            let d = data.catalog.columnOf[f.courses["d"]!]!
            #expect(!data.matrix.row(row).columns.contains(d))
            #expect(data.rejections.byUser[row].map(\.item) == [d])
            try RecommendationService(f.db).train(Self.trained, options: RecommendationServiceTests.options())
            for algorithm in Self.trained {
                let list = try RecommendationService(f.db).recommend(userExternalID: "a", algorithm: algorithm, limit: 5)
                #expect(!list.items.contains { $0.reason.contains("Course D") }, "\(algorithm): \(list.items.map(\.reason))")
            }
            // A later rating of 4 replaces it: d counts for a again.
            try f.record("a", "d", .rate, at: 1_700_100_200, value: 4)
            let again = try TrainingMatrix.build(from: f.db)
            #expect(again.matrix.row(row).columns.contains(d))
            #expect(again.rejections.count == 0)
        }
    }

    @Test(arguments: TestEngine.allCases) func aRefundedCourseIsNotCited(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            // c bought d, then returned it; c's lists may still follow from d's neighbours, but never
            // say "because you bought Course D".
            try f.record("c", "d", .refund, at: 1_700_100_000)
            try RecommendationService(f.db).train(Self.trained, options: RecommendationServiceTests.options())
            for algorithm in Self.trained {
                let list = try RecommendationService(f.db).recommend(userExternalID: "c", algorithm: algorithm, limit: 5)
                #expect(!list.items.contains { $0.reason.contains("Course D") }, "\(algorithm): \(list.items.map(\.reason))")
            }
        }
    }

    @Test(arguments: TestEngine.allCases) func aDismissedCourseIsNotSuggestedOnALearningPath(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine) { f in
            try RecommendationService(f.db).train([.hybrid], options: RecommendationServiceTests.options())
            let before = try LearningService(f.db).path(externalID: "n", domain: "data-science", perLevel: 3).steps.map(\.course.slug)
            #expect(before.contains("d"))
            try f.record("n", "d", .dismiss, at: 1_800_000_000)
            let after = try LearningService(f.db).path(externalID: "n", domain: "data-science", perLevel: 3).steps.map(\.course.slug)
            #expect(!after.contains("d"), "\(after)")
        }
    }
}
