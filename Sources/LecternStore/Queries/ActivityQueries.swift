import LecternSQLite

/// A course's sales in a period.
public struct CourseSales: Sendable, Equatable {
    public var slug: String
    public var title: String
    public var domain: String
    public var purchases: Int
    public var refunds: Int
    /// Paid minus refunded, in minor units.
    public var netRevenueMinor: Int64
}

/// A domain's size and activity.
public struct DomainActivity: Sendable, Equatable {
    public var domain: String
    public var courses: Int
    public var learners: Int
    public var purchases: Int
    public var netRevenueMinor: Int64
}

/// Read-only questions about activity that the CLI asks: counts, spend, best sellers.
public struct ActivityQueries {
    let db: Connection

    public init(_ db: Connection) {
        self.db = db
    }

    static let kindsOfCourse = "SELECT kind, count(*) FROM interactions WHERE course_id = ? GROUP BY kind"
    static let kindsOfUser = "SELECT kind, count(*) FROM interactions WHERE user_id = ? GROUP BY kind"
    static let spendOfUser = """
        SELECT coalesce(sum(CASE kind WHEN 'purchase' THEN value WHEN 'refund' THEN -value END), 0)
        FROM interactions WHERE user_id = ? AND kind IN ('purchase', 'refund')
        """
    static let topCourses = """
        SELECT c.slug, c.title, c.domain,
               sum(i.kind = 'purchase'), sum(i.kind = 'refund'),
               coalesce(sum(CASE i.kind WHEN 'purchase' THEN i.value WHEN 'refund' THEN -i.value END), 0) AS net
        FROM interactions i JOIN courses c ON c.id = i.course_id
        WHERE i.kind IN ('purchase', 'refund')
        GROUP BY c.id ORDER BY net DESC, c.slug LIMIT ?
        """
    static let domains = """
        SELECT c.domain, count(DISTINCT c.id),
               (SELECT count(DISTINCT i.user_id) FROM interactions i JOIN courses x ON x.id = i.course_id WHERE x.domain = c.domain),
               (SELECT count(*) FROM interactions i JOIN courses x ON x.id = i.course_id
                WHERE x.domain = c.domain AND i.kind = 'purchase'),
               (SELECT coalesce(sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END), 0)
                FROM interactions i JOIN courses x ON x.id = i.course_id
                WHERE x.domain = c.domain AND i.kind IN ('purchase', 'refund'))
        FROM courses c GROUP BY c.domain ORDER BY 5 DESC, c.domain
        """
    static let totals = """
        SELECT (SELECT count(*) FROM creators), (SELECT count(*) FROM courses),
               (SELECT count(*) FROM courses WHERE status = 'published'), (SELECT count(*) FROM users),
               (SELECT count(*) FROM interactions), (SELECT min(occurred_at) FROM interactions),
               (SELECT max(occurred_at) FROM interactions)
        """

    public func countsByKind(courseID: Int64) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try db.query(Self.kindsOfCourse, [courseID]) { ($0.text(0), $0.int64(1)) })
    }

    public func countsByKind(userID: Int64) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try db.query(Self.kindsOfUser, [userID]) { ($0.text(0), $0.int64(1)) })
    }

    /// What a learner paid, net of refunds, in minor units.
    public func netSpend(userID: Int64) throws -> Int64 {
        try db.scalarInt(Self.spendOfUser, [userID]) ?? 0
    }

    /// Best-selling courses by net revenue.
    public func topCourses(limit: Int) throws -> [CourseSales] {
        try db.query(Self.topCourses, [limit]) {
            CourseSales(slug: $0.text(0), title: $0.text(1), domain: $0.text(2), purchases: $0.int(3),
                        refunds: $0.int(4), netRevenueMinor: $0.int64(5))
        }
    }

    /// Every domain with its courses, learners, purchases and net revenue, by revenue.
    public func domains() throws -> [DomainActivity] {
        try db.query(Self.domains) {
            DomainActivity(domain: $0.text(0), courses: $0.int(1), learners: $0.int(2), purchases: $0.int(3),
                           netRevenueMinor: $0.int64(4))
        }
    }

    /// Counts of everything stored, and the time span of the activity.
    public func totals() throws -> (creators: Int, courses: Int, published: Int, users: Int, interactions: Int,
                                    first: Int64?, last: Int64?) {
        try db.queryFirst(Self.totals) {
            ($0.int(0), $0.int(1), $0.int(2), $0.int(3), $0.int(4), $0.optionalInt64(5), $0.optionalInt64(6))
        }!
    }
}
