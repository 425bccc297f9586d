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
        for amount in amounts { sums[amount.currency, default: 0] += amount.minor }
        return sums.map { Amount(currency: $0.key, minor: $0.value) }.sorted { $0.currency < $1.currency }
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
