/// Things (courses, creators) taken together by the same people more often than chance: pairs, and
/// triples grown from them (apriori), with the noise guards of `Association.liftLowerBound`.
///
/// Counting walks each person's basket, never a things x things matrix: pairs are counted thing by
/// thing over an inverted index with one scratch row (`pairCounts`), so the cost grows with the sum of
/// squared basket sizes and the memory with the events. Baskets above `maxBasket` (a bot, a reseller, an
/// all-access account) are left out of everything, totals included, so they neither dominate the
/// counts nor cost the square of their size.
public enum CoOccurrence {
    /// The guards and the shape of a search.
    public struct Options: Sendable {
        /// The fewest people who took all of a set for it to be reported.
        public var minCount = 10
        /// Baskets with more things than this are left out.
        public var maxBasket = 200
        /// The z of the lift's lower bound; a set is reported only when the bound is above 1.
        public var z = Association.defaultZ
        /// Also grow triples from the pairs that passed the guards.
        public var triples = true

        public init(minCount: Int = 10, maxBasket: Int = 200, z: Double = Association.defaultZ, triples: Bool = true) {
            self.minCount = minCount
            self.maxBasket = maxBasket
            self.z = z
            self.triples = triples
        }
    }

    /// A pair or triple that passed the guards.
    public struct ItemSet: Sendable, Equatable {
        /// Its things, ascending.
        public var items: [Int32]
        /// The split its measures are for: for a pair, [a] and [b]; for a triple, the pair and the third
        /// thing of the split with the lowest bound (the weakest of its three rules).
        public var first: [Int32]
        public var second: [Int32]
        public var association: Association
        public var lowerBound: Double
    }

    /// What a search found, strongest first (by lower bound, then by count).
    public struct Result: Sendable {
        public var sets: [ItemSet]
        /// Baskets counted (the `total` of every association).
        public var baskets: Int
        /// Baskets left out for holding more than `maxBasket` things.
        public var oversized: Int
        /// People who took each thing, among the counted baskets.
        public var itemCounts: [Int]
    }

    /// The pairs and triples of things in `baskets` (each a list of thing indices below `itemCount`, in
    /// any order, duplicates ignored) that at least `minCount` took together and whose lift's lower bound
    /// is above 1.
    /// - Complexity: O(events + sum over baskets of size²) for pairs, plus, for triples, the cube of each
    ///   basket's things that sit in a passing pair. Memory O(events + itemCount + pairs counted ≥ minCount).
    public static func search(_ baskets: [[Int32]], itemCount: Int, options: Options = Options()) -> Result {
        let kept = baskets.map { Array(Set($0)).sorted() }.filter { $0.count <= options.maxBasket }
        var itemCounts = [Int](repeating: 0, count: itemCount)
        for basket in kept { for item in basket { itemCounts[Int(item)] += 1 } }
        let total = kept.count
        var pairs: [UInt64: Int] = [:]
        var sets: [ItemSet] = []
        for (a, b, count) in pairCounts(kept, itemCount: itemCount, minCount: options.minCount) {
            let association = Association(both: count, first: itemCounts[Int(a)], second: itemCounts[Int(b)], total: total)
            let bound = association.liftLowerBound(z: options.z)
            guard bound > 1 else { continue }
            pairs[key(a, b)] = count
            sets.append(ItemSet(items: [a, b], first: [a], second: [b], association: association, lowerBound: bound))
        }
        if options.triples, itemCount < 1 << 21 {
            sets += triples(kept, pairs: pairs, itemCounts: itemCounts, options: options)
        }
        sets.sort { x, y in
            if x.lowerBound != y.lowerBound { return x.lowerBound > y.lowerBound }
            if x.association.both != y.association.both { return x.association.both > y.association.both }
            return x.items.lexicographicallyPrecedes(y.items)
        }
        return Result(sets: sets, baskets: total, oversized: baskets.count - total, itemCounts: itemCounts)
    }

    /// A pair of things as one dictionary key.
    public static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(a)) << 32 | UInt64(UInt32(b)) }

    /// Every pair a < b taken together by at least `minCount` of `baskets` (each sorted, no duplicates),
    /// with its count: for each thing a, its takers' things above a are tallied in one scratch row.
    /// - Complexity: O(events + sum over baskets of size²) time, O(events + itemCount) memory.
    public static func pairCounts(_ baskets: [[Int32]], itemCount: Int, minCount: Int) -> [(Int32, Int32, Int)] {
        var takers = [[Int32]](repeating: [], count: itemCount)
        for (person, basket) in baskets.enumerated() { for item in basket { takers[Int(item)].append(Int32(person)) } }
        var scratch = [Int](repeating: 0, count: itemCount)
        var touched: [Int32] = []
        var found: [(Int32, Int32, Int)] = []
        for a in 0..<itemCount {
            for person in takers[a] {
                let basket = baskets[Int(person)]
                var index = basket.count - 1
                while index >= 0, basket[index] > Int32(a) {
                    let b = Int(basket[index])
                    if scratch[b] == 0 { touched.append(Int32(b)) }
                    scratch[b] += 1
                    index -= 1
                }
            }
            for b in touched {
                if scratch[Int(b)] >= minCount { found.append((Int32(a), b, scratch[Int(b)])) }
                scratch[Int(b)] = 0
            }
            touched.removeAll(keepingCapacity: true)
        }
        return found.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
    }

    /// Triples all of whose three pairs passed (`pairs`, by `key`), counted over the baskets, and kept when
    /// at least `minCount` took all three and every split (pair -> third thing) has a lower bound above 1;
    /// each is measured on its weakest split.
    static func triples(_ baskets: [[Int32]], pairs: [UInt64: Int], itemCounts: [Int], options: Options) -> [ItemSet] {
        guard !pairs.isEmpty else { return [] }
        var inPair = [Bool](repeating: false, count: itemCounts.count)
        for pair in pairs.keys {
            inPair[Int(pair >> 32)] = true
            inPair[Int(pair & 0xFFFF_FFFF)] = true
        }
        var counts: [UInt64: Int] = [:]
        for basket in baskets {
            let some = basket.filter { inPair[Int($0)] }
            guard some.count >= 3 else { continue }
            for i in 0..<(some.count - 2) {
                for j in (i + 1)..<(some.count - 1) where pairs[key(some[i], some[j])] != nil {
                    for k in (j + 1)..<some.count where pairs[key(some[i], some[k])] != nil && pairs[key(some[j], some[k])] != nil {
                        counts[UInt64(UInt32(some[i])) << 42 | UInt64(UInt32(some[j])) << 21 | UInt64(UInt32(some[k])), default: 0] += 1
                    }
                }
            }
        }
        var found: [ItemSet] = []
        for (packed, count) in counts where count >= options.minCount {
            let items = [Int32(packed >> 42), Int32((packed >> 21) & 0x1F_FFFF), Int32(packed & 0x1F_FFFF)]
            let splits = (0..<3).map { third -> ItemSet in
                let rest = items.enumerated().filter { $0.offset != third }.map(\.element)
                let association = Association(both: count, first: pairs[key(rest[0], rest[1])]!,
                                              second: itemCounts[Int(items[third])], total: baskets.count)
                return ItemSet(items: items, first: rest, second: [items[third]], association: association,
                               lowerBound: association.liftLowerBound(z: options.z))
            }
            let weakest = splits.min { $0.lowerBound < $1.lowerBound }!
            if weakest.lowerBound > 1 { found.append(weakest) }
        }
        return found
    }
}
