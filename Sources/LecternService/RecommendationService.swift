import Dispatch
import Foundation
import LecternCore
import LecternRecommender
import LecternStore
import Synchronization

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
    let db: Database
    /// Models kept between fold-in queries by a long-running process; nil builds them per query.
    let foldInCache: FoldInCache?

    public init(_ db: Database, foldInCache: FoldInCache? = nil) {
        self.db = db
        self.foldInCache = foldInCache
    }

    // MARK: Training

    /// Trains `algorithms` (a hybrid also trains the models it blends) and caches their results.
    ///
    /// Phases: load the events; train each model once; compute every learner's lists for all the
    /// algorithms in one pass on all cores (each model's candidates shared by its own list and the
    /// hybrid's); write them as the runs go, in short transactions; then make every run active in
    /// one short transaction and prune old runs in small batches.
    /// - Throws: `StoreError` when there is nothing to learn from; `RecommenderError` for bad options.
    /// - Complexity: O(events + learners x (history x K + list) + courses x factors x learners for ALS lists),
    ///   never learners x courses for item-kNN, content, popularity or the hybrid.
    @discardableResult
    public func train(_ algorithms: [Algorithm], options: TrainingOptions = TrainingOptions(),
                      progress: (@Sendable (PhaseProgress) -> Void)? = nil) throws -> [ModelRun] {
        try options.validate()
        let lock = try TrainingLock.acquire(for: db)
        defer { withExtendedLifetime(lock) {} }
        let clock = ContinuousClock()
        let loadStart = clock.now
        let startedAt = currentUnixTime()
        progress?(PhaseProgress(phase: "loading", done: 0, total: 1))
        let size = try TrainingResources.measure(db)
        try size.checkMemory()
        let erasureMark = try RecommendationCache(db).erasureMark()
        let data = try TrainingMatrix.build(from: db, weights: options.weights)
        let (snapshot, catalog, events, matrix, now) = (data.snapshot, data.catalog, data.events, data.matrix, data.now)
        let profiles = Self.profiles(matrix: matrix, events: events, catalog: catalog, interests: snapshot.learners.map(\.interests),
                                     rejections: data.rejections, ordered: Self.weighsRecency(algorithms, options: options))
        let loadSeconds = (clock.now - loadStart).inSeconds
        let (recommender, trainSeconds) = try Self.trainModels(for: algorithms, options: options, data: data, progress: progress)

        // One 'writing' run per algorithm, filled as the lists come, activated together at the end.
        let wanted = Algorithm.allCases.filter { algorithms.contains($0) }
        let cache = RecommendationCache(db)
        var runs: [ModelRun] = []
        var writeSeconds = 0.0
        func written<T>(_ body: () throws -> T) rethrows -> T {
            let start = clock.now
            defer { writeSeconds += (clock.now - start).inSeconds }
            return try body()
        }
        let rows = Self.listedLearners(profiles: profiles, events: events, now: now, activeWithin: options.activeWithinSeconds)
        try TrainingResources.checkDisk(for: db, bytes: size.diskNeeded(listedRows: rows.count * options.listLength * wanted.count,
                                                                          factors: options.als.factors))
        do {
            for algorithm in wanted {
                let run = ModelRun(
                    algorithm: algorithm, parameters: options.json(for: algorithm), learners: snapshot.learners.count,
                    courses: catalog.count, interactions: snapshot.events.count, loadSeconds: loadSeconds, trainSeconds: 0,
                    startedAt: startedAt, finishedAt: startedAt, dataUntil: snapshot.dataUntil,
                    lastInteractionID: snapshot.lastInteractionID)
                runs.append(try written { try cache.begin(run) })
                progress?(PhaseProgress(phase: "writing \(algorithm) model", done: 0, total: 1))
                try written { try cache.append(Self.modelRows(recommender, algorithm: algorithm, run: run,
                                                              catalog: catalog, learners: snapshot.learners), to: runs.last!.id) }
            }
            let listStart = clock.now
            let writtenBeforeLists = writeSeconds
            // Rows are built on the worker threads; the writing thread only binds and inserts them.
            try Self.lists(recommender, algorithms: wanted, profiles: profiles, rows: rows, count: options.listLength,
                           progress: { done, total in progress?(PhaseProgress(phase: "lists", done: done, total: total)) },
                           rowsOf: Self.listRows(of: snapshot.learners, algorithms: wanted, catalog: catalog)) { block in
                for index in wanted.indices {
                    var output = RunOutput(run: runs[index])
                    output.recommendations.reserveCapacity(block.count * options.listLength)
                    for learner in block { output.recommendations.append(contentsOf: learner[index]) }
                    try written { try cache.append(output, to: runs[index].id) }
                }
            }
            // Lists are computed while the previous block is written: count the time not spent writing.
            let listSeconds = max(0, (clock.now - listStart).inSeconds - (writeSeconds - writtenBeforeLists))
            for index in runs.indices {
                // The hybrid's time includes its parts'.
                let parts = wanted[index] == .hybrid ? Self.components(of: options.hybrid) : []
                runs[index].trainSeconds = (trainSeconds[wanted[index]] ?? 0) + listSeconds
                    + parts.reduce(0) { $0 + (trainSeconds[$1] ?? 0) }
                runs[index].writeSeconds = writeSeconds
                runs[index].finishedAt = currentUnixTime()
            }
            progress?(PhaseProgress(phase: "activating", done: 0, total: 1))
            runs = try cache.activate(runs, erasedAfter: erasureMark)
        } catch {
            for run in runs { try? cache.abandon(run.id) }
            throw error
        }
        for run in runs {
            progress?(PhaseProgress(phase: "pruning old runs", done: 0, total: 1))
            try cache.prune(algorithm: run.algorithm, keepingWritingFrom: runs[0].id)
        }
        return runs
    }

    /// Trains each model `algorithms` need, once (the hybrid needs its weighted parts), in a fixed
    /// order, and returns them in one recommender with each one's training time in seconds.
    /// - Complexity: the sum of the models' training costs (see each model).
    static func trainModels(for algorithms: [Algorithm], options: TrainingOptions, data: TrainingMatrix,
                            progress: (@Sendable (PhaseProgress) -> Void)?) throws -> (HybridRecommender, [Algorithm: Double]) {
        let (catalog, matrix) = (data.catalog, data.matrix)
        let needs = Set(algorithms.flatMap { $0 == .hybrid ? Self.components(of: options.hybrid) + [.hybrid] : [$0] })
        var recommender = HybridRecommender(facts: catalog.facts, domainNames: catalog.domainNames,
                                            weights: options.hybrid, rules: options.rules)
        var trainSeconds: [Algorithm: Double] = [:]
        func report(_ phase: String) -> @Sendable (Int, Int) -> Void {
            { done, total in progress?(PhaseProgress(phase: phase, done: done, total: total)) }
        }
        // The hybrid last: its blend needs its parts. The rest in the order they have always trained in.
        let order: [Algorithm] = [.itemknn, .als, .ease, .rp3beta, .bpr, .popular, .content, .hybrid]
        for algorithm in order where needs.contains(algorithm) {
            let start = ContinuousClock.now
            switch algorithm {
            case .itemknn:
                recommender.itemKNN = try ItemKNN.train(userItems: matrix, parameters: options.itemKNN, progress: report("item-kNN"))
            case .als:
                recommender.factorModel = try ALS.train(userItems: matrix, parameters: options.als, progress: report("ALS"))
            case .ease:
                recommender.ease = try EASE.train(userItems: matrix, parameters: options.ease, progress: report("EASE"))
            case .rp3beta:
                recommender.rp3beta = try RP3beta.train(userItems: matrix, parameters: options.rp3beta, progress: report("RP3beta"))
            case .bpr:
                recommender.bpr = try BPR.train(userItems: matrix, parameters: options.bpr, progress: report("BPR"))
            case .popular:
                recommender.popularity = try PopularityModel(
                    events: data.events, items: catalog.count, domains: catalog.facts.domains, weights: options.weights,
                    halfLifeDays: options.popularityHalfLifeDays, now: data.now)
            case .content:
                let model = ContentModel(courses: catalog.contents)
                recommender.content = model
                recommender.contentNeighbors = model.neighbors(count: options.contentNeighbors, progress: report("content neighbours"))
            case .hybrid:
                recommender.crossover = Blend.domainCrossover(userItems: matrix, domains: catalog.facts.domains,
                                                              domainCount: catalog.domainNames.count)
            }
            trainSeconds[algorithm] = (ContinuousClock.now - start).inSeconds
        }
        recommender.recencyHalfLives = options.evaluationSettings.recencyHalfLives
        if data.rejections.count > 0 && recommender.itemKNN == nil {
            // "Less like this" moves down the item-kNN neighbours of what learners rejected.
            recommender.lessLikeThisNeighbors = try ItemKNN.train(userItems: matrix, parameters: options.itemKNN)
        }
        return (recommender, trainSeconds)
    }

    /// Turns one learner's lists (by algorithm) into cache rows, one array per algorithm in `algorithms`' order.
    static func listRows(of learners: [(id: Int64, interests: [String])], algorithms: [Algorithm], catalog: CatalogIndex)
        -> (Int, [Algorithm: [Candidate]]) -> Rows {
        { row, lists in
            let userID = learners[row].id
            return algorithms.map { algorithm in
                (lists[algorithm] ?? []).enumerated().map { rank, candidate in
                    (userID: userID, rank: rank + 1, courseID: catalog.courses[Int(candidate.item)].id,
                     score: candidate.score, reason: catalog.cachedReason(candidate.reason))
                }
            }
        }
    }

    static func components(of weights: HybridWeights) -> [Algorithm] {
        var parts: [Algorithm] = []
        if weights.itemknn > 0 { parts.append(.itemknn) }
        if weights.als > 0 { parts.append(.als) }
        if weights.content > 0 { parts.append(.content) }
        if weights.popular > 0 { parts.append(.popular) }
        return parts
    }

    /// Whether a model `algorithms` train weighs histories by recency (the hybrid's item-kNN part too),
    /// so that learners' profiles need the order of their courses.
    static func weighsRecency(_ algorithms: [Algorithm], options: TrainingOptions) -> Bool {
        let halfLives = options.evaluationSettings.recencyHalfLives
        return algorithms.contains { halfLives[$0] != nil || ($0 == .hybrid && options.hybrid.itemknn > 0 && halfLives[.itemknn] != nil) }
    }

    /// Each learner's history, purchases, owned, returned, dismissed and rejected courses, and touched
    /// domains; with `ordered`, each history course's age for `HistoryRecency` too.
    /// - Complexity: O(events + learners), and O(events log events) more with `ordered`.
    static func profiles(matrix: SparseMatrix, events: [MatrixEvent], catalog: CatalogIndex,
                         interests: [[String]], rejections: Rejections, ordered: Bool = true) -> [LearnerProfile] {
        // What a learner owns now: a course bought and not refunded (purchases outnumber refunds), or
        // taken (enrolled in, completed or rated: a rating means they took it). A refunded course is
        // never "because you bought" it; a taken one is never recommended back.
        var paid = [[Int32: Int]](repeating: [:], count: matrix.rowCount)
        var taken = [Set<Int32>](repeating: [], count: matrix.rowCount)
        var domains = [Set<Int32>](repeating: [], count: matrix.rowCount)
        for event in events {
            let row = Int(event.user)
            switch event.kind {
            case .purchase: paid[row][event.item, default: 0] += 1
            case .refund: paid[row][event.item, default: 0] -= 1
            case .enroll, .complete, .rate: taken[row].insert(event.item)
            default: break
            }
            domains[row].insert(catalog.facts.domains[Int(event.item)])
        }
        let bought = paid.map { Set($0.compactMap { $0.value > 0 ? $0.key : nil }) }
        let refunded = paid.map { Set($0.compactMap { $0.value <= 0 ? $0.key : nil }) }
        // A learner who took one run of a family (a module each term, a book's editions) owns them all:
        // another run is never offered.
        let owned = zip(bought, taken).map { bought, taken -> Set<Int32> in
            var owned = bought.union(taken)
            for item in owned { owned.formUnion(catalog.otherRuns[Int(item)]) }
            return owned
        }
        let newestFirst = ordered ? HistoryRecency.newestFirst(events: events, users: matrix.rowCount) : []
        return (0..<matrix.rowCount).map { row in
            let entries = matrix.row(row)
            let rejected = rejections.byUser[row]
            var profile = LearnerProfile(history: zip(entries.columns, entries.values).map { (item: $0, weight: $1) },
                                         bought: bought[row],
                                         state: LearnerState(owned: owned[row], touchedDomains: domains[row],
                                                             dismissed: rejected.isEmpty ? [] : rejections.dismissed(user: row)),
                                         interests: interests[row], rejected: rejected.map(\.item), refunded: refunded[row])
            if ordered { profile.ages = HistoryRecency.ages(of: profile.history, newestFirst: newestFirst[row]) }
            return profile
        }
    }

    /// The rows a run caches besides learners' lists: neighbours, factors, popularity.
    /// - Complexity: O(courses x K) for neighbours, O((learners + courses) x factors) for factors.
    static func modelRows(_ recommender: HybridRecommender, algorithm: Algorithm, run: ModelRun, catalog: CatalogIndex,
                          learners: [(id: Int64, interests: [String])]) -> RunOutput {
        var output = RunOutput(run: run)
        func neighborRows(_ neighbors: (Int) -> [(item: Int32, score: Double)]) {
            for item in 0..<catalog.count {
                for (rank, neighbor) in neighbors(item).enumerated() {
                    output.neighbors.append((catalog.courses[item].id, rank + 1, catalog.courses[Int(neighbor.item)].id,
                                             neighbor.score))
                }
            }
        }
        switch algorithm {
        case .itemknn:
            neighborRows { recommender.itemKNN!.neighbors(of: $0) }
        case .ease:
            neighborRows { recommender.ease!.neighbors(of: $0) }
        case .rp3beta:
            neighborRows { recommender.rp3beta!.neighbors(of: $0) }
        case .bpr:
            // Course vectors carry their bias as one more number (read back by `factorModel(run:catalog:)`).
            let model = recommender.bpr!
            for row in 0..<model.userCount {
                output.factors.append(("user", learners[row].id, Array(model.userVector(row))))
            }
            for item in 0..<model.itemCount {
                output.factors.append(("course", catalog.courses[item].id,
                                       Array(model.itemVector(item)) + [model.itemBiases.isEmpty ? 0 : model.itemBiases[item]]))
            }
        case .content:
            neighborRows { recommender.contentNeighbors!.neighbors(of: $0).map { ($0.item, Double($0.score)) } }
        case .als:
            let model = recommender.factorModel!
            for row in 0..<model.userCount {
                output.factors.append(("user", learners[row].id, Array(model.userVector(row))))
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
        return output
    }

    /// The learners whose lists are cached: everyone, or with `activeWithin` only those with an event
    /// in that many seconds before `now` (the others are folded in when first asked for).
    /// - Complexity: O(events + learners).
    static func listedLearners(profiles: [LearnerProfile], events: [MatrixEvent], now: Int64, activeWithin: Int64?) -> [Int] {
        guard let activeWithin else { return Array(profiles.indices) }
        let since = now - min(activeWithin, now - Int64.min / 2)
        var active = [Bool](repeating: false, count: profiles.count)
        for event in events where event.time >= since { active[Int(event.user)] = true }
        return profiles.indices.filter { active[$0] }
    }

    /// Learners scored per block handed to `write`: bounds the lists held in memory.
    static let learnersPerBlock = 8_192
    /// The first block is smaller, so that writing starts soon (nothing is written while it is computed).
    static let firstBlock = 1_024
    /// Learners per unit of work on one core; also the block of the factor model's product.
    static let learnersPerChunk = 256

    /// Every listed learner's lists for `algorithms`, computed on all cores a block at a time and
    /// turned into rows by `rowsOf` there too; each block is handed to `write` (on the calling thread)
    /// while the next one is computed.
    /// - Complexity: O(rows x (history x K + pool)) plus, for ALS, O(rows x courses x factors) as a blocked product.
    typealias Rows = [[(userID: Int64, rank: Int, courseID: Int64, score: Double, reason: CachedReason)]]

    static func lists(_ recommender: HybridRecommender, algorithms: [Algorithm], profiles: [LearnerProfile], rows: [Int],
                            count: Int, progress: @escaping @Sendable (Int, Int) -> Void,
                            rowsOf: @escaping (Int, [Algorithm: [Candidate]]) -> Rows,
                            write: ([Rows]) throws -> Void) throws {
        let done = AtomicCounter()
        let usesFactors = recommender.factorModel.map { $0.userCount == profiles.count } ?? false
            && algorithms.contains { $0 == .als || ($0 == .hybrid && recommender.weights.als > 0) }
        let usesBPR = recommender.bpr.map { $0.userCount == profiles.count } ?? false && algorithms.contains(.bpr)
        let terms = recommender.content?.vocabulary.count ?? 0
        let shared = UnsafeSendable((recommender, profiles))
        let makeRows = UnsafeSendable(rowsOf)
        func compute(_ block: ArraySlice<Int>) -> [Rows] {
            let block = Array(block)
            var out = [Rows](repeating: [], count: block.count)
            let chunks = (block.count + learnersPerChunk - 1) / learnersPerChunk
            out.withUnsafeMutableBufferPointer { buffer in
                let output = UnsafeSendable(buffer)
                DispatchQueue.concurrentPerform(iterations: chunks) { c in
                    let (recommender, profiles) = shared.value
                    let range = (c * learnersPerChunk)..<min(block.count, (c + 1) * learnersPerChunk)
                    let scratch = ScoringScratch(items: recommender.facts.count, terms: terms)
                    var factorTop: [[(item: Int32, score: Float)]] = []
                    if usesFactors, let model = recommender.factorModel {
                        let users = Array(block[range])
                        factorTop = model.recommendations(users: users, count: HybridRecommender.poolSize(count)) {
                            profiles[users[$0]].state.owned
                        }
                    }
                    var bprTop: [[(item: Int32, score: Float)]] = []
                    if usesBPR, let model = recommender.bpr {
                        let users = Array(block[range])
                        bprTop = model.recommendations(users: users, count: HybridRecommender.poolSize(count)) {
                            profiles[users[$0]].state.owned
                        }
                    }
                    for (offset, index) in range.enumerated() {
                        let row = block[index]
                        let lists = recommender.recommendations(profiles[row], algorithms: algorithms, count: count,
                                                                factorCandidates: usesFactors ? factorTop[offset] : nil,
                                                                bprCandidates: usesBPR ? bprTop[offset] : nil,
                                                                scratch: scratch)
                        output.value[index] = makeRows.value(row, lists)
                    }
                    progress(done.add(range.count), rows.count)
                }
            }
            return out
        }
        // Compute block n + 1 while block n is written. Nothing is written while the first block is
        // computed, so it is small, and the blocks double up to `learnersPerBlock`.
        var block = min(firstBlock, learnersPerBlock)
        var end = min(rows.count, block)
        var pending: [Rows]? = nil
        if !rows.isEmpty { pending = compute(rows[0..<end]) }
        while let ready = pending {
            let start = end
            block = min(block * 2, learnersPerBlock)
            end = min(rows.count, start + block)
            let next = LockedBox<[Rows]>()
            let group = DispatchGroup()
            if start < rows.count {
                let slice = rows[start..<end]
                let work = UnsafeSendable(compute)
                DispatchQueue.global().async(group: group) { next.set(work.value(slice)) }
            }
            do {
                try write(ready)
            } catch {
                group.wait()
                throw error
            }
            group.wait()
            pending = next.get()
        }
    }
}

/// A value handed from one thread to another.
final class LockedBox<Value: Sendable>: Sendable {
    private let value = Mutex<Value?>(nil)

    func set(_ value: Value) { self.value.withLock { $0 = value } }
    func get() -> Value? { value.withLock { $0 } }
}
