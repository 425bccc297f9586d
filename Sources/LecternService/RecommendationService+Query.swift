import Foundation
import LecternCore
import LecternRecommender
import LecternStore

extension RecommendationService {
    /// A learner's list from `algorithm`.
    ///
    /// Read from the cache with one indexed query when the learner has done nothing since training
    /// (courses bought since are dropped by that query). A learner who is new or has new activity
    /// gets a list computed now from the cached neighbours, factors and popularity ("fold-in").
    /// - Throws: `StoreError` for an unknown learner or an algorithm never trained.
    public func recommend(userExternalID: String, algorithm: Algorithm, limit: Int) throws -> RecommendationList {
        try Self.checkLimit(limit)
        return try recommend(learner: LearnerRepository(db).resolve(userExternalID), algorithm: algorithm, limit: limit)
    }

    /// A list's length must be 1 to 1000.
    static func checkLimit(_ limit: Int) throws {
        guard (1...1000).contains(limit) else { throw StoreError(.invalidInput, "--limit must be 1 to 1000, got \(limit)") }
    }

    /// `learner`'s list from `algorithm`, for a caller that has already resolved the learner.
    public func recommend(learner: Learner, algorithm: Algorithm, limit: Int) throws -> RecommendationList {
        try Self.checkLimit(limit)
        let cache = RecommendationCache(db)
        guard let run = try cache.activeRun(algorithm: algorithm) else {
            throw StoreError(.notFound, "no trained \(algorithm) model yet: run `lectern train --algorithm \(algorithm)`")
        }
        // A member of an organisation is served inside its licence: ask for more, to have enough left.
        let member = try OrganisationRepository(db).membership(userID: learner.id) != nil
        let wanted = member ? min(1000, limit * 4) : limit
        let cached = try cache.recommendations(userID: learner.id, algorithm: algorithm, limit: wanted)
        let lastEvent = try TrainingSnapshot.lastInteractionID(ofUser: learner.id, in: db)
        if lastEvent <= run.lastInteractionID && !cached.isEmpty {
            let items = member ? try withinOrganisation(cached, learner: learner, algorithm: algorithm, limit: limit) : cached
            return RecommendationList(learner: learner, algorithm: algorithm, items: items, run: run, foldedIn: false)
        }
        let items: [CachedRecommendation]
        if let foldInCache {
            // A long-running process folds a learner in once per new event, not once per request.
            let key = FoldInCache.ListKey(
                userID: learner.id, algorithm: algorithm, lastEvent: lastEvent,
                events: Int64(try InteractionRepository(db).count(ofUser: learner.id)), limit: wanted,
                catalogVersion: try TrainingSnapshot.catalogVersion(in: db),
                newestActiveRun: try cache.newestActiveRunID())
            items = try foldInCache.list(key) { try foldIn(learner: learner, algorithm: algorithm, run: run, limit: wanted) }
        } else {
            items = try foldIn(learner: learner, algorithm: algorithm, run: run, limit: wanted)
        }
        return RecommendationList(learner: learner, algorithm: algorithm,
                                  items: member ? try withinOrganisation(items, learner: learner, algorithm: algorithm, limit: limit) : items,
                                  run: run, foldedIn: true)
    }

    /// Courses like `course`: from who took what (item-kNN), or from content for courses nobody
    /// has taken yet and when asked for.
    public func similar(to course: Course, algorithm: Algorithm, limit: Int) throws
        -> (items: [(courseID: Int64, slug: String, title: String, score: Double)], algorithm: Algorithm) {
        guard algorithm == .itemknn || algorithm == .content else {
            throw StoreError(.invalidInput, "similar courses come from itemknn or content, not \(algorithm)")
        }
        let cache = RecommendationCache(db)
        if try cache.activeRun(algorithm: algorithm) != nil {
            let items = try cache.neighbors(courseID: course.id, algorithm: algorithm, limit: limit)
            if !items.isEmpty || algorithm == .content { return (items, algorithm) }
        }
        // A course nobody has taken has no item-kNN neighbours: its content speaks for it.
        let catalog = CatalogIndex(courses: try TrainingSnapshot.loadCatalog(from: db))
        guard let column = catalog.columnOf[course.id] else { return ([], .content) }
        let model = ContentModel(courses: catalog.contents)
        let items = model.similarCourses(to: Int(column), count: limit * 2)
            .filter { catalog.facts.available[Int($0.item)] }
            .prefix(limit)
            .map { entry in
                let row = catalog.courses[Int(entry.item)]
                return (courseID: row.id, slug: row.slug, title: row.title, score: Double(entry.score))
            }
        return (Array(items), .content)
    }

    /// A list computed now from the active runs' cached models.
    func foldIn(learner: Learner, algorithm: Algorithm, run: ModelRun, limit: Int) throws -> [CachedRecommendation] {
        let cache = RecommendationCache(db)
        let version = foldInCache == nil ? 0 : try TrainingSnapshot.catalogVersion(in: db)
        let catalog = try foldInCache?.catalog(version: version) { try Self.loadCatalogIndex(db) } ?? Self.loadCatalogIndex(db)
        let parameters = RunParameters(json: run.parameters)
        let profile = try foldInProfile(learner, run: run, weights: parameters.weights ?? InteractionWeights(), catalog: catalog)

        var recommender = HybridRecommender(facts: catalog.facts, domainNames: catalog.domainNames)
        if algorithm == .hybrid {
            recommender.weights = parameters.hybridWeights ?? HybridWeights()
            recommender.rules = parameters.rules ?? RankingRules()
        }
        let needs: [Algorithm] = algorithm == .hybrid ? Self.components(of: recommender.weights) : [algorithm]
        for part in needs {
            guard let partRun = part == algorithm ? run : try cache.activeRun(algorithm: part) else { continue }
            switch part {
            case .itemknn, .ease, .rp3beta:
                let model = try neighbors(run: partRun.id, algorithm: part, of: profile.history.map(\.item),
                                          catalog: catalog, version: version)
                if let halfLife = RunParameters(json: partRun.parameters).number("recency_half_life") {
                    recommender.recencyHalfLives[part] = halfLife
                }
                switch part {
                case .ease: recommender.ease = model
                case .rp3beta: recommender.rp3beta = model
                default: recommender.itemKNN = model
                }
            case .bpr:
                // BPR's learner vector for new activity is folded in by ALS's least squares on BPR's course
                // vectors (with BPR's regularisation), and scored with BPR's course biases.
                let build = { try self.factorModel(run: partRun, catalog: catalog, biasLast: true) }
                guard let model = try foldInCache?.factors(runID: partRun.id, version: version, build: build) ?? build() else { continue }
                recommender.bpr = model
            case .als:
                let build = { try self.factorModel(run: partRun, catalog: catalog) }
                guard let model = try foldInCache?.factors(runID: partRun.id, version: version, build: build) ?? build() else { continue }
                recommender.factorModel = model
            case .popular:
                let build = {
                    let cached = try cache.popularity(runID: partRun.id)
                    return PopularityModel(scores: catalog.courses.map { cached[$0.id]?.score ?? 0 },
                                           domainRanks: catalog.courses.map { cached[$0.id]?.domainRank ?? Int.max },
                                           domains: catalog.facts.domains)
                }
                recommender.popularity = try foldInCache?.popularity(runID: partRun.id, version: version, build: build) ?? build()
            case .content:
                let content = foldInCache?.content(version: version, catalog: catalog) ?? ContentModel(courses: catalog.contents)
                recommender.content = content
                // The neighbour lists of the learner's courses, as training computed them for everyone.
                let neighbors = Int(RunParameters(json: partRun.parameters).number("neighbors") ?? 50)
                recommender.contentNeighbors = content.neighbors(count: max(1, neighbors), of: profile.history.map(\.item), threads: 1)
            case .hybrid:
                break
            }
        }
        if algorithm == .hybrid, recommender.rules.crossDomainEvery != nil {
            // The crossover is a property of everyone's behaviour; without the training matrix, leave the slot empty.
            recommender.crossover = nil
        }
        if !profile.rejected.isEmpty, let similar = try cache.activeRun(algorithm: .itemknn) {
            // "Less like this" reads the item-kNN neighbours of the courses the learner rejected.
            recommender.lessLikeThisNeighbors = try neighbors(run: similar.id, algorithm: .itemknn, of: profile.rejected,
                                                              catalog: catalog, version: version)
        }
        let list = recommender.recommend(profile, algorithm: algorithm, count: limit)
        return list.enumerated().map { rank, candidate in
            let row = catalog.courses[Int(candidate.item)]
            return CachedRecommendation(rank: rank + 1, courseID: row.id, slug: row.slug, title: row.title,
                                        score: candidate.score, algorithm: algorithm,
                                        reason: catalog.describe(candidate.reason))
        }
    }

    /// The learner as the models see them: their events now, weighed as `run` was trained, with
    /// what they rejected.
    private func foldInProfile(_ learner: Learner, run: ModelRun, weights: InteractionWeights,
                               catalog: CatalogIndex) throws -> LearnerProfile {
        let events = try TrainingSnapshot.events(ofUser: learner.id, in: db).compactMap { event -> MatrixEvent? in
            guard let column = catalog.columnOf[event.courseID] else { return nil }
            return MatrixEvent(event, user: 0, item: column)
        }
        let rejections = Rejections(events: events, users: 1)
        let matrix = try weights.matrix(users: 1, items: catalog.count, events: events,
                                        now: max(run.dataUntil ?? 0, events.map(\.time).max() ?? 0), rejections: rejections)
        return Self.profiles(matrix: matrix, events: events, catalog: catalog, interests: [learner.interests],
                             rejections: rejections)[0]
    }

    /// Run `runID`'s course neighbours: every list, kept by a long-running process's fold-in cache,
    /// or just those of `courses` when there is no such cache.
    private func neighbors(run runID: Int64, algorithm: Algorithm, of courses: [Int32], catalog: CatalogIndex,
                           version: Int64) throws -> ItemKNNModel {
        if let foldInCache {
            return try foldInCache.neighbors(runID: runID, version: version) { try neighborModel(runID: runID, catalog: catalog) }
        }
        return try neighborModel(runID: runID, algorithm: algorithm, history: courses.map { (item: $0, weight: 1) }, catalog: catalog)
    }

    static func loadCatalogIndex(_ db: Database) throws -> CatalogIndex {
        CatalogIndex(courses: try TrainingSnapshot.loadCatalog(from: db))
    }

    /// An ALS run's course factors laid out by catalog column; nil when the run has none.
    /// - Parameter biasLast: each course vector ends with the course's bias (BPR).
    private func factorModel(run: ModelRun, catalog: CatalogIndex, biasLast: Bool = false) throws -> FactorModel? {
        let parameters = RunParameters(json: run.parameters)
        let byCourse = try RecommendationCache(db).factors(runID: run.id, entity: "course")
        guard let stored = byCourse.values.first?.count, stored > (biasLast ? 1 : 0) else { return nil }
        let width = biasLast ? stored - 1 : stored
        var itemFactors = [Float](repeating: 0, count: catalog.count * width)
        var biases = [Float](repeating: 0, count: biasLast ? catalog.count : 0)
        for (index, course) in catalog.courses.enumerated() {
            if let vector = byCourse[course.id], vector.count == stored {
                itemFactors.replaceSubrange((index * width)..<((index + 1) * width), with: vector[0..<width])
                if biasLast { biases[index] = vector[width] }
            }
        }
        return try FactorModel(factorCount: width, userFactors: [], itemFactors: itemFactors, itemBiases: biases,
                               regularization: Float(parameters.number("regularization") ?? 0.01),
                               alpha: Float(parameters.number("alpha") ?? 1))
    }

    /// An item-kNN model holding every neighbour list of run `runID` (for `FoldInCache`).
    private func neighborModel(runID: Int64, catalog: CatalogIndex) throws -> ItemKNNModel {
        let all = try RecommendationCache(db).allNeighbors(runID: runID)
        var starts = [0]
        var indices: [Int32] = [], scores: [Double] = []
        for course in catalog.courses {
            for (neighbor, score) in all[course.id] ?? [] {
                guard let column = catalog.columnOf[neighbor] else { continue }
                indices.append(column)
                scores.append(score)
            }
            starts.append(indices.count)
        }
        return ItemKNNModel(itemCount: catalog.count, neighborStarts: starts, neighborIndices: indices, neighborScores: scores)
    }

    /// An item-kNN model holding just the neighbour lists of the courses in `history`.
    private func neighborModel(runID: Int64, algorithm: Algorithm, history: [(item: Int32, weight: Float)],
                               catalog: CatalogIndex) throws -> ItemKNNModel {
        var lists = [[(Int32, Double)]](repeating: [], count: catalog.count)
        let cache = RecommendationCache(db)
        for (item, _) in history {
            let courseID = catalog.courses[Int(item)].id
            lists[Int(item)] = try cache.neighbors(courseID: courseID, algorithm: algorithm, limit: 10_000, includeUnavailable: true)
                .compactMap { neighbor in catalog.columnOf[neighbor.courseID].map { ($0, neighbor.score) } }
        }
        var starts = [0]
        var indices: [Int32] = [], scores: [Double] = []
        for list in lists {
            for (item, score) in list {
                indices.append(item)
                scores.append(score)
            }
            starts.append(indices.count)
        }
        return ItemKNNModel(itemCount: catalog.count, neighborStarts: starts, neighborIndices: indices, neighborScores: scores)
    }
}

/// Reads back the parameters a run recorded (`model_runs.parameters`).
struct RunParameters {
    let values: [String: Any]

    init(json: String) {
        values = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
    }

    func number(_ key: String) -> Double? {
        (values[key] as? NSNumber)?.doubleValue
    }

    var weights: InteractionWeights? {
        guard let w = values["weights"] as? [String: Any] else { return nil }
        func n(_ key: String, _ fallback: Double) -> Double { (w[key] as? NSNumber)?.doubleValue ?? fallback }
        return InteractionWeights(view: n("view", 1), wishlist: n("wishlist", 2), enroll: n("enroll", 3),
                                  purchase: n("purchase", 5), complete: n("complete", 5), rate: n("rate", 4),
                                  halfLifeDays: (w["half_life_days"] as? NSNumber)?.doubleValue)
    }

    var hybridWeights: HybridWeights? {
        guard let itemknn = number("itemknn") else { return nil }
        return HybridWeights(itemknn: itemknn, als: number("als") ?? 0, content: number("content") ?? 0,
                             popular: number("popular") ?? 0)
    }

    var rules: RankingRules? {
        guard values["prerequisite_penalty"] != nil else { return nil }
        return RankingRules(maxPerCreator: number("max_per_creator").map { Int($0) },
                            maxPerDomain: number("max_per_domain").map { Int($0) },
                            crossDomainEvery: number("cross_domain_every").map { Int($0) },
                            missingPrerequisitePenalty: number("prerequisite_penalty") ?? 0.5,
                            filterMissingPrerequisites: values["filter_missing_prerequisites"] as? Bool ?? false)
    }
}
