#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How much a learner's newer courses count over older ones when a neighbour model (item-kNN,
/// EASE, RP3beta) scores them.
///
/// A course's age is its place in the learner's history from the newest (0 for the course with the
/// latest event, 1 for the one before, ...); with a half-life of h courses its weight is multiplied by
/// 0.5^(age / h). What a learner took last says most about what they take next; a half-life of nil
/// weighs every course alike. Ages count courses, not days, so a learner who took ten courses in a
/// week and one who took ten in a year are treated alike.
public enum HistoryRecency {
    /// Each learner's courses, newest first: by the time of the learner's latest event with the
    /// course, a tie going to the higher course index (so the order is the same on every run).
    /// - Complexity: O(events + Σ over learners of n log n), n the learner's events.
    public static func newestFirst(events: [MatrixEvent], users: Int) -> [[Int32]] {
        var starts = [Int](repeating: 0, count: users + 1)
        for event in events where event.user >= 0 && Int(event.user) < users { starts[Int(event.user) + 1] += 1 }
        for u in 0..<users { starts[u + 1] += starts[u] }
        var next = starts
        var byUser = [(time: Int64, item: Int32)](repeating: (0, 0), count: starts[users])
        for event in events where event.user >= 0 && Int(event.user) < users {
            byUser[next[Int(event.user)]] = (event.time, event.item)
            next[Int(event.user)] += 1
        }
        return (0..<users).map { u in
            let entries = byUser[starts[u]..<starts[u + 1]].sorted { ($0.time, $0.item) > ($1.time, $1.item) }
            var seen = Set<Int32>()
            return entries.compactMap { seen.insert($0.item).inserted ? $0.item : nil }
        }
    }

    /// Each `history` course's age: its place in `newestFirst` (0 for the newest). A course missing
    /// from `newestFirst` counts as older than all of them.
    /// - Complexity: O(history + newestFirst).
    public static func ages(of history: [(item: Int32, weight: Float)], newestFirst: [Int32]) -> [Int32] {
        var place: [Int32: Int32] = [:]
        place.reserveCapacity(newestFirst.count)
        for (age, item) in newestFirst.enumerated() where place[item] == nil { place[item] = Int32(age) }
        let oldest = Int32(newestFirst.count)
        return history.map { place[$0.item] ?? oldest }
    }

    /// `history` with each weight multiplied by 0.5^(age / halfLife); as it is when `halfLife` is nil
    /// or the ages are unknown (`ages` empty).
    /// - Parameter ages: parallel to `history` (see `ages(of:newestFirst:)`).
    /// - Complexity: O(history).
    public static func weighted(_ history: [(item: Int32, weight: Float)], ages: [Int32],
                                halfLife: Double?) -> [(item: Int32, weight: Float)] {
        guard let halfLife, ages.count == history.count else { return history }
        return zip(history, ages).map { entry, age in
            (item: entry.item, weight: entry.weight * Float(exp2(-Double(age) / halfLife)))
        }
    }

    /// Refuses a half-life that is not a positive, finite number of courses.
    public static func validate(_ halfLife: Double?, model: String) throws {
        if let halfLife, !(halfLife > 0 && halfLife.isFinite) {
            throw RecommenderError("the \(model) recency half-life must be a positive number of courses, got \(halfLife)")
        }
    }
}
