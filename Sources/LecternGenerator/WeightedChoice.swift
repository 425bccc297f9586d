/// Draws values (course or creator indices) from one of several lists, each value with a fixed weight.
///
/// Each list is an alias table (Vose, "A linear algorithm for generating random numbers with a given
/// distribution", IEEE TSE 1991), so a draw costs one random number and one read of a 12-byte slot, however
/// long the list. All lists share one flat array, which keeps draws free of reference counting.
struct WeightedChoice: Sendable {
    /// One column of an alias table: keep `value` below `threshold`, else take `alias`.
    private struct Slot {
        /// The probability, in units of 2^-32, of keeping the slot's own value.
        var threshold: UInt32
        /// The slot's own value.
        var value: Int32
        /// The value taken when the slot's own is not kept.
        var alias: Int32
    }

    private var slots: [Slot] = []
    private var starts: [Int] = [0]
    private var drawable: [Bool] = []

    /// Creates a choice with one list per element of `lists`, each a set of values and non-negative weights.
    ///
    /// - Complexity: O(*n*) in the total number of values.
    init(lists: [(values: [Int32], weights: [Double])]) {
        for list in lists { append(values: list.values, weights: list.weights) }
    }

    /// Adds a list and builds its alias table.
    ///
    /// - Complexity: O(*n*) in the length of the list.
    private mutating func append(values list: [Int32], weights: [Double]) {
        precondition(list.count == weights.count, "one weight per value")
        let count = list.count
        let total = weights.reduce(0) { $0 + max(0, $1) }
        var scaled = weights.map { total > 0 ? max(0, $0) * Double(count) / total : 0 }
        var threshold = [Double](repeating: 0, count: count)
        var alias = Array(0..<count)
        var small: [Int] = []
        var large: [Int] = []
        for index in 0..<count {
            if scaled[index] < 1 { small.append(index) } else { large.append(index) }
        }
        while !small.isEmpty && !large.isEmpty {
            let light = small.removeLast()
            let heavy = large.removeLast()
            threshold[light] = scaled[light]
            alias[light] = heavy
            scaled[heavy] += scaled[light] - 1
            if scaled[heavy] < 1 { small.append(heavy) } else { large.append(heavy) }
        }
        for index in large + small where total > 0 { threshold[index] = 1 }
        for index in 0..<count {
            let keep = threshold[index] >= 1 ? UInt32.max : UInt32((threshold[index] * 0x1.0p32).rounded(.down))
            slots.append(Slot(threshold: keep, value: list[index], alias: list[alias[index]]))
        }
        starts.append(slots.count)
        drawable.append(total > 0)
    }

    /// Whether list `list` has anything to draw.
    @inline(__always)
    func canDraw(from list: Int) -> Bool {
        drawable[list]
    }

    /// Draws a value of list `list`, which must be drawable.
    @inline(__always)
    func draw(from list: Int, _ random: inout RandomSource) -> Int32 {
        let start = starts[list]
        let count = starts[list + 1] - start
        let (high, low) = UInt64(count).multipliedFullWidth(by: random.next())
        let slot = slots[start + Int(truncatingIfNeeded: high)]
        return UInt32(truncatingIfNeeded: low >> 32) < slot.threshold ? slot.value : slot.alias
    }
}
