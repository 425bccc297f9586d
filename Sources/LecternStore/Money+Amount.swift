extension Money {
    /// An amount in one currency: minor units and the course's three-letter currency code.
    ///
    /// Money is never converted: two currencies are never added, so anything that sums money keeps
    /// one amount per currency (a list of these, in currency order) rather than one number.
    public struct Amount: Sendable, Hashable {
        public var currency: String
        public var minor: Int64

        public init(currency: String, minor: Int64) {
            self.currency = currency
            self.minor = minor
        }
    }

    /// `amounts` with the amounts of one currency added together, in currency order; currencies
    /// whose amounts add to zero are kept (a sale and its refund still happened in that currency).
    /// - Complexity: O(n log n) for n amounts.
    public static func totals(_ amounts: some Sequence<Amount>) -> [Amount] {
        var sums: [String: Int64] = [:]
        for amount in amounts { sums[amount.currency] = add(sums[amount.currency] ?? 0, amount.minor) }
        return sums.map { Amount(currency: $0.key, minor: $0.value) }.sorted { $0.currency < $1.currency }
    }

    /// `a + b`, held at Int64's limits instead of trapping. With every stored amount at most
    /// `maxMinor` (10^12), a sum reaches a limit only past nine million sales at the largest price
    /// in one currency; reports that sum in SQL fail with an error there instead.
    public static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else { return sum }
        return b > 0 ? .max : .min
    }

    /// `minor / count` rounded half away from zero to a whole minor unit (0 when `count` is 0): an
    /// average in integer arithmetic, exact for every amount Lectern stores.
    public static func divide(_ minor: Int64, by count: Int64) -> Int64 {
        guard count > 0 else { return 0 }
        let quotient = minor.magnitude / count.magnitude, remainder = minor.magnitude % count.magnitude
        let rounded = Int64(quotient + (remainder * 2 >= count.magnitude ? 1 : 0))
        return minor < 0 ? -rounded : rounded
    }
}
