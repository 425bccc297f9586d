/// Ways to split events for offline evaluation.
///
/// Splits by time hold out events; the others hold out whole (learner, course) pairs: every event
/// of a learner on a held-out course goes to the held-out part, so training never sees the pair.
/// Splits that draw at random take a seed and use `SeededGenerator` with their own Fisher-Yates
/// shuffles, so the same events and seed give the same split on every platform.
extension EvaluationSplit {
    /// Events before `cutoff` train; events at or after it are held out.
    /// - Complexity: O(events + pairs log pairs).
    public static func temporal(_ events: [MatrixEvent], cutoff: Int64, relevance: Relevance = Relevance()) -> EvaluationSplit {
        EvaluationSplit(events, isHeldOut: events.map { $0.time >= cutoff }, relevance: relevance)
    }

    /// Each learner's first `trainFraction` of events train, the rest are held out.
    ///
    /// A learner's events are ordered by time, equal times by input order; the first
    /// floor(n x `trainFraction`) of their n events train. A course touched on both sides is
    /// trained on, so the `Evaluator` drops it as a test pair (already in training).
    /// - Throws: `RecommenderError` unless 0 < `trainFraction` < 1.
    /// - Complexity: O(events log events).
    public static func temporalPerLearner(_ events: [MatrixEvent], trainFraction: Double,
                                          relevance: Relevance = Relevance()) throws -> EvaluationSplit {
        guard trainFraction > 0, trainFraction < 1 else {
            throw RecommenderError("the training fraction must be between 0 and 1 (exclusive), got \(trainFraction)")
        }
        var isHeldOut = [Bool](repeating: false, count: events.count)
        for learner in eventsByLearner(events) {
            let ordered = learner.indices.sorted { (events[$0].time, $0) < (events[$1].time, $1) }
            // The small margin keeps n x fraction from landing just under a whole number.
            let trained = Int((Double(ordered.count) * trainFraction + 1e-9).rounded(.down))
            for index in ordered[trained...] { isHeldOut[index] = true }
        }
        return EvaluationSplit(events, isHeldOut: isHeldOut, relevance: relevance)
    }

    /// The last `count` distinct courses each learner touched are held out.
    ///
    /// A course's time is its learner's latest event on it (equal times: the later in the input
    /// counts as later). Learners with `count` or fewer courses stay wholly in training, so every
    /// learner tested keeps at least one course to be known by. (implicit's `leave_k_out_split`
    /// picks at random among the last entries and asks for more than `count` + 1 entries.)
    /// - Throws: `RecommenderError` unless `count` >= 1.
    /// - Complexity: O(events + pairs log pairs).
    public static func leaveLastOut(_ events: [MatrixEvent], count: Int = 1,
                                    relevance: Relevance = Relevance()) throws -> EvaluationSplit {
        guard count >= 1 else { throw RecommenderError("leave-last-out needs at least 1 course per learner, got \(count)") }
        var isHeldOut = [Bool](repeating: false, count: events.count)
        for learner in eventsByLearner(events) {
            var latest: [Int32: (time: Int64, index: Int)] = [:]
            for index in learner.indices {
                let event = events[index]
                if let seen = latest[event.item], (seen.time, seen.index) > (event.time, index) { continue }
                latest[event.item] = (event.time, index)
            }
            guard latest.count > count else { continue }
            let newestFirst = latest.sorted { ($0.value.time, $0.value.index) > ($1.value.time, $1.value.index) }
            let held = Set(newestFirst.prefix(count).map(\.key))
            for index in learner.indices where held.contains(events[index].item) { isHeldOut[index] = true }
        }
        return EvaluationSplit(events, isHeldOut: isHeldOut, relevance: relevance)
    }

    /// A random `testFraction` of each learner's distinct courses is held out.
    ///
    /// A learner with n >= 2 courses holds out round(n x `testFraction`) of them, but at least 1
    /// and at most n - 1; a learner with one course stays in training.
    /// - Throws: `RecommenderError` unless 0 < `testFraction` < 1.
    /// - Complexity: O(events + pairs log pairs).
    public static func randomHoldout(_ events: [MatrixEvent], testFraction: Double, seed: UInt64,
                                     relevance: Relevance = Relevance()) throws -> EvaluationSplit {
        try checkTestFraction(testFraction)
        var generator = SeededGenerator(seed: seed)
        var isHeldOut = [Bool](repeating: false, count: events.count)
        for learner in eventsByLearner(events) {
            holdOut(learner.indices, of: events, fraction: testFraction, generator: &generator, into: &isHeldOut)
        }
        return EvaluationSplit(events, isHeldOut: isHeldOut, relevance: relevance)
    }

    /// K-fold cross-validation over learners: `folds` splits, one per fold of learners.
    ///
    /// Learners are dealt into folds by a seeded shuffle (`learnerFolds`). In split f, each
    /// learner of fold f holds out a random `testFraction` of their courses, as `randomHoldout`
    /// does; every other learner is wholly in training.
    /// - Throws: `RecommenderError` unless 2 <= `folds` <= the number of learners and
    ///   0 < `testFraction` < 1.
    /// - Complexity: O(folds x (events + pairs log pairs)).
    public static func kFold(_ events: [MatrixEvent], folds: Int, testFraction: Double, seed: UInt64,
                             relevance: Relevance = Relevance()) throws -> [EvaluationSplit] {
        try checkTestFraction(testFraction)
        let assignment = try learnerFolds(events, folds: folds, seed: seed)
        var foldOf: [Int32: Int] = [:]
        for (fold, learners) in assignment.enumerated() {
            for learner in learners { foldOf[learner] = fold }
        }
        let learners = eventsByLearner(events)
        return (0..<folds).map { fold in
            var generator = SeededGenerator(seed: seed, stream: UInt64(fold) + 1)
            var isHeldOut = [Bool](repeating: false, count: events.count)
            for learner in learners where foldOf[learner.user] == fold {
                holdOut(learner.indices, of: events, fraction: testFraction, generator: &generator, into: &isHeldOut)
            }
            return EvaluationSplit(events, isHeldOut: isHeldOut, relevance: relevance)
        }
    }

    /// The learners of each fold, each fold sorted; every learner with an event is in exactly one.
    ///
    /// The learners, ascending, are shuffled with `SeededGenerator(seed:)` and dealt out in turn,
    /// so fold sizes differ by at most one.
    /// - Throws: `RecommenderError` unless 2 <= `folds` <= the number of learners.
    public static func learnerFolds(_ events: [MatrixEvent], folds: Int, seed: UInt64) throws -> [[Int32]] {
        var learners = Array(Set(events.map(\.user))).sorted()
        guard folds >= 2, folds <= learners.count else {
            throw RecommenderError("k-fold needs between 2 and \(learners.count) folds (one learner at least in each), got \(folds)")
        }
        var generator = SeededGenerator(seed: seed)
        shuffle(&learners, generator: &generator)
        var assignment = [[Int32]](repeating: [], count: folds)
        for (position, learner) in learners.enumerated() { assignment[position % folds].append(learner) }
        return assignment.map { $0.sorted() }
    }

    // MARK: Helpers

    private static func checkTestFraction(_ fraction: Double) throws {
        guard fraction > 0, fraction < 1 else {
            throw RecommenderError("the held-out fraction must be between 0 and 1 (exclusive), got \(fraction)")
        }
    }

    /// Indices of each learner's events in input order, learners ascending.
    static func eventsByLearner(_ events: [MatrixEvent]) -> [(user: Int32, indices: [Int])] {
        var byUser: [Int32: [Int]] = [:]
        for (index, event) in events.enumerated() { byUser[event.user, default: []].append(index) }
        return byUser.keys.sorted().map { ($0, byUser[$0]!) }
    }

    /// Marks the events of a random share of one learner's distinct courses as held out.
    private static func holdOut(_ indices: [Int], of events: [MatrixEvent], fraction: Double,
                                generator: inout SeededGenerator, into isHeldOut: inout [Bool]) {
        // Distinct courses in first-touch order, so the draw depends only on the events and seed.
        var courses: [Int32] = []
        var seen = Set<Int32>()
        for index in indices where seen.insert(events[index].item).inserted { courses.append(events[index].item) }
        let n = courses.count
        guard n >= 2 else { return }
        let count = min(n - 1, max(1, Int((Double(n) * fraction).rounded())))
        // The first `count` places of a partial Fisher-Yates shuffle.
        for place in 0..<count {
            courses.swapAt(place, place + generator.nextIndex(below: n - place))
        }
        let held = Set(courses.prefix(count))
        for index in indices where held.contains(events[index].item) { isHeldOut[index] = true }
    }

    /// Fisher-Yates, written out so the order never depends on the standard library's algorithm.
    private static func shuffle<T>(_ values: inout [T], generator: inout SeededGenerator) {
        guard values.count > 1 else { return }
        for place in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(place, generator.nextIndex(below: place + 1))
        }
    }
}
