import LecternCore

/// How well each way of finding a course's audience finds the learners who went on to take it.
///
/// The protocol (`lectern evaluate --task audience`): events before a cutoff train the models; for
/// every course that some learner first took (enrolled, bought or completed, never refunded) after
/// the cutoff, each method picks an audience of `size` learners among those seen in training who had
/// not taken the course nor still held a dismissal of it. Its precision@size is the share of the
/// audience that took the course after the cutoff, and its recall@size the share of those learners
/// it found. Learners who first appear after the cutoff cannot be chosen by any method and are left
/// out of the truth. Courses split into `established` (taken in training: item-kNN, ALS and content
/// apply) and `new` (first taken after the cutoff: only content can judge them). Two baselines: the
/// most active learners of the training part, and a seeded random draw.
public struct AudienceEvaluation: Sendable {
    public struct Row: Sendable, Equatable {
        /// established, new or all.
        public var group: String
        /// itemknn, als, content, auto (what `lectern audience` does by default), active or random.
        public var method: String
        public var courses: Int
        public var precision: Double
        public var recall: Double
    }

    public var size: Int
    public var rows: [Row]
    /// Held-out (learner, course) pairs the metrics count.
    public var truthPairs: Int

    /// Precision of `method` over that of the `baseline` in the same group (nil when the baseline
    /// found nobody).
    public func lift(_ method: String, over baseline: String, group: String) -> Double? {
        guard let m = rows.first(where: { $0.method == method && $0.group == group }),
              let b = rows.first(where: { $0.method == baseline && $0.group == group }), b.precision > 0 else { return nil }
        return m.precision / b.precision
    }

    /// Runs the protocol on `split` with models trained on `split.train` only.
    /// - Parameters:
    ///   - itemKNN, factors, content: the models trained on the training part (nil leaves a method out).
    ///   - interests: declared interests by learner (content method).
    public static func measure(split: EvaluationSplit, itemKNN: ItemKNNModel?, factors: FactorModel?, content: ContentModel?,
                               contents: [CourseContent]?, interests: [Int32: [String]], size: Int, seed: UInt64 = 42)
        throws -> AudienceEvaluation {
        guard size >= 1 else { throw RecommenderError("the audience size must be at least 1, got \(size)") }
        let train = Takings(split.train)
        let test = Takings(split.heldOut)
        let known = train.activity
        let activeOrder = known.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
        let interested = InterestIndex(interests)
        var sums: [String: [String: (precision: Double, recall: Double, courses: Int)]] = [:]
        var truthPairs = 0
        for item in test.taken.keys.sorted() {
            let excluded = train.touched[item, default: []]
            let truth = test.taken[item, default: []].subtracting(excluded).filter { known[$0] != nil }
            guard !truth.isEmpty else { continue }
            truthPairs += truth.count
            let targetTakers = train.taken[item, default: []]
            let group = targetTakers.isEmpty ? "new" : "established"
            var audiences: [String: [Int32]] = [:]
            audiences["active"] = Array(activeOrder.lazy.filter { !excluded.contains($0) }.prefix(size))
            audiences["random"] = randomAudience(known.keys.sorted(), excluded: excluded, size: size, seed: seed &+ UInt64(item))
            let neighborsKNN = itemKNN.map { model in model.neighbors(of: Int(item)).map { (item: $0.item, score: Float($0.score)) } } ?? []
            if !targetTakers.isEmpty, !neighborsKNN.isEmpty {
                audiences["itemknn"] = Audience.byNeighbors(neighborsKNN, takers: train.sorted, excluded: excluded, count: size).map(\.user)
            }
            if !targetTakers.isEmpty, let factors, Int(item) < factors.itemCount {
                audiences["als"] = Audience.byFactors(factors, item: Int(item), excluded: excluded, count: size).map(\.user)
            }
            if let content, let contents, Int(item) < contents.count {
                let similar = content.similarCourses(to: Int(item), count: 50)
                let topics = [contents[Int(item)].domain] + contents[Int(item)].tags
                let members = Audience.byNeighbors(similar, takers: train.sorted, interested: interested.users(naming: topics),
                                                   interestWeight: similar.first?.score ?? 1, excluded: excluded, count: size)
                audiences["content"] = members.map(\.user)
            }
            audiences["auto"] = audiences["itemknn"] ?? audiences["content"]
            for (method, audience) in audiences {
                let hits = audience.reduce(0) { $0 + (truth.contains($1) ? 1 : 0) }
                for key in [group, "all"] {
                    var entry = sums[key, default: [:]][method, default: (0, 0, 0)]
                    entry.precision += Double(hits) / Double(size)
                    entry.recall += Double(hits) / Double(truth.count)
                    entry.courses += 1
                    sums[key, default: [:]][method] = entry
                }
            }
        }
        guard truthPairs > 0 else {
            throw RecommenderError("no course was taken after the cutoff by a learner seen before it: choose another cutoff")
        }
        var rows: [Row] = []
        for group in ["established", "new", "all"] {
            for method in ["auto", "itemknn", "als", "content", "active", "random"] {
                guard let entry = sums[group]?[method], entry.courses > 0 else { continue }
                rows.append(Row(group: group, method: method, courses: entry.courses,
                                precision: entry.precision / Double(entry.courses), recall: entry.recall / Double(entry.courses)))
            }
        }
        return AudienceEvaluation(size: size, rows: rows, truthPairs: truthPairs)
    }

    /// `size` learners drawn at random (seeded) from `pool`, none of them `excluded`.
    static func randomAudience(_ pool: [Int32], excluded: Set<Int32>, size: Int, seed: UInt64) -> [Int32] {
        var generator = SeededGenerator(seed: seed)
        var candidates = pool.filter { !excluded.contains($0) }
        candidates.shuffle(using: &generator)
        return Array(candidates.prefix(size))
    }
}

/// Who took and who touched each course in a set of events.
private struct Takings {
    /// Learners who took each course (enrolled, bought or completed) and did not refund it.
    var taken: [Int32: Set<Int32>] = [:]
    /// The same, sorted, for `Audience.byNeighbors`.
    var sorted: [Int32: [Int32]] = [:]
    /// Learners who must not be in the course's audience: they took it (refunded or not) or hold a
    /// dismissal with no later view, wishlist, enrollment or purchase.
    var touched: [Int32: Set<Int32>] = [:]
    /// Events per learner.
    var activity: [Int32: Int] = [:]

    init(_ events: [MatrixEvent]) {
        var refunded = Set<HeldOutPair>()
        var dismissedAt: [HeldOutPair: Int64] = [:]
        var liftedAt: [HeldOutPair: Int64] = [:]
        for event in events {
            activity[event.user, default: 0] += 1
            let pair = HeldOutPair(user: event.user, item: event.item)
            switch event.kind {
            case .enroll, .purchase, .complete:
                taken[event.item, default: []].insert(event.user)
                touched[event.item, default: []].insert(event.user)
            case .refund:
                refunded.insert(pair)
                touched[event.item, default: []].insert(event.user)
            case .dismiss: dismissedAt[pair] = max(dismissedAt[pair] ?? .min, event.time)
            default: break
            }
            if event.kind.liftsDismissal { liftedAt[pair] = max(liftedAt[pair] ?? .min, event.time) }
        }
        for pair in refunded { taken[pair.item]?.remove(pair.user) }
        for (pair, time) in dismissedAt where (liftedAt[pair] ?? .min) <= time {
            touched[pair.item, default: []].insert(pair.user)
        }
        for (item, users) in taken { sorted[item] = users.sorted() }
    }
}

/// Learners by the topics they declared, any case.
private struct InterestIndex {
    var byTopic: [String: [(user: Int32, topic: String)]] = [:]

    init(_ interests: [Int32: [String]]) {
        for (user, topics) in interests {
            for topic in topics { byTopic[topic.lowercased(), default: []].append((user, topic)) }
        }
    }

    func users(naming topics: [String]) -> [Int32: String] {
        var result: [Int32: String] = [:]
        for topic in topics {
            for entry in byTopic[topic.lowercased()] ?? [] where result[entry.user] == nil { result[entry.user] = entry.topic }
        }
        return result
    }
}
