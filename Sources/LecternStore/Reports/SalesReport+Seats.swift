internal import LecternSQLite

extension ReportFilter {
    /// Whether `report sales` shows seat revenue: seats are bought by an organisation, for no course,
    /// domain or creator and by no learner, so a filter on any of those leaves them out.
    var countsSeatSales: Bool { domain == nil && creatorID == nil && channel == nil && segment == nil }

    /// Whether `report creators` gives creators their part of the seat revenue. `--creator` keeps it: the
    /// split is made over every creator all the same, so a creator's row reads as in the full report.
    var countsSeatPayouts: Bool { domain == nil && channel == nil && segment == nil }
}

/// Seat revenue: what organisations paid for seats, in `report sales` as a line of its own and in
/// `report creators` split among creators by consumption.
extension SalesReport {
    /// Seat purchases at or after ?1 and before ?2 (`org_seat_purchases_by_time`).
    static let seatPurchases = """
        SELECT occurred_at, currency, amount_minor FROM org_seat_purchases WHERE occurred_at >= ?1 AND occurred_at < ?2
        """
    /// Each organisation's seat revenue per currency at or after ?1 and before ?2.
    static let seatPools = """
        SELECT org_id, currency, sum(amount_minor) FROM org_seat_purchases WHERE occurred_at >= ?1 AND occurred_at < ?2
        GROUP BY org_id, currency ORDER BY org_id, currency
        """
    /// Each organisation's consumption per creator at or after ?1 and before ?2: the (member, course) pairs
    /// its members enrolled in, plus those they completed, from the time they joined (a pair enrolled
    /// twice counts once). Seeks in `interactions_by_user` for each member.
    /// On PostgreSQL `greatest` is the two-argument `max`, and the subquery needs a name.
    static let seatWeights = EngineSQL(sqlite: """
        SELECT org_id, creator_id, count(*) FROM (
            SELECT DISTINCT m.org_id, c.creator_id, i.user_id, i.course_id, i.kind
            FROM org_members m JOIN interactions i ON i.user_id = m.user_id JOIN courses c ON c.id = i.course_id
            WHERE i.kind IN ('enroll', 'complete') AND i.occurred_at >= max(?1, m.joined_at) AND i.occurred_at < ?2)
        GROUP BY org_id, creator_id ORDER BY org_id, creator_id
        """, postgres: """
        SELECT org_id, creator_id, count(*) FROM (
            SELECT DISTINCT m.org_id, c.creator_id, i.user_id, i.course_id, i.kind
            FROM org_members m JOIN interactions i ON i.user_id = m.user_id JOIN courses c ON c.id = i.course_id
            WHERE i.kind IN ('enroll', 'complete') AND i.occurred_at >= greatest(?1, m.joined_at) AND i.occurred_at < ?2) AS pairs
        GROUP BY org_id, creator_id ORDER BY org_id, creator_id
        """)

    /// Calls `body` with every seat purchase in the filter's period, as a sale of one order of its amount.
    /// - Complexity: O(seat purchases in the period).
    func seatFigures(_ filter: ReportFilter, _ body: (Figures) -> Void) throws {
        try withStoreErrors {
            try db.each(Self.seatPurchases, [filter.since ?? .min, filter.until ?? .max]) { row in
                body(Figures(time: row.int64(0), slug: "", domain: "", creator: "", currency: row.text(1), orders: 1,
                             grossMinor: row.int64(2), refunds: 0, refundedMinor: 0, isSeats: true))
            }
        }
    }

    /// Seat revenue split among creators: each creator's part per currency, and what no one's consumption
    /// claimed, per currency.
    struct SeatSplit {
        var allocated: [CreatorCurrency: Int64] = [:]
        var unused: [String: Int64] = [:]
    }

    /// The seat revenue of the filter's period, split among creators the way enterprise plans pay by
    /// consumption (Udemy Business):
    ///
    /// - For each organisation and currency, the pool is its seat purchases in the period.
    /// - A creator's weight in that organisation is the (member, course) pairs on the creator's courses
    ///   that its members enrolled in in the period, plus the pairs they completed in it, counting only
    ///   events since the member joined (`seatWeights`). Membership is as it stands now.
    /// - The pool is split in proportion to the weights, to the minor unit, by largest remainder
    ///   (`split(_:weights:)`), so the parts add up to the pool exactly. A pool whose organisation's
    ///   members enrolled in or completed nothing in the period is `unused`: the platform keeps it.
    ///
    /// Each creator is then paid their revenue share of their part (`CreatorEarnings.payoutMinor`).
    /// - Complexity: O(members' events, through `interactions_by_user` + seat purchases in the period).
    func seatSplit(_ filter: ReportFilter) throws -> SeatSplit {
        let window: [any SQLBindable] = [filter.since ?? .min, filter.until ?? .max]
        return try withStoreErrors {
            var weights: [Int64: [(key: Int64, weight: Int64)]] = [:]
            for (org, creator, weight) in try db.all(Self.seatWeights, window, row: { ($0.int64(0), $0.int64(1), $0.int64(2)) }) {
                weights[org, default: []].append((creator, weight))
            }
            var split = SeatSplit()
            for (org, currency, amount) in try db.all(Self.seatPools, window, row: { ($0.int64(0), $0.text(1), $0.int64(2)) }) {
                guard let orgWeights = weights[org] else {
                    split.unused[currency, default: 0] += amount
                    continue
                }
                for (creator, part) in Self.split(amount, weights: orgWeights) {
                    split.allocated[CreatorCurrency(creatorID: creator, currency: currency), default: 0] += part
                }
            }
            return split
        }
    }

    /// `amount` (not negative) split in proportion to `weights` (each above 0), to the minor unit, by
    /// largest remainder (Hamilton's method): each key gets the floor of amount x weight / total weight,
    /// and the minor units left over go one each to the keys with the largest remainders, the smaller
    /// key first on a tie. The parts add up to `amount` exactly; the products are worked out in 128 bits.
    /// - Complexity: O(k log k) for k weights.
    static func split(_ amount: Int64, weights: [(key: Int64, weight: Int64)]) -> [Int64: Int64] {
        let total = weights.reduce(Int64(0)) { $0 + $1.weight }
        guard total > 0 else { return [:] }
        var parts: [Int64: Int64] = [:]
        var remainders: [(key: Int64, remainder: Int64)] = []
        for (key, weight) in weights {
            let (quotient, remainder) = total.dividingFullWidth(amount.multipliedFullWidth(by: weight))
            parts[key, default: 0] += quotient
            remainders.append((key, remainder))
        }
        let left = amount - parts.values.reduce(0, +)
        remainders.sort { ($1.remainder, $0.key) < ($0.remainder, $1.key) }
        for entry in remainders.prefix(Int(left)) { parts[entry.key, default: 0] += 1 }
        return parts
    }

    /// `earnings` (in the store's order: by creator name, then currency) with a row for each creator's
    /// seat revenue in a currency none of their courses is priced in, and, when `unused`, a row per
    /// currency of the seat revenue no creator was given.
    static func adding(_ seats: SeatSplit, to earnings: [CreatorEarnings], unused: Bool) -> [CreatorEarnings] {
        var missing = seats.allocated.filter { allocation in
            !earnings.contains { $0.creatorID == allocation.key.creatorID && $0.currency == allocation.key.currency }
        }
        var out: [CreatorEarnings] = []
        var index = 0
        while index < earnings.count {
            let creatorID = earnings[index].creatorID
            var group = Array(earnings[index...].prefix { $0.creatorID == creatorID })
            index += group.count
            let extra = missing.filter { $0.key.creatorID == creatorID }
            if !extra.isEmpty {
                let first = group[0]
                group.removeAll { $0.currency == nil }
                group += extra.map { CreatorEarnings(creatorID: creatorID, name: first.name, currency: $0.key.currency,
                                                     revenueShare: first.revenueShare, courses: 0, learners: 0, netMinor: 0,
                                                     seatRevenueMinor: $0.value) }
                group.sort { ($0.currency ?? "") < ($1.currency ?? "") }
                for key in extra.keys { missing.removeValue(forKey: key) }
            }
            out += group
        }
        guard unused else { return out }
        return out + seats.unused.sorted { $0.key < $1.key }.map { currency, amount in
            CreatorEarnings(creatorID: 0, name: "(unused seats)", currency: currency, revenueShare: 0, courses: 0, learners: 0,
                            netMinor: 0, seatRevenueMinor: amount, isUnusedSeats: true)
        }
    }
}
