internal import LecternSQLite
import LecternCore

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

/// One row of the sales report: a period, course, domain or creator in one currency, with exact money
/// in that currency's minor units. A key with sales in two currencies has two rows; nothing adds them.
/// Seat revenue (organisations' seat purchases) has rows of its own, marked `isSeats`.
public struct SalesRow: Sendable, Equatable {
    public var key: String
    /// The currency of the courses sold (`courses.currency`).
    public var currency: String
    public var orders: Int
    public var grossMinor: Int64
    public var refunds: Int
    public var refundedMinor: Int64
    /// Seat purchases, not course sales: `orders` counts purchases of seats (each of one or more seats).
    public var isSeats = false
    public var netMinor: Int64 { grossMinor - refundedMinor }
    /// Gross divided by orders, rounded to the nearest minor unit (0 without orders).
    public var averagePriceMinor: Int64 { orders > 0 ? (grossMinor + Int64(orders) / 2) / Int64(orders) : 0 }
}

/// A creator's earnings in one currency: their share of net revenue and of seat revenue, and the
/// platform's part, to the cent.
public struct CreatorEarnings: Sendable, Equatable {
    public var creatorID: Int64
    public var name: String
    /// The currency of these courses and this money; nil for a creator without courses (and so without money).
    public var currency: String?
    public var revenueShare: Double
    /// The creator's courses priced in `currency`.
    public var courses: Int
    /// Distinct learners who bought these courses.
    public var learners: Int
    public var netMinor: Int64
    /// The creator's part of the seat revenue in `currency`, split by their members' consumption
    /// (`SalesReport.seatSplit`); 0 without seats.
    public var seatRevenueMinor: Int64 = 0
    /// The row of seat revenue no member's consumption claimed (`creatorID` 0): it stays with the platform.
    public var isUnusedSeats = false
    /// What the payout is a share of: net revenue plus seat revenue.
    public var earnedMinor: Int64 { netMinor + seatRevenueMinor }
    /// (net + seat revenue) x share, rounded half away from zero to a whole minor unit.
    public var payoutMinor: Int64 {
        let payout = (Double(earnedMinor) * revenueShare).rounded(.toNearestOrAwayFromZero)
        return Int64(exactly: payout) ?? (payout > 0 ? .max : .min)  // never a trap, even at Int64's edge
    }
    /// What the platform keeps; payout + platform = net + seat revenue exactly.
    public var platformMinor: Int64 { earnedMinor - payoutMinor }
}

/// Sales and creator payouts, computed in SQL with integer money.
public struct SalesReport {
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

    public enum Grouping: String, Sendable, CaseIterable {
        case day, week, month, course, domain, creator

        /// Day, week or month.
        public var isPeriod: Bool { self == .day || self == .week || self == .month }
    }

    /// The money events (purchases and refunds) at or after ?1 and before ?2 that pass the other filters,
    /// with what reports group by. Read through the partial index `interactions_money_by_time`, which
    /// covers every column of `i` used here, so only money events are read, in time order.
    static let moneyEvents = """
        SELECT i.kind, i.value, i.occurred_at, c.slug, c.domain, c.creator_id, cr.name, i.user_id, c.currency
        FROM interactions i JOIN courses c ON c.id = i.course_id JOIN creators cr ON cr.id = c.creator_id
        JOIN users u ON u.id = i.user_id
        WHERE i.kind IN ('purchase', 'refund') AND i.occurred_at >= ?1 AND i.occurred_at < ?2
          AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4) AND (CAST(?5 AS TEXT) IS NULL OR u.channel = ?5)
          AND (CAST(?6 AS TEXT) IS NULL OR i.user_id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?6))
        """
    /// The money events above the rollup's watermark (?7), between ?1 and ?2: a rowid range scan (NOT INDEXED
    /// keeps the planner off the time index, which would read every money event of the period).
    /// PostgreSQL has no NOT INDEXED; its planner weighs the id range against the time range itself.
    static let moneyEventsAfter = EngineSQL(sqlite: """
        SELECT i.kind, i.value, i.occurred_at, c.slug, c.domain, c.creator_id, cr.name, i.user_id, c.currency
        FROM interactions i NOT INDEXED JOIN courses c ON c.id = i.course_id JOIN creators cr ON cr.id = c.creator_id
        JOIN users u ON u.id = i.user_id
        WHERE i.id > ?7 AND i.kind IN ('purchase', 'refund') AND i.occurred_at >= ?1 AND i.occurred_at < ?2
          AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4) AND (CAST(?5 AS TEXT) IS NULL OR u.channel = ?5)
          AND (CAST(?6 AS TEXT) IS NULL OR i.user_id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?6))
        """, postgres: """
        SELECT i.kind, i.value, i.occurred_at, c.slug, c.domain, c.creator_id, cr.name, i.user_id, c.currency
        FROM interactions i JOIN courses c ON c.id = i.course_id JOIN creators cr ON cr.id = c.creator_id
        JOIN users u ON u.id = i.user_id
        WHERE i.id > ?7 AND i.kind IN ('purchase', 'refund') AND i.occurred_at >= ?1 AND i.occurred_at < ?2
          AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4) AND (CAST(?5 AS TEXT) IS NULL OR u.channel = ?5)
          AND (CAST(?6 AS TEXT) IS NULL OR i.user_id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?6))
        """)
    /// The rollup's (day, course) rows for days ?1 <= day < ?2, with what reports group by.
    static let dailySales = """
        SELECT d.day * 86400, c.slug, c.domain, cr.name, d.orders, d.gross_minor, d.refunds, d.refunded_minor, c.currency
        FROM daily_course_sales d JOIN courses c ON c.id = d.course_id JOIN creators cr ON cr.id = c.creator_id
        WHERE d.day >= ?1 AND d.day < ?2 AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4)
        """
    /// Every creator with their courses per currency (one row with a NULL currency for a creator without courses).
    static let creators = """
        SELECT cr.id, cr.name, cr.revenue_share, c.currency, count(c.id)
        FROM creators cr LEFT JOIN courses c ON c.creator_id = cr.id
        WHERE (CAST(?1 AS BIGINT) IS NULL OR cr.id = ?1) GROUP BY cr.id, c.currency ORDER BY cr.name, cr.id, c.currency
        """

    /// Calls `body` with every raw money event in [from, until) that passes `filter`'s other conditions,
    /// only those above `watermark` when it is given.
    private func events(_ filter: ReportFilter, from: Int64, until: Int64, above watermark: Int64? = nil,
                        _ body: (Row) throws -> Void) throws {
        guard from < until else { return }
        try withStoreErrors {
            var arguments: [any SQLBindable] = [from, until, filter.domain, filter.creatorID, filter.channel, filter.segment]
            if let watermark {
                arguments.append(watermark)
                try db.each(Self.moneyEventsAfter, arguments, body)
            } else {
                try db.each(Self.moneyEvents, arguments, body)
            }
        }
    }

    /// Purchases and refunds of one day (rollup) or one event (raw), with what sales group by.
    struct Figures {
        var time: Int64
        var slug: String
        var domain: String
        var creator: String
        var currency: String
        var orders: Int
        var grossMinor: Int64
        var refunds: Int
        var refundedMinor: Int64
        var isSeats = false
    }

    /// Every purchase and refund that passes `filter`, as rollup rows for whole UTC days and raw events
    /// for the rest: the partial days at either end of the period, and the events above the watermark.
    /// A filter on learners (channel, segment) reads every event raw, as the rollup is per course.
    /// - Complexity: O(rollup rows in the period + events in the partial days + events above the watermark).
    private func figures(_ filter: ReportFilter, _ body: (Figures) -> Void) throws {
        let since = filter.since ?? .min, until = filter.until ?? .max
        func raw(from: Int64, until: Int64, above watermark: Int64? = nil) throws {
            try events(filter, from: from, until: until, above: watermark) { s in
                let purchase = s.text(0) == "purchase", value = s.int64(1)
                body(Figures(time: s.int64(2), slug: s.text(3), domain: s.text(4), creator: s.text(6), currency: s.text(8),
                             orders: purchase ? 1 : 0, grossMinor: purchase ? value : 0,
                             refunds: purchase ? 0 : 1, refundedMinor: purchase ? 0 : value))
            }
        }
        // Whole days: [firstDay, endDay) in days since 1970, floored, all inside [since, until).
        let firstDay = since == .min ? Int64.min / 86_400 : Self.floorDay(since) + (since % 86_400 == 0 ? 0 : 1)
        let endDay = until == .max ? Int64.max / 86_400 : Self.floorDay(until)
        guard filter.channel == nil, filter.segment == nil, firstDay < endDay else {
            return try raw(from: since, until: until)
        }
        try withStoreErrors {
            try db.readSnapshot {
                let watermark = try ReportRollups(db).watermark()
                try db.each(Self.dailySales, [firstDay, endDay, filter.domain, filter.creatorID]) { row in
                    body(Figures(time: row.int64(0), slug: row.text(1), domain: row.text(2),
                                 creator: row.text(3), currency: row.text(8), orders: row.int(4), grossMinor: row.int64(5),
                                 refunds: row.int(6), refundedMinor: row.int64(7)))
                }
                let wholeFrom = since == .min ? Int64.min : firstDay * 86_400
                let wholeUntil = until == .max ? Int64.max : endDay * 86_400
                try raw(from: since, until: wholeFrom)
                try raw(from: wholeFrom, until: wholeUntil, above: watermark)
                try raw(from: wholeUntil, until: until)
            }
        }
    }

    /// Days since 1970-01-01 (UTC) of a time, floored.
    static func floorDay(_ seconds: Int64) -> Int64 {
        UTCCalendar.day(of: seconds)
    }

    /// Sales grouped by `grouping` and currency, in key then currency order, and one total per currency
    /// (in currency order; none without sales). Money in two currencies is never added.
    ///
    /// Seat purchases in the period are rows of their own (`isSeats`), one per key and currency: keyed
    /// `2025-03 (seats)` by day, week or month, right after the period's course sales, and `(seats)` by
    /// course, domain or creator, after every course row. Seats are bought for no course, domain or
    /// creator and by no learner, so a filter on any of those leaves them out (`countsSeatSales`).
    /// - Complexity: O(rollup rows and raw events read, see `figures`, + seat purchases in the period).
    public func sales(_ filter: ReportFilter, by grouping: Grouping) throws -> (rows: [SalesRow], totals: [SalesRow]) {
        struct Key: Hashable {
            var key: String
            var currency: String
            var isSeats: Bool
        }
        var rows: [Key: SalesRow] = [:]
        var totals: [String: SalesRow] = [:]
        var periods = PeriodKeys(grouping: grouping)
        func add(_ f: Figures, to row: inout SalesRow) {
            row.orders += f.orders; row.grossMinor = Money.add(row.grossMinor, f.grossMinor)
            row.refunds += f.refunds; row.refundedMinor = Money.add(row.refundedMinor, f.refundedMinor)
        }
        func record(_ f: Figures) {
            let base: String
            switch grouping {
            case .day, .week, .month: base = periods.key(f.time)
            case .course: base = f.slug
            case .domain: base = f.domain
            case .creator: base = f.creator
            }
            let key = !f.isSeats ? base : grouping.isPeriod ? base + " (seats)" : "(seats)"
            add(f, to: &rows[Key(key: key, currency: f.currency, isSeats: f.isSeats),
                             default: SalesRow(key: key, currency: f.currency, orders: 0, grossMinor: 0, refunds: 0, refundedMinor: 0,
                                               isSeats: f.isSeats)])
            add(f, to: &totals[f.currency,
                               default: SalesRow(key: "total", currency: f.currency, orders: 0, grossMinor: 0, refunds: 0, refundedMinor: 0)])
        }
        try figures(filter, record)
        if filter.countsSeatSales { try seatFigures(filter, record) }
        // By period a seat row follows its period's rows ("2025-03" < "2025-03 (seats)"); else all come last.
        let order = { (row: SalesRow) in (grouping.isPeriod || !row.isSeats ? 0 : 1, row.key, row.currency) }
        return (rows.values.sorted { order($0) < order($1) }, totals.values.sorted { $0.currency < $1.currency })
    }

    /// The key of a time's day, ISO week or month, worked out once per day.
    private struct PeriodKeys {
        let grouping: Grouping
        var known: [Int64: String] = [:]

        mutating func key(_ time: Int64) -> String {
            let day = SalesReport.floorDay(time)
            if let key = known[day] { return key }
            let key = grouping == .day ? Timestamp.formatDate(time)
                : grouping == .week ? SalesReport.isoWeek(time) : String(Timestamp.formatDate(time).prefix(7))
            known[day] = key
            return key
        }
    }

    /// A creator's money in one currency.
    struct CreatorCurrency: Hashable {
        var creatorID: Int64
        var currency: String
    }

    /// Every creator's net revenue, seat revenue, payout and the platform's part, one row per currency of
    /// their courses or of the seat revenue they were given (creators without sales included, with zeros;
    /// a creator without courses has one row without a currency), then, without `--creator`, a row per
    /// currency of seat revenue no member's consumption claimed (`isUnusedSeats`). Paying learners are
    /// distinct per creator and currency, so this reads the money events themselves, through their
    /// covering index, rather than the daily rollup. Seat revenue is split as `seatSplit` says.
    /// - Complexity: O(money events in the period + courses + members' enrolments and completions in the
    ///   period + seat purchases).
    public func creators(_ filter: ReportFilter) throws -> [CreatorEarnings] {
        var net: [CreatorCurrency: Int64] = [:]
        var learners: [CreatorCurrency: Set<Int64>] = [:]
        try events(filter, from: filter.since ?? .min, until: filter.until ?? .max) { s in
            let key = CreatorCurrency(creatorID: s.int64(5), currency: s.text(8))
            net[key, default: 0] += s.text(0) == "purchase" ? s.int64(1) : -s.int64(1)
            if s.text(0) == "purchase" { learners[key, default: []].insert(s.int64(7)) }
        }
        let seats = filter.countsSeatPayouts ? try seatSplit(filter) : SeatSplit()
        let earnings = try withStoreErrors {
            try db.all(Self.creators, [filter.creatorID]) { s in
                let currency = s.optionalText(3)
                let key = currency.map { CreatorCurrency(creatorID: s.int64(0), currency: $0) }
                return CreatorEarnings(creatorID: s.int64(0), name: s.text(1), currency: currency, revenueShare: s.double(2),
                                       courses: s.int(4), learners: key.flatMap { learners[$0]?.count } ?? 0,
                                       netMinor: key.flatMap { net[$0] } ?? 0, seatRevenueMinor: key.flatMap { seats.allocated[$0] } ?? 0)
            }
        }
        return Self.adding(seats, to: earnings, unused: filter.creatorID == nil)
    }

    /// ISO 8601 week of a time, as `2025-W09`.
    static func isoWeek(_ seconds: Int64) -> String {
        let days = UTCCalendar.day(of: seconds)
        let weekday = Int((days + 3) % 7 + 7) % 7          // Monday = 0 (1970-01-01 was a Thursday)
        let thursday = days - Int64(weekday) + 3
        let year = Int(Timestamp.formatDate(thursday * 86_400).prefix(4))!
        let january1 = UTCCalendar.daysSinceEpoch(year: Int64(year), month: 1, day: 1)
        let week = Int((thursday - january1) / 7) + 1
        return "\(year)-W\(week < 10 ? "0" : "")\(week)"
    }
}
