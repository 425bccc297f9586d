internal import LecternSQLite

/// Learners who first bought in one domain and later bought in another.
public struct CrossoverRow: Sendable, Equatable {
    /// The domain of the learners' first purchase.
    public var from: String
    /// The domain they later bought in (never `from`).
    public var to: String
    /// Learners whose first purchase was in `from`.
    public var learners: Int
    /// Of those, learners who later bought in `to`.
    public var crossed: Int
    /// The median days from a learner's first purchase to their first in `to`.
    public var medianDays: Double?
    /// The net paid for their later purchases in `to`, per currency in currency order.
    public var net: [Money.Amount]
    /// The acquisition channels of the learners who crossed, most first (then by name), with their counts.
    public var channels: [ChannelCount]

    public var share: Double? { learners > 0 ? Double(crossed) / Double(learners) : nil }
}

/// A channel and how many learners it brought.
public struct ChannelCount: Sendable, Equatable {
    public var channel: String
    public var learners: Int

    public init(channel: String, learners: Int) {
        self.channel = channel
        self.learners = learners
    }
}

/// The domain x domain crossover (`lectern report crossover`).
public struct CrossoverResult: Sendable, Equatable {
    /// Every domain of a first purchase or a later one, by name.
    public var domains: [String]
    /// Learners whose first purchase was in each domain.
    public var starts: [String: Int]
    /// The (from, to) pairs someone crossed, by from then to.
    public var rows: [CrossoverRow]
}

/// Where learners go after their first purchase: the domain x domain crossover.
public struct CrossoverReport {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    init(_ db: Executor) {
        self.db = db
    }

    /// Purchases and refunds before ?1, from `interactions_money_by_time` (a partial index holding only
    /// them, every column covered): one pass, no table row read.
    static let money = """
        SELECT user_id, course_id, kind, occurred_at, value FROM interactions
        WHERE kind IN ('purchase', 'refund') AND occurred_at < ?1
        """
    static let channels = "SELECT id, channel FROM users WHERE anonymous = 0 AND (CAST(?1 AS TEXT) IS NULL OR channel = ?1)"

    struct PairKey: Hashable {
        var user: Int64
        var course: Int64
    }

    /// A learner's purchases of one course.
    struct Bought {
        var first = Int64.max
        var lastPurchase = Int64.min
        var lastRefund = Int64.min
        var net: Int64 = 0
    }

    /// The crossover of learners (not forgotten, of `filter.channel` when given) whose first purchase falls
    /// within `filter.since` and `filter.until`, counting their later purchases before `filter.until`. A
    /// purchase counts while it is not refunded (a purchase after the latest refund counts again); its
    /// net is what was paid less what was refunded. "Later" is strictly after the first purchase.
    /// - Complexity: one pass over the purchases and refunds (a partial index), O(learners) memory.
    public func crossover(_ filter: ReportFilter) throws -> CrossoverResult {
        try withStoreErrors {
            try db.readSnapshot {
                var channelOf: [Int64: String] = [:]
                for (id, channel) in try db.all(Self.channels, [filter.channel], row: { ($0.int64(0), $0.text(1)) }) {
                    channelOf[id] = channel
                }
                var pairs: [PairKey: Bought] = [:]
                try db.each(Self.money, [filter.until ?? Int64.max]) { row in
                    let user = row.int64(0)
                    guard channelOf[user] != nil else { return }
                    let at = row.int64(3), value = row.int64(4)
                    let key = PairKey(user: user, course: row.int64(1))
                    var bought = pairs[key] ?? Bought()
                    if row.text(2) == "purchase" {
                        bought.first = min(bought.first, at)
                        bought.lastPurchase = max(bought.lastPurchase, at)
                        bought.net += value
                    } else {
                        bought.lastRefund = max(bought.lastRefund, at)
                        bought.net -= value
                    }
                    pairs[key] = bought
                }
                let courses = Dictionary(uniqueKeysWithValues: try MarketingData(db).courses().map { ($0.id, $0) })
                return Self.tally(pairs, courses: courses, channelOf: channelOf, since: filter.since)
            }
        }
    }

    /// The rows from each learner's counted purchases.
    static func tally(_ pairs: [PairKey: Bought], courses: [Int64: MarketingCourse], channelOf: [Int64: String],
                      since: Int64?) -> CrossoverResult {
        var byLearner: [Int64: [(course: MarketingCourse, at: Int64, net: Int64)]] = [:]
        for (key, bought) in pairs where bought.first != .max && bought.lastPurchase > bought.lastRefund {
            guard let course = courses[key.course] else { continue }
            byLearner[key.user, default: []].append((course, bought.first, bought.net))
        }
        struct Flow: Hashable {
            var from: String
            var to: String
        }
        var starts: [String: Int] = [:], days: [Flow: [Double]] = [:], net: [Flow: [String: Int64]] = [:]
        var channels: [Flow: [String: Int]] = [:]
        for (user, purchases) in byLearner {
            let first = purchases.min { ($0.at, $0.course.id) < ($1.at, $1.course.id) }!
            if let since, first.at < since { continue }
            starts[first.course.domain, default: 0] += 1
            var firstIn: [String: Int64] = [:]
            for later in purchases where later.at > first.at && later.course.domain != first.course.domain {
                let flow = Flow(from: first.course.domain, to: later.course.domain)
                firstIn[later.course.domain] = min(firstIn[later.course.domain] ?? .max, later.at)
                net[flow, default: [:]][later.course.currency, default: 0] += later.net
            }
            for (domain, at) in firstIn {
                let flow = Flow(from: first.course.domain, to: domain)
                days[flow, default: []].append(Double(at - first.at) / 86_400)
                channels[flow, default: [:]][channelOf[user] ?? "", default: 0] += 1
            }
        }
        let rows = days.keys.sorted { ($0.from, $0.to) < ($1.from, $1.to) }.map { flow in
            CrossoverRow(from: flow.from, to: flow.to, learners: starts[flow.from] ?? 0, crossed: days[flow]!.count,
                         medianDays: OrgReport.median(days[flow]!),
                         net: (net[flow] ?? [:]).sorted { $0.key < $1.key }.map { Money.Amount(currency: $0.key, minor: $0.value) },
                         channels: (channels[flow] ?? [:]).map { ChannelCount(channel: $0.key, learners: $0.value) }
                             .sorted { ($1.learners, $0.channel) < ($0.learners, $1.channel) })
        }
        let domains = Set(starts.keys).union(rows.map(\.to)).sorted()
        return CrossoverResult(domains: domains, starts: starts, rows: rows)
    }
}
