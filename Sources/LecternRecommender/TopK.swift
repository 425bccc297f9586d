/// Keeps the `capacity` best (highest score) entries seen, with ties broken toward the lower index.
///
/// A binary min-heap on score: the root is the worst kept entry, replaced when a better one comes.
/// - Complexity: O(log k) per `insert`, O(k log k) for `sortedDescending`.
public struct TopK {
    public let capacity: Int
    private var indices: [Int32] = []
    private var scores: [Double] = []

    public init(capacity: Int) {
        self.capacity = max(0, capacity)
        indices.reserveCapacity(self.capacity)
        scores.reserveCapacity(self.capacity)
    }

    public var count: Int { indices.count }

    /// Whether (a, ia) ranks below (b, ib): lower score, or equal score and higher index.
    @inline(__always)
    private static func worse(_ a: Double, _ ia: Int32, _ b: Double, _ ib: Int32) -> Bool {
        a < b || (a == b && ia > ib)
    }

    @inlinable
    public var isFull: Bool { count >= capacity }

    /// The worst kept score (the bar a new entry must pass once full).
    public var threshold: Double { scores.first ?? -.infinity }

    /// Whether `insert` would keep (index, score): cheap, to test before costlier checks.
    @inline(__always)
    public func admits(_ index: Int32, _ score: Double) -> Bool {
        capacity > 0 && (indices.count < capacity || Self.worse(scores[0], indices[0], score, index))
    }

    public mutating func insert(_ index: Int32, _ score: Double) {
        guard capacity > 0 else { return }
        if indices.count < capacity {
            indices.append(index)
            scores.append(score)
            siftUp(indices.count - 1)
        } else if Self.worse(scores[0], indices[0], score, index) {
            indices[0] = index
            scores[0] = score
            siftDown(0)
        }
    }

    /// The kept entries, best first.
    public func sortedDescending() -> [(index: Int32, score: Double)] {
        zip(indices, scores).map { ($0, $1) }.sorted { a, b in Self.worse(b.1, b.0, a.1, a.0) }
    }

    public mutating func removeAll() {
        indices.removeAll(keepingCapacity: true)
        scores.removeAll(keepingCapacity: true)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.worse(scores[child], indices[child], scores[parent], indices[parent]) else { return }
            indices.swapAt(child, parent)
            scores.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        let n = indices.count
        while true {
            let left = 2 * parent + 1, right = left + 1
            var worst = parent
            if left < n && Self.worse(scores[left], indices[left], scores[worst], indices[worst]) { worst = left }
            if right < n && Self.worse(scores[right], indices[right], scores[worst], indices[worst]) { worst = right }
            if worst == parent { return }
            indices.swapAt(parent, worst)
            scores.swapAt(parent, worst)
            parent = worst
        }
    }
}
