import Dispatch
import Foundation
import LecternRecommender
import LecternSQLite
import LecternStore

/// Where long work stands, for a progress line.
public struct TrainingProgress: Sendable {
    public var phase: String
    public var done: Int
    public var total: Int
}

/// A learner's list as `lectern recommend` shows it.
public struct RecommendationList: Sendable {
    public var learner: Learner
    public var algorithm: Algorithm
    public var items: [CachedRecommendation]
    /// The run the list comes from.
    public var run: ModelRun
    /// True when the list was computed now from the cached models because the learner is new or
    /// did something since training; false when it was read from the cache as is.
    public var foldedIn: Bool
}

/// Trains Lectern's models from the database and caches their results; answers from the cache.
///
/// Reads go through the store's repositories; the models themselves see only matrices.
public struct RecommendationService {
    let db: Connection
    /// Models kept between fold-in queries by a long-running process; nil builds them per query.
    let foldInCache: FoldInCache?

    public init(_ db: Connection, foldInCache: FoldInCache? = nil) {
        self.db = db
        self.foldInCache = foldInCache
    }

    // MARK: Training

    /// Trains `algorithms` (a hybrid also trains the models it blends) and caches each one's results
    /// in its own atomic refresh.
    /// - Throws: `StoreError` when there is nothing to learn from; `RecommenderError` for bad options.
    @discardableResult
    public func train(_ algorithms: [Algorithm], options: TrainingOptions = TrainingOptions(),
                      progress: (@Sendable (TrainingProgress) -> Void)? = nil) throws -> [ModelRun] {
        try options.validate()
        let clock = ContinuousClock()
        let loadStart = clock.now
        let startedAt = currentUnixTime()
        let data = try TrainingMatrix.build(from: db, weights: options.weights)
        let (snapshot, catalog, events, matrix, now) = (data.snapshot, data.catalog, data.events, data.matrix, data.now)
        let profiles = Self.profiles(matrix: matrix, events: events, catalog: catalog,
                                     interests: snapshot.learners.map(\.interests))
        let loadSeconds = seconds(clock.now - loadStart)

        // Train each model the requested algorithms need, once.
        let needs = Set(algorithms.flatMap { $0 == .hybrid ? Self.components(of: options.hybrid) + [.hybrid] : [$0] })
        var recommender = HybridRecommender(facts: catalog.facts, domainNames: catalog.domainNames,
                                            weights: options.hybrid, rules: options.rules)
        var trainSeconds: [Algorithm: Double] = [:]
        func timed<T>(_ algorithm: Algorithm, _ body: () throws -> T) rethrows -> T {
            let start = clock.now
            defer { trainSeconds[algorithm] = seconds(clock.now - start) }
            return try body()
        }
        if needs.contains(.itemknn) {
            recommender.itemKNN = try timed(.itemknn) {
                try ItemKNN.train(userItems: matrix, parameters: options.itemKNN) { done, total in
                    progress?(TrainingProgress(phase: "item-kNN", done: done, total: total))
                }
            }
        }
        if needs.contains(.als) {
            recommender.factorModel = try timed(.als) {
                try ALS.train(userItems: matrix, parameters: options.als) { done, total in
                    progress?(TrainingProgress(phase: "ALS", done: done, total: total))
                }
            }
        }
        if needs.contains(.popular) {
            recommender.popularity = try timed(.popular) {
                try PopularityModel(events: events, items: catalog.count, domains: catalog.facts.domains,
                                    weights: options.weights, halfLifeDays: options.popularityHalfLifeDays, now: now)
            }
        }
        if needs.contains(.content) {
            recommender.content = timed(.content) { ContentModel(courses: catalog.contents) }
        }
        if needs.contains(.hybrid) {
            recommender.crossover = timed(.hybrid) {
                Blend.domainCrossover(userItems: matrix, domains: catalog.facts.domains, domainCount: catalog.domainNames.count)
            }
        }

        var runs: [ModelRun] = []
        for algorithm in Algorithm.allCases where algorithms.contains(algorithm) {
            let start = clock.now
            var output = RunOutput(run: ModelRun(
                algorithm: algorithm.rawValue, parameters: options.json(for: algorithm), learners: snapshot.learners.count,
                courses: catalog.count, interactions: snapshot.events.count, loadSeconds: loadSeconds, trainSeconds: 0,
                startedAt: startedAt, finishedAt: startedAt, dataUntil: snapshot.dataUntil,
                lastInteractionID: snapshot.lastInteractionID))
            let lists = Self.lists(recommender, algorithm: algorithm, profiles: profiles, count: options.listLength) { done, total in
                progress?(TrainingProgress(phase: "\(algorithm.rawValue) lists", done: done, total: total))
            }
            for (row, list) in lists.enumerated() {
                let userID = snapshot.learners[row].id
                for (rank, candidate) in list.enumerated() {
                    output.recommendations.append((userID, rank + 1, catalog.courses[Int(candidate.item)].id, candidate.score,
                                                   algorithm.rawValue, catalog.describe(candidate.reason)))
                }
            }
            switch algorithm {
            case .itemknn:
                let model = recommender.itemKNN!
                for item in 0..<catalog.count {
                    for (rank, neighbor) in model.neighbors(of: item).enumerated() {
                        output.neighbors.append((catalog.courses[item].id, rank + 1, catalog.courses[Int(neighbor.item)].id,
                                                 Double(neighbor.score)))
                    }
                }
            case .content:
                let model = recommender.content!
                for item in 0..<catalog.count {
                    for (rank, neighbor) in model.similarCourses(to: item, count: options.contentNeighbors).enumerated() {
                        output.neighbors.append((catalog.courses[item].id, rank + 1, catalog.courses[Int(neighbor.item)].id,
                                                 Double(neighbor.score)))
                    }
                }
            case .als:
                let model = recommender.factorModel!
                for row in 0..<model.userCount {
                    output.factors.append(("user", snapshot.learners[row].id, Array(model.userVector(row))))
                }
                for item in 0..<model.itemCount {
                    output.factors.append(("course", catalog.courses[item].id, Array(model.itemVector(item))))
                }
            case .popular:
                let model = recommender.popularity!
                for item in 0..<catalog.count {
                    output.popularity.append((catalog.courses[item].id, model.scores[item], model.domainRanks[item]))
                }
            case .hybrid:
                break
            }
            output.run.trainSeconds = (trainSeconds[algorithm] ?? 0) + seconds(clock.now - start)
            if algorithm == .hybrid {
                output.run.trainSeconds += Self.components(of: options.hybrid).reduce(0) { $0 + (trainSeconds[$1] ?? 0) }
            }
            output.run.finishedAt = currentUnixTime()
            progress?(TrainingProgress(phase: "writing \(algorithm.rawValue)", done: 0, total: 1))
            let writeStart = clock.now
            runs.append(try RecommendationCache(db).save(output, now: { seconds(clock.now - writeStart) }))
        }
        return runs
    }

    static func components(of weights: HybridWeights) -> [Algorithm] {
        var parts: [Algorithm] = []
        if weights.itemknn > 0 { parts.append(.itemknn) }
        if weights.als > 0 { parts.append(.als) }
        if weights.content > 0 { parts.append(.content) }
        if weights.popular > 0 { parts.append(.popular) }
        return parts
    }

    /// Each learner's history, purchases, owned courses and touched domains.
    static func profiles(matrix: SparseMatrix, events: [MatrixEvent], catalog: CatalogIndex,
                         interests: [[String]]) -> [LearnerProfile] {
        var bought = [Set<Int32>](repeating: [], count: matrix.rowCount)
        var owned = [Set<Int32>](repeating: [], count: matrix.rowCount)
        var domains = [Set<Int32>](repeating: [], count: matrix.rowCount)
        for event in events {
            let row = Int(event.user)
            switch event.kind {
            case .purchase:
                bought[row].insert(event.item)
                owned[row].insert(event.item)
            case .enroll, .complete:
                owned[row].insert(event.item)
            default:
                break
            }
            domains[row].insert(catalog.facts.domains[Int(event.item)])
        }
        return (0..<matrix.rowCount).map { row in
            let entries = matrix.row(row)
            return LearnerProfile(history: zip(entries.columns, entries.values).map { (item: $0, weight: $1) },
                                  bought: bought[row], state: LearnerState(owned: owned[row], touchedDomains: domains[row]),
                                  interests: interests[row])
        }
    }

    /// Every learner's list, computed on all cores.
    static func lists(_ recommender: HybridRecommender, algorithm: Algorithm, profiles: [LearnerProfile], count: Int,
                      progress: @Sendable (Int, Int) -> Void) -> [[Candidate]] {
        var lists = [[Candidate]](repeating: [], count: profiles.count)
        let chunk = 256
        let chunks = (profiles.count + chunk - 1) / chunk
        let done = ProgressCounter()
        lists.withUnsafeMutableBufferPointer { buffer in
            let output = UncheckedBox(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let range = (c * chunk)..<min(profiles.count, (c + 1) * chunk)
                for row in range {
                    output.value[row] = recommender.recommend(profiles[row], algorithm: algorithm, count: count)
                }
                progress(done.add(range.count), profiles.count)
            }
        }
        return lists
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Lets worker threads write disjoint elements of one buffer.
struct UncheckedBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Counts finished work across threads.
final class ProgressCounter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()

    func add(_ amount: Int) -> Int {
        lock.withLock {
            value += amount
            return value
        }
    }
}
