import LecternCore
import LecternRecommender
import LecternStore
import Synchronization

/// The models fold-in builds from the catalog and the cached runs, kept between queries by a
/// long-running process such as `lectern serve`.
///
/// Without it, every folded-in list reads the whole catalog, every course's ALS factors, every
/// popularity score and the neighbour lists of its history, and builds the TF-IDF content model again. Entries are keyed by what they are
/// built from: the catalog's version (bumped by triggers on courses, tags and prerequisites) and the
/// run id, so a new training run or a catalog change is picked up by the next query.
public final class FoldInCache: Sendable {
    private struct State: Sendable {
        var catalogVersion: Int64 = -1
        var catalog: CatalogIndex?
        var content: ContentModel?
        var factors: [Int64: FactorModel] = [:]
        var popularity: [Int64: PopularityModel] = [:]
        var neighbors: [Int64: ItemKNNModel] = [:]
        var lists: [ListKey: [CachedRecommendation]] = [:]
    }

    /// What a folded-in list is computed from: the learner's latest event, the catalog's version and
    /// the active runs. Any new event, catalog change or training run makes a new key.
    struct ListKey: Hashable, Sendable {
        var userID: Int64
        var algorithm: Algorithm
        var lastEvent: Int64
        /// With `lastEvent`, tells when events were removed (`lectern clean`) rather than added.
        var events: Int64
        var limit: Int
        var catalogVersion: Int64
        /// The newest run id among the active models (a hybrid reads the others' runs).
        var newestActiveRun: Int64
    }

    /// Folded-in lists kept; past this many the memo starts again.
    static let keptLists = 50_000

    /// How many folded-in lists are kept now.
    var keptListCount: Int { state.withLock { $0.lists.count } }

    /// Runs kept per kind; older ones are dropped (training keeps 3 runs per algorithm).
    static let keptRuns = 8

    private let state = Mutex(State())

    public init() {}

    /// The catalog index for `version`, loaded by `load` when the catalog changed.
    func catalog(version: Int64, load: () throws -> CatalogIndex) rethrows -> CatalogIndex {
        try state.withLock { state in
            if state.catalogVersion == version, let catalog = state.catalog { return catalog }
            let catalog = try load()
            state = State(catalogVersion: version, catalog: catalog)
            return catalog
        }
    }

    /// The content model of the catalog at `version`.
    func content(version: Int64, catalog: CatalogIndex) -> ContentModel {
        state.withLock { state in
            if state.catalogVersion == version, let content = state.content { return content }
            let content = ContentModel(courses: catalog.contents)
            if state.catalogVersion == version { state.content = content }
            return content
        }
    }

    /// The factor model of ALS run `runID` over the catalog at `version`.
    func factors(runID: Int64, version: Int64, build: () throws -> FactorModel?) rethrows -> FactorModel? {
        try state.withLock { state in
            if state.catalogVersion == version, let model = state.factors[runID] { return model }
            guard let model = try build() else { return nil }
            if state.catalogVersion == version {
                if state.factors.count >= Self.keptRuns { state.factors.removeAll() }
                state.factors[runID] = model
            }
            return model
        }
    }

    /// The popularity model of run `runID` over the catalog at `version`.
    func popularity(runID: Int64, version: Int64, build: () throws -> PopularityModel) rethrows -> PopularityModel {
        try state.withLock { state in
            if state.catalogVersion == version, let model = state.popularity[runID] { return model }
            let model = try build()
            if state.catalogVersion == version {
                if state.popularity.count >= Self.keptRuns { state.popularity.removeAll() }
                state.popularity[runID] = model
            }
            return model
        }
    }

    /// Every neighbour list of item-kNN run `runID`, laid out over the catalog at `version`.
    func neighbors(runID: Int64, version: Int64, build: () throws -> ItemKNNModel) rethrows -> ItemKNNModel {
        try state.withLock { state in
            if state.catalogVersion == version, let model = state.neighbors[runID] { return model }
            let model = try build()
            if state.catalogVersion == version {
                if state.neighbors.count >= Self.keptRuns { state.neighbors.removeAll() }
                state.neighbors[runID] = model
            }
            return model
        }
    }

    /// The folded-in list for `key`, computed by `compute` (outside the lock) the first time.
    func list(_ key: ListKey, compute: () throws -> [CachedRecommendation]) rethrows -> [CachedRecommendation] {
        if let list = state.withLock({ $0.lists[key] }) { return list }
        let list = try compute()
        state.withLock { state in
            if state.lists.count >= Self.keptLists { state.lists.removeAll(keepingCapacity: true) }
            state.lists[key] = list
        }
        return list
    }
}
