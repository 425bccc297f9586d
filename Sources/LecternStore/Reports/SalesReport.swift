import LecternSQLite

/// Which money events a report counts.
public struct ReportFilter: Sendable, Equatable {
    /// From this time on (Unix seconds, inclusive).
    public var since: Int64?
    /// Before this time (exclusive).
    public var until: Int64?
    public var domain: String?
    public var creatorID: Int64?
    /// Acquisition channel of the learner.
    public var channel: String?
    /// Only learners in this segment (by name, from `lectern segments build`).
    public var segment: String?

    public init(since: Int64? = nil, until: Int64? = nil, domain: String? = nil, creatorID: Int64? = nil, channel: String? = nil,
                segment: String? = nil) {
        self.segment = segment
        self.since = since
        self.until = until
        self.domain = domain
        self.creatorID = creatorID
        self.channel = channel
    }
}

/// One row of the sales report: a period, course, domain or creator, with exact money in minor units.
public struct SalesRow: Sendable, Equatable {
    public var key: String
    public var orders: Int
    public var grossMinor: Int64
    public var refunds: Int
    public var refundedMinor: Int64
    public var netMinor: Int64 { grossMinor - refundedMinor }
    /// Gross divided by orders, rounded to the nearest minor unit (0 without orders).
    public var averagePriceMinor: Int64 { orders > 0 ? (grossMinor + Int64(orders) / 2) / Int64(orders) : 0 }
}

/// A creator's earnings: their share of net revenue and the platform's part, to the cent.
public struct CreatorEarnings: Sendable, Equatable {
    public var creatorID: Int64
    public var name: String
    public var revenueShare: Double
    public var courses: Int
    public var learners: Int
    public var netMinor: Int64
    /// net x share, rounded half away from zero to a whole minor unit.
    public var payoutMinor: Int64 { Int64((Double(netMinor) * revenueShare).rounded(.toNearestOrAwayFromZero)) }
    /// What the platform keeps; payout + platform = net exactly.
    public var platformMinor: Int64 { netMinor - payoutMinor }
}

/// Sales and creator payouts, computed in SQL with integer money.
public struct SalesReport {
    let db: Connection

    public init(_ db: Connection) {
        self.db = db
    }

    public enum Grouping: String, Sendable, CaseIterable {
        case day, week, month, course, domain, creator
    }

    /// The money events (purchases and refunds) that pass `filter`, with what reports group by.
    static let moneyEvents = """
        SELECT i.kind, i.value, i.occurred_at, c.slug, c.domain, c.creator_id, cr.name, i.user_id
        FROM interactions i JOIN courses c ON c.id = i.course_id JOIN creators cr ON cr.id = c.creator_id
        JOIN users u ON u.id = i.user_id
        WHERE i.kind IN ('purchase', 'refund')
          AND (?1 IS NULL OR i.occurred_at >= ?1) AND (?2 IS NULL OR i.occurred_at < ?2)
          AND (?3 IS NULL OR c.domain = ?3) AND (?4 IS NULL OR c.creator_id = ?4) AND (?5 IS NULL OR u.channel = ?5)
          AND (?6 IS NULL OR i.user_id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?6))
        """
    static let creators = """
        SELECT cr.id, cr.name, cr.revenue_share, (SELECT count(*) FROM courses c WHERE c.creator_id = cr.id)
        FROM creators cr WHERE (?1 IS NULL OR cr.id = ?1) ORDER BY cr.name
        """

    private func events(_ filter: ReportFilter, _ body: (Statement) throws -> Void) throws {
        try withStoreErrors {
            let statement = try db.cached(Self.moneyEvents)
            try statement.bind([filter.since, filter.until, filter.domain, filter.creatorID, filter.channel, filter.segment])
            defer { statement.reset() }
            while try statement.step() { try body(statement) }
        }
    }

    /// Sales grouped by `grouping`, in key order, and the totals.
    public func sales(_ filter: ReportFilter, by grouping: Grouping) throws -> (rows: [SalesRow], total: SalesRow) {
        var rows: [String: SalesRow] = [:]
        var total = SalesRow(key: "total", orders: 0, grossMinor: 0, refunds: 0, refundedMinor: 0)
        try events(filter) { s in
            let key: String
            switch grouping {
            case .day: key = Timestamp.formatDate(s.int64(2))
            case .week: key = Self.isoWeek(s.int64(2))
            case .month: key = String(Timestamp.formatDate(s.int64(2)).prefix(7))
            case .course: key = s.text(3)
            case .domain: key = s.text(4)
            case .creator: key = s.text(6)
            }
            var row = rows[key] ?? SalesRow(key: key, orders: 0, grossMinor: 0, refunds: 0, refundedMinor: 0)
            let value = s.int64(1)
            if s.text(0) == "purchase" {
                row.orders += 1; row.grossMinor += value
                total.orders += 1; total.grossMinor += value
            } else {
                row.refunds += 1; row.refundedMinor += value
                total.refunds += 1; total.refundedMinor += value
            }
            rows[key] = row
        }
        return (rows.values.sorted { $0.key < $1.key }, total)
    }

    /// Every creator's net revenue, payout and the platform's part (creators without sales included).
    public func creators(_ filter: ReportFilter) throws -> [CreatorEarnings] {
        var net: [Int64: Int64] = [:]
        var learners: [Int64: Set<Int64>] = [:]
        try events(filter) { s in
            let creator = s.int64(5)
            net[creator, default: 0] += s.text(0) == "purchase" ? s.int64(1) : -s.int64(1)
            if s.text(0) == "purchase" { learners[creator, default: []].insert(s.int64(7)) }
        }
        return try withStoreErrors {
            try db.query(Self.creators, [filter.creatorID]) { s in
                CreatorEarnings(creatorID: s.int64(0), name: s.text(1), revenueShare: s.double(2), courses: s.int(3),
                                learners: learners[s.int64(0)]?.count ?? 0, netMinor: net[s.int64(0)] ?? 0)
            }
        }
    }

    /// ISO 8601 week of a time, as `2025-W09`.
    static func isoWeek(_ seconds: Int64) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let weekday = Int((days + 3) % 7 + 7) % 7          // Monday = 0 (1970-01-01 was a Thursday)
        let thursday = days - Int64(weekday) + 3
        let year = Int(Timestamp.formatDate(thursday * 86_400).prefix(4))!
        let january1 = Timestamp.daysFromCivil(year: year, month: 1, day: 1)
        let week = Int((thursday - january1) / 7) + 1
        return "\(year)-W\(week < 10 ? "0" : "")\(week)"
    }
}
