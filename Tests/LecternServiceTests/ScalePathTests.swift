import Foundation
import LecternCore
import LecternGenerator
@testable import LecternRecommender
@testable import LecternService
import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// Training scores learners through sparse paths (content neighbour lists, ranked popularity, the
/// blocked factor product, the hybrid's candidate union). These tests pin them to the exhaustive
/// computation that scores every course, on SeedData and on a generated 200k-event platform. SeedData is
/// also read from PostgreSQL (platform 2): the same figures from the other engine's training input.
///
/// Measured agreement of the top 10 (identical lists, in order), which the thresholds below sit under:
/// - popularity and the blocked ALS product: identical for every learner (the same arithmetic);
/// - content: SeedData 100%; the 200k platform at least 99% of learners (a course that shares words
///   with a learner's courses but is on none of their 50-neighbour lists is missed);
/// - hybrid: what content lets through, at least 98% of learners identical.
@Suite("Sparse training paths against the exhaustive ones", .serialized)
struct ScalePathTests {
    struct Platform {
        let name: String
        let data: TrainingMatrix
        let profiles: [LearnerProfile]
        let factors: FactorModel
        let content: ContentModel
        let neighbors: ContentNeighbors
        let popularity: PopularityModel
        /// The learners compared (every one on SeedData, a sample of the generated platform).
        let sample: [Int]

        func recommender(exhaustive: Bool) -> HybridRecommender {
            var r = HybridRecommender(facts: data.catalog.facts, domainNames: data.catalog.domainNames, factorModel: factors,
                                      popularity: popularity, content: content)
            r.contentNeighbors = neighbors
            r.exhaustive = exhaustive
            return r
        }
    }

    static func load(_ directory: URL, name: String, every: Int) throws -> Platform {
        try load(directory, into: try LecternDatabase.inMemory(), name: name, every: every)
    }

    static func load(_ directory: URL, into db: Database, name: String, every: Int) throws -> Platform {
        let importer = Importer(db)
        _ = try importer.importCreators(from: directory.appendingPathComponent("creators.csv").path)
        _ = try importer.importCourses(from: directory.appendingPathComponent("courses.csv").path)
        _ = try importer.importUsers(from: directory.appendingPathComponent("users.csv").path)
        _ = try importer.importInteractions(from: directory.appendingPathComponent("interactions.csv").path)
        let data = try TrainingMatrix.build(from: db)
        var profiles = RecommendationService.profiles(matrix: data.matrix, events: data.events, catalog: data.catalog,
                                                      interests: data.snapshot.learners.map(\.interests), rejections: data.rejections)
        let factors = try ALS.train(userItems: data.matrix, parameters: ALSParameters(factors: 16, iterations: 4, seed: 3))
        for row in profiles.indices { profiles[row].factors = Array(factors.userVector(row)) }
        let content = ContentModel(courses: data.catalog.contents)
        let popularity = try PopularityModel(events: data.events, items: data.catalog.count, domains: data.catalog.facts.domains,
                                             now: data.now)
        return Platform(name: name, data: data, profiles: profiles, factors: factors, content: content,
                        neighbors: content.neighbors(count: TrainingOptions().contentNeighbors), popularity: popularity,
                        sample: Array(stride(from: 0, to: profiles.count, by: every)))
    }

    nonisolated(unsafe) static let seedData: Result<Platform, Error> = Result {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try load(root.appendingPathComponent("SeedData"), name: "SeedData", every: 2)
    }

    nonisolated(unsafe) static let generated: Result<Platform, Error> = Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lectern-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let shape = PlatformShape(creators: 60, courses: 800, users: 8_000, interactions: 200_000, months: 12,
                                  startEpoch: PlatformShape.seedData.startEpoch)
        _ = try PlatformGenerator(seed: 5, shape: shape).write(to: directory, format: .csv)
        return try load(directory, name: "generated 200k", every: 8)
    }

    nonisolated(unsafe) static let seedDataOnPostgreSQL: Result<Platform, Error> = Result {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try TestPostgres.withDatabase { url in
            try load(root.appendingPathComponent("SeedData"), into: try LecternDatabase.open(path: url), name: "SeedData on PostgreSQL",
                     every: 2)
        }
    }

    static var platforms: [Result<Platform, Error>] { [seedData, generated, seedDataOnPostgreSQL] }

    /// Platform 2 needs a PostgreSQL server: without one it is skipped visibly (failed under
    /// `LECTERN_REQUIRE_PG=1`), as `withDatabase(on:)` skips.
    static func skipped(_ which: Int) -> Bool {
        guard which == 2, !TestPostgres.isEnabled else { return false }
        withKnownIssue("PostgreSQL twin skipped: set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run") {
            throw TestPostgres.Missing()
        }
        return true
    }

    /// The share of sampled learners whose top 10 from `algorithm` is the same, in order, both ways.
    static func agreement(_ p: Platform, _ algorithm: Algorithm) -> Double {
        let sparse = p.recommender(exhaustive: false), exhaustive = p.recommender(exhaustive: true)
        let scratch = ScoringScratch(items: p.data.catalog.count, terms: p.content.vocabulary.count)
        var same = 0
        for row in p.sample {
            let a = sparse.recommend(p.profiles[row], algorithm: algorithm, count: 10, scratch: scratch).map(\.item)
            let b = exhaustive.recommend(p.profiles[row], algorithm: algorithm, count: 10).map(\.item)
            if a == b { same += 1 }
        }
        return Double(same) / Double(p.sample.count)
    }

    static func platform(_ which: Int) async throws -> Platform {
        try await offThePool { try platforms[which].get() }
    }

    @Test(arguments: [0, 1, 2]) func popularityReadsOnlyWhatItNeeds(_ which: Int) async throws {
        if Self.skipped(which) { return }
        let p = try await Self.platform(which)
        let (share, candidatesEqual) = try await offThePool {
            // The candidates themselves (before the rules): each course once, as the full scan gives them.
            let sparse = p.recommender(exhaustive: false), exhaustive = p.recommender(exhaustive: true)
            let equal = p.sample.prefix(200).allSatisfy { row in
                sparse.popularCandidates(p.profiles[row], count: 40) == exhaustive.popularCandidates(p.profiles[row], count: 40)
            }
            return (Self.agreement(p, .popular), equal)
        }
        #expect(share == 1, "\(p.name)")
        #expect(candidatesEqual, "\(p.name)")
    }

    @Test(arguments: [0, 1, 2]) func contentFromNeighbourListsMatchesScoringEveryCourse(_ which: Int) async throws {
        if Self.skipped(which) { return }
        let p = try await Self.platform(which)
        let share = try await offThePool { Self.agreement(p, .content) }
        print("content top 10 identical for \(share) of \(p.sample.count) learners of \(p.name)")
        #expect(share >= (which == 1 ? 0.99 : 1), "\(p.name): \(share) of learners have the same content top 10")
    }

    @Test(arguments: [0, 1, 2]) func hybridOfCandidatesMatchesTheExhaustiveBlend(_ which: Int) async throws {
        if Self.skipped(which) { return }
        let p = try await Self.platform(which)
        let share = try await offThePool { Self.agreement(p, .hybrid) }
        print("hybrid top 10 identical for \(share) of \(p.sample.count) learners of \(p.name)")
        #expect(share >= (which == 1 ? 0.98 : 1), "\(p.name): \(share) of learners have the same hybrid top 10")
    }

    /// The blocked product gives each learner exactly what scoring them alone gives: same courses, same
    /// scores bit for bit, same ties.
    @Test(arguments: [0, 1, 2]) func blockedFactorListsEqualOneLearnerAtATime(_ which: Int) async throws {
        if Self.skipped(which) { return }
        let p = try await Self.platform(which)
        let mismatches = try await offThePool {
            let users = Array(p.sample.prefix(1_001))  // not a multiple of the block of four
            let blocked = p.factors.recommendations(users: users, count: 40) { p.profiles[users[$0]].state.owned }
            return users.indices.filter { i in
                let alone = p.factors.recommend(user: users[i], excluding: p.profiles[users[i]].state.owned, count: 40)
                return blocked[i].map(\.item) != alone.map(\.item) || blocked[i].map(\.score) != alone.map(\.score)
            }.count
        }
        #expect(mismatches == 0, "\(p.name)")
    }

    /// SeedData read back from PostgreSQL is the training input SQLite gives: the same learners, courses
    /// and events, so platform 2's figures above are the engine's, not another data set's.
    @Test func postgreSQLGivesTheSameTrainingInput() async throws {
        if Self.skipped(2) { return }
        let sqlite = try await Self.platform(0), postgres = try await Self.platform(2)
        #expect(postgres.data.snapshot.learners.map(\.id) == sqlite.data.snapshot.learners.map(\.id))
        #expect(postgres.data.catalog.count == sqlite.data.catalog.count)
        #expect(postgres.data.events.count == sqlite.data.events.count)
        #expect(postgres.data.events == sqlite.data.events)
    }

    /// Content neighbour lists computed for a few courses (fold-in) equal those of the whole catalog.
    @Test func contentNeighboursOfAFewCoursesEqualTheFullComputation() async throws {
        let p = try await Self.platform(0)
        let few: [Int32] = [0, 7, 42, 219]
        let partial = p.content.neighbors(count: 50, of: few, threads: 1)
        for item in few {
            #expect(partial.neighbors(of: Int(item)).map(\.item) == p.neighbors.neighbors(of: Int(item)).map(\.item))
            #expect(partial.neighbors(of: Int(item)).map(\.score) == p.neighbors.neighbors(of: Int(item)).map(\.score))
        }
        #expect(partial.neighbors(of: 1).isEmpty)
    }
}

