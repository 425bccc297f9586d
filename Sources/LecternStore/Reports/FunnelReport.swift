internal import LecternSQLite

/// One row of the funnel: learner-course pairs reaching each step, and the median days between steps.
public struct FunnelRow: Sendable, Equatable {
    public var key: String
    public var viewed = 0
    /// Enrolled or bought (buying enrolls).
    public var enrolled = 0
    public var purchased = 0
    /// Of the purchased pairs, those refunded since (they still count as purchased: the learner did buy).
    public var refunded = 0
    public var completed = 0
    /// Median days view -> enroll, enroll -> purchase, purchase -> complete (nil when no pair has both).
    public var medianDays: [Double?] = [nil, nil, nil]

    /// The share of the previous step that reached each of enroll, purchase and complete.
    public var conversions: [Double?] {
        func rate(_ a: Int, _ b: Int) -> Double? { b > 0 ? Double(a) / Double(b) : nil }
        return [rate(enrolled, viewed), rate(purchased, enrolled), rate(completed, purchased)]
    }
}

/// Acquisition channels: who came, who became active and paying, and who bought in a second domain.
public struct ChannelRow: Sendable, Equatable {
    public var channel: String
    public var campaign: String
    public var acquired: Int
    public var activated: Int
    public var paying: Int
    /// The learners' net revenue per currency, in currency order (none when they bought nothing).
    public var net: [Money.Amount]
    /// Learners who bought in two or more domains.
    public var crossDomainBuyers: Int
    public var conversion: Double? { acquired > 0 ? Double(paying) / Double(acquired) : nil }
}

/// The view -> enroll -> purchase -> complete funnel and acquisition channels.
public struct FunnelReport {
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
        case course, domain, channel
    }

    /// First time each learner-course pair reached each step, with what reports group by.
    /// On PostgreSQL a boolean is taken as an integer, and the course's and learner's columns are
    /// grouped by too (SQLite reads them from any row of the group; they are the same in each).
    static let pairs = EngineSQL(sqlite: """
        SELECT c.slug, c.domain, u.channel,
               min(CASE WHEN i.kind = 'view' THEN i.occurred_at END),
               min(CASE WHEN i.kind IN ('enroll', 'purchase') THEN i.occurred_at END),
               min(CASE WHEN i.kind = 'purchase' THEN i.occurred_at END),
               min(CASE WHEN i.kind = 'complete' THEN i.occurred_at END),
               max(i.kind = 'refund')
        FROM interactions i JOIN courses c ON c.id = i.course_id JOIN users u ON u.id = i.user_id
        WHERE (CAST(?1 AS BIGINT) IS NULL OR i.occurred_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR i.occurred_at < ?2)
          AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4) AND (CAST(?5 AS TEXT) IS NULL OR u.channel = ?5)
          AND u.anonymous = 0 AND (CAST(?6 AS TEXT) IS NULL OR i.user_id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?6))
        GROUP BY i.user_id, i.course_id
        """, postgres: """
        SELECT c.slug, c.domain, u.channel,
               min(CASE WHEN i.kind = 'view' THEN i.occurred_at END),
               min(CASE WHEN i.kind IN ('enroll', 'purchase') THEN i.occurred_at END),
               min(CASE WHEN i.kind = 'purchase' THEN i.occurred_at END),
               min(CASE WHEN i.kind = 'complete' THEN i.occurred_at END),
               max((i.kind = 'refund')::int)
        FROM interactions i JOIN courses c ON c.id = i.course_id JOIN users u ON u.id = i.user_id
        WHERE (CAST(?1 AS BIGINT) IS NULL OR i.occurred_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR i.occurred_at < ?2)
          AND (CAST(?3 AS TEXT) IS NULL OR c.domain = ?3) AND (CAST(?4 AS BIGINT) IS NULL OR c.creator_id = ?4) AND (CAST(?5 AS TEXT) IS NULL OR u.channel = ?5)
          AND u.anonymous = 0 AND (CAST(?6 AS TEXT) IS NULL OR i.user_id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?6))
        GROUP BY i.user_id, i.course_id, c.slug, c.domain, u.channel
        """)
    /// On PostgreSQL booleans are summed as integers, and a learner without a campaign sorts first, as
    /// SQLite sorts NULL.
    static let channels = EngineSQL(sqlite: """
        SELECT u.channel, coalesce(u.campaign, ''), count(*),
               sum(EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = u.id)),
               sum(EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = u.id AND i.kind = 'purchase')),
               sum((SELECT count(DISTINCT c.domain) FROM interactions i JOIN courses c ON c.id = i.course_id
                    WHERE i.user_id = u.id AND i.kind = 'purchase'
                      AND NOT EXISTS (SELECT 1 FROM interactions r WHERE r.user_id = i.user_id
                                      AND r.course_id = i.course_id AND r.kind = 'refund')) >= 2)
        FROM users u
        WHERE (CAST(?1 AS BIGINT) IS NULL OR u.created_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR u.created_at < ?2) AND (CAST(?3 AS TEXT) IS NULL OR u.channel = ?3)
          AND u.anonymous = 0 AND (CAST(?4 AS TEXT) IS NULL OR u.id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?4))
        GROUP BY u.channel, u.campaign ORDER BY u.channel, u.campaign
        """, postgres: """
        SELECT u.channel, coalesce(u.campaign, ''), count(*),
               sum((EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = u.id))::int),
               sum((EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = u.id AND i.kind = 'purchase'))::int),
               sum(((SELECT count(DISTINCT c.domain) FROM interactions i JOIN courses c ON c.id = i.course_id
                    WHERE i.user_id = u.id AND i.kind = 'purchase'
                      AND NOT EXISTS (SELECT 1 FROM interactions r WHERE r.user_id = i.user_id
                                      AND r.course_id = i.course_id AND r.kind = 'refund')) >= 2)::int)
        FROM users u
        WHERE (CAST(?1 AS BIGINT) IS NULL OR u.created_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR u.created_at < ?2) AND (CAST(?3 AS TEXT) IS NULL OR u.channel = ?3)
          AND u.anonymous = 0 AND (CAST(?4 AS TEXT) IS NULL OR u.id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?4))
        GROUP BY u.channel, u.campaign ORDER BY u.channel, u.campaign NULLS FIRST
        """)
    /// Net revenue per channel, campaign and currency, of the learners `channels` counts.
    static let channelNet = """
        SELECT u.channel, coalesce(u.campaign, ''), c.currency, sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END)
        FROM users u JOIN interactions i ON i.user_id = u.id JOIN courses c ON c.id = i.course_id
        WHERE i.kind IN ('purchase', 'refund')
          AND (CAST(?1 AS BIGINT) IS NULL OR u.created_at >= ?1) AND (CAST(?2 AS BIGINT) IS NULL OR u.created_at < ?2) AND (CAST(?3 AS TEXT) IS NULL OR u.channel = ?3)
          AND u.anonymous = 0 AND (CAST(?4 AS TEXT) IS NULL OR u.id IN (SELECT us.user_id FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE s.name = ?4))
        GROUP BY u.channel, u.campaign, c.currency
        """

    /// The funnel grouped by course, domain or the learner's channel, and the total.
    public func funnel(_ filter: ReportFilter, by grouping: Grouping) throws -> (rows: [FunnelRow], total: FunnelRow) {
        try funnels(filter, by: [grouping])[grouping]!
    }

    /// The funnel under each of `groupings` (each with the same total), from one pass over the events:
    /// the HTML page shows it by domain and by channel, and each pass reads every learner-course pair.
    public func funnels(_ filter: ReportFilter, by groupings: Set<Grouping>) throws -> [Grouping: (rows: [FunnelRow], total: FunnelRow)] {
        var groups = Dictionary(uniqueKeysWithValues: groupings.map { ($0, FunnelGroups()) })
        var total = FunnelGroups()
        try withStoreErrors {
            try db.each(Self.pairs, [filter.since, filter.until, filter.domain, filter.creatorID, filter.channel, filter.segment]) { row in
                let times = (row.optionalInt64(3), row.optionalInt64(4), row.optionalInt64(5), row.optionalInt64(6))
                let refunded = row.int(7) == 1
                total.count("total", times, refunded: refunded)
                for grouping in groupings {
                    let key = grouping == .course ? row.text(0) : grouping == .domain ? row.text(1) : row.text(2)
                    groups[grouping]!.count(key, times, refunded: refunded)
                }
            }
        }
        let whole = total.sortedRows().first ?? FunnelRow(key: "total")
        return groups.mapValues { (rows: $0.sortedRows(), total: whole) }
    }

    /// Funnel rows by key, with the days between steps kept for their medians.
    struct FunnelGroups {
        var rows: [String: FunnelRow] = [:]
        var gaps: [String: [[Double]]] = [:]

        /// Counts one learner-course pair under `key`: the first view, enrolment, purchase and completion.
        mutating func count(_ key: String, _ times: (Int64?, Int64?, Int64?, Int64?), refunded: Bool) {
            // Mutated in place: a copy of a key's gaps taken out and stored back would copy its
            // arrays on every append, which made the funnel quadratic in pairs per key.
            Self.count(&rows[key, default: FunnelRow(key: key)], times, refunded: refunded)
            let steps = [times.0, times.1, times.2, times.3]
            for step in 0..<3 {
                if let a = steps[step], let b = steps[step + 1], b >= a {
                    gaps[key, default: [[], [], []]][step].append(Double(b - a) / 86_400)
                }
            }
        }

        static func count(_ row: inout FunnelRow, _ times: (Int64?, Int64?, Int64?, Int64?), refunded: Bool) {
            if times.0 != nil { row.viewed += 1 }
            if times.1 != nil { row.enrolled += 1 }
            if times.2 != nil { row.purchased += 1 }
            if times.3 != nil { row.completed += 1 }
            if times.2 != nil, refunded { row.refunded += 1 }
        }

        /// The rows by key, each with its median days between steps.
        func sortedRows() -> [FunnelRow] {
            var result = rows.values.sorted { $0.key < $1.key }
            for index in result.indices { result[index].medianDays = (gaps[result[index].key] ?? [[], [], []]).map(FunnelReport.median) }
            return result
        }
    }

    /// Learners by acquisition channel and campaign (signed up within the filter's dates), with their
    /// net revenue per currency.
    public func channels(_ filter: ReportFilter) throws -> [ChannelRow] {
        struct Key: Hashable {
            var channel: String
            var campaign: String
        }
        let arguments: [any SQLBindable] = [filter.since, filter.until, filter.channel, filter.segment]
        return try withStoreErrors {
            var net: [Key: [Money.Amount]] = [:]
            for (key, amount) in try db.all(Self.channelNet, arguments, row: { s in
                (Key(channel: s.text(0), campaign: s.text(1)), Money.Amount(currency: s.text(2), minor: s.int64(3)))
            }) { net[key, default: []].append(amount) }
            return try db.all(Self.channels, arguments) {
                ChannelRow(channel: $0.text(0), campaign: $0.text(1), acquired: $0.int(2), activated: $0.int(3), paying: $0.int(4),
                           net: (net[Key(channel: $0.text(0), campaign: $0.text(1))] ?? []).sorted { $0.currency < $1.currency },
                           crossDomainBuyers: $0.int(5))
            }
        }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
