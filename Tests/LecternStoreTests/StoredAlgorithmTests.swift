import LecternCore
import LecternStore
import LecternTestSupport
import Testing

/// Algorithms cross the store as `Algorithm`; a name the database holds that this lectern does not
/// know (only a hand edit can put one there: the cache's, experiments' and tuning tables' CHECKs
/// refuse it) is a `StoreError` naming the place and the name, never a silent default.
@Suite("Stored algorithms")
struct StoredAlgorithmTests {
    static func run(_ algorithm: Algorithm) -> RunOutput {
        RunOutput(run: ModelRun(algorithm: algorithm, parameters: "{}", learners: 0, courses: 0, interactions: 0,
                                startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
    }

    @Test("active runs come one per trained algorithm, in Algorithm.allCases order", arguments: TestEngine.allCases)
    func activeRuns(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let cache = RecommendationCache(db)
            #expect(try cache.activeRuns().isEmpty)
            let popular = try cache.save(Self.run(.popular), now: { 0 })
            let itemknn = try cache.save(Self.run(.itemknn), now: { 0 })
            let newer = try cache.save(Self.run(.popular), now: { 0 })
            #expect(try cache.activeRuns().map(\.id) == [itemknn.id, newer.id])
            #expect(try cache.activeRuns().map(\.algorithm) == [.itemknn, .popular])
            #expect(popular.id != newer.id)
            #expect(try cache.activeRun(algorithm: .als) == nil)
        }
    }

    @Test("the served algorithm and tuned parameters are kept by name and read back typed", arguments: TestEngine.allCases)
    func settingsAndTuning(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            #expect(try SettingsStore(db).servedAlgorithm() == nil)
            try SettingsStore(db).setServedAlgorithm(.rp3beta)
            #expect(try SettingsStore(db).servedAlgorithm() == .rp3beta)
            #expect(try db.texts("SELECT value FROM settings WHERE name = 'served_algorithm'") == ["rp3beta"])
            try TunedParametersStore(db).save(algorithm: .ease, parameters: "{\"lambda\":50}", metric: "ndcg", k: 10, value: 0.5, trials: 3)
            #expect(try TunedParametersStore(db).parameters(algorithm: .ease) == "{\"lambda\":50}")
            #expect(try TunedParametersStore(db).parameters(algorithm: .als) == nil)
        }
    }

    @Test("an unknown served algorithm is an error that names it", arguments: TestEngine.allCases)
    func unknownServedAlgorithm(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            try db.execute("INSERT INTO settings (name, value) VALUES ('served_algorithm', 'svd')")
            expectStoreError(.invalidInput, containing: "the setting served_algorithm names the algorithm 'svd'") {
                _ = try SettingsStore(db).servedAlgorithm()
            }
        }
    }

    @Test("an unknown algorithm among the active models or the evaluations is an error that names it", arguments: TestEngine.allCases)
    func unknownCachedAlgorithm(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let run = try RecommendationCache(db).save(Self.run(.itemknn), now: { 0 })
            try db.execute("UPDATE active_models SET algorithm = 'svd'")
            // Active runs are looked up per known algorithm: the unknown row is not one of them.
            #expect(try RecommendationCache(db).activeRuns().isEmpty)
            expectStoreError(.invalidInput, containing: "active model run \(run.id) names the algorithm 'svd'") {
                _ = try RecommendationReport(db).rows()
            }
            let row = EvaluationRow(algorithm: .als, parameters: "{}", trainingSeconds: 1, k: 10, metric: "ndcg", value: 0.5, spread: nil)
            try EvaluationStore(db).save(source: "database", protocol: "{}", learners: 1, testPairs: 1, rows: [row])
            #expect(try EvaluationStore(db).latestResults() == [row])
            try db.execute("UPDATE evaluation_results SET algorithm = 'svd'")
            expectStoreError(.invalidInput, containing: "the latest evaluation names the algorithm 'svd'") {
                _ = try EvaluationStore(db).latestResults()
            }
        }
    }
}
