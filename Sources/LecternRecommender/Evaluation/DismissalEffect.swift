import LecternCore

/// What listening to "not for me" changes, measured offline on a split with dismissals.
///
/// The protocol: models are trained twice on the split's training part, once with its dismissals
/// (as production does: a dismissed course is left out of the matrix and of the learner's lists,
/// and courses like it move down) and once with the dismissals removed. Each learner with a
/// training event and a held-out purchase or dismissal of a course not touched in training gets
/// a top K from each. Then, for each side:
/// - `laterDismissed` is the share of listed places taken by a course the learner dismissed later
///   (in the held-out part): lower is better.
/// - `purchaseNDCG` is NDCG@K with the learner's later purchases as the relevant courses, over the
///   learners who bought something later: higher is better.
public struct DismissalEffect: Sendable, Equatable {
    public struct Side: Sendable, Equatable {
        public var laterDismissed: Double
        public var purchaseNDCG: Double
    }

    public var algorithm: Algorithm
    public var k: Int
    /// Learners scored: with a held-out purchase or dismissal of a course new to them.
    public var learners: Int
    /// Of them, learners who dismissed something later, and who bought something later.
    public var dismissing: Int
    public var buying: Int
    /// Dismissals in the training part.
    public var trainingDismissals: Int
    public var using: Side
    public var ignoring: Side

    /// Measures each of `algorithms` on `split`.
    /// - Throws: `RecommenderError` when the training part holds no dismissal (there is nothing to
    ///   compare) or no learner qualifies; what `EvaluationModels.train` throws.
    public static func measure(split: EvaluationSplit, algorithms: [Algorithm], facts: CatalogFacts, domainNames: [String],
                               contents: [CourseContent]?, settings: EvaluationModelSettings, k: Int = 10,
                               interests: [Int32: [String]] = [:]) throws -> [DismissalEffect] {
        let trainingDismissals = split.train.reduce(0) { $0 + ($1.kind == .dismiss ? 1 : 0) }
        guard trainingDismissals > 0 else {
            throw RecommenderError("the training part holds no dismissal: there is nothing to compare "
                + "(record dismiss events, or generate a platform with --dismissals)")
        }
        let users = Int(max(split.train.map(\.user).max() ?? -1, split.heldOut.map(\.user).max() ?? -1)) + 1
        var seen = [Set<Int32>](repeating: [], count: users)
        for event in split.train { seen[Int(event.user)].insert(event.item) }
        var laterDismissed: [Int32: Set<Int32>] = [:], laterBought: [Int32: Set<Int32>] = [:]
        for event in split.heldOut where !seen[Int(event.user)].isEmpty && !seen[Int(event.user)].contains(event.item) {
            if event.kind == .dismiss { laterDismissed[event.user, default: []].insert(event.item) }
            if event.kind == .purchase { laterBought[event.user, default: []].insert(event.item) }
        }
        let learners = Set(laterDismissed.keys).union(laterBought.keys).sorted()
        guard !learners.isEmpty else { throw RecommenderError("no learner dismissed or bought a new course in the held-out part") }

        let withDismissals = split.train
        let without = split.train.filter { $0.kind != .dismiss }
        func lists(_ events: [MatrixEvent], _ algorithm: Algorithm, _ models: EvaluationModels) throws -> [[Int32]] {
            let matrix = try settings.weights.matrix(users: users, items: facts.count, events: events, now: models.now,
                                                     rejections: models.rejections)
            let recommend = models.recommend(algorithm, interests: interests)
            return learners.map { user in
                let row = matrix.row(Int(user))
                return recommend(user, zip(row.columns, row.values).map { (item: $0, weight: $1) }, seen[Int(user)], k)
            }
        }
        func side(_ lists: [[Int32]]) -> Side {
            var places = 0, dismissed = 0, ndcg = 0.0, buyers = 0
            for (user, list) in zip(learners, lists) {
                let top = Array(list.prefix(k))
                places += top.count
                if let later = laterDismissed[user] { dismissed += top.filter(later.contains).count }
                if let bought = laterBought[user] {
                    ndcg += RankingMetrics.ndcg(top, relevant: bought, k: k)
                    buyers += 1
                }
            }
            return Side(laterDismissed: places == 0 ? 0 : Double(dismissed) / Double(places),
                        purchaseNDCG: buyers == 0 ? 0 : ndcg / Double(buyers))
        }
        let using = try EvaluationModels.train(events: withDismissals, users: users, facts: facts, domainNames: domainNames,
                                               contents: contents, settings: settings, algorithms: algorithms)
        let ignoring = try EvaluationModels.train(events: without, users: users, facts: facts, domainNames: domainNames,
                                                  contents: contents, settings: settings, algorithms: algorithms)
        return try algorithms.map { algorithm in
            DismissalEffect(algorithm: algorithm, k: k, learners: learners.count, dismissing: laterDismissed.count,
                            buying: laterBought.count, trainingDismissals: trainingDismissals,
                            using: side(try lists(withDismissals, algorithm, using)),
                            ignoring: side(try lists(without, algorithm, ignoring)))
        }
    }
}
