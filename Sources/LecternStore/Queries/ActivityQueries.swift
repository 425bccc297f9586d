internal import LecternSQLite

/// A course's sales in a period.
public struct CourseSales: Sendable, Equatable {
    public var slug: String
    public var title: String
    public var domain: String
    /// The course's currency, which its revenue is in.
    public var currency: String
    public var purchases: Int
    public var refunds: Int
    /// Paid minus refunded, in minor units.
    public var netRevenueMinor: Int64
}

/// A domain's size and activity among its courses in one currency.
public struct DomainActivity: Sendable, Equatable {
    public var domain: String
    public var currency: String
    /// Courses of the domain priced in `currency`; learners and purchases are of those courses.
    public var courses: Int
    public var learners: Int
    public var purchases: Int
    public var netRevenueMinor: Int64
}

/// Read-only questions about activity that the CLI asks: counts, spend, best sellers.
public struct ActivityQueries {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let kindsOfCourse = "SELECT kind, count(*) FROM interactions WHERE course_id = ? GROUP BY kind"
    static let kindsOfUser = "SELECT kind, count(*) FROM interactions WHERE user_id = ? GROUP BY kind"
    static let spendOfUser = """
        SELECT c.currency, sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END)
        FROM interactions i JOIN courses c ON c.id = i.course_id
        WHERE i.user_id = ? AND i.kind IN ('purchase', 'refund')
        GROUP BY c.currency ORDER BY c.currency
        """
    /// The best sellers of each currency: revenue in two currencies is not compared.
    static let topCourses = EngineSQL(sqlite: """
        WITH sales AS (
            SELECT c.slug, c.title, c.domain, c.currency,
                   sum(i.kind = 'purchase') AS purchases, sum(i.kind = 'refund') AS refunds,
                   sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END) AS net
            FROM interactions i JOIN courses c ON c.id = i.course_id
            WHERE i.kind IN ('purchase', 'refund')
            GROUP BY c.id
        ),
        ranked AS (
            SELECT *, row_number() OVER (PARTITION BY currency ORDER BY net DESC, slug) AS place FROM sales
        )
        SELECT slug, title, domain, currency, purchases, refunds, net FROM ranked WHERE place <= ?
        ORDER BY currency, place
        """, postgresReplacing: [
            "sum(i.kind = 'purchase') AS purchases": "sum((i.kind = 'purchase')::int) AS purchases",
            "sum(i.kind = 'refund') AS refunds": "sum((i.kind = 'refund')::int) AS refunds",
        ])
    static let domains = """
        SELECT c.domain, c.currency, count(DISTINCT c.id),
               (SELECT count(DISTINCT i.user_id) FROM interactions i JOIN courses x ON x.id = i.course_id
                WHERE x.domain = c.domain AND x.currency = c.currency),
               (SELECT count(*) FROM interactions i JOIN courses x ON x.id = i.course_id
                WHERE x.domain = c.domain AND x.currency = c.currency AND i.kind = 'purchase'),
               (SELECT coalesce(sum(CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END), 0)
                FROM interactions i JOIN courses x ON x.id = i.course_id
                WHERE x.domain = c.domain AND x.currency = c.currency AND i.kind IN ('purchase', 'refund'))
        FROM courses c GROUP BY c.domain, c.currency ORDER BY c.currency, 6 DESC, c.domain
        """
    static let totals = """
        SELECT (SELECT count(*) FROM creators), (SELECT count(*) FROM courses),
               (SELECT count(*) FROM courses WHERE status = 'published'), (SELECT count(*) FROM users),
               (SELECT count(*) FROM interactions), (SELECT min(occurred_at) FROM interactions),
               (SELECT max(occurred_at) FROM interactions)
        """

    public func countsByKind(courseID: Int64) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try db.all(Self.kindsOfCourse, [courseID]) { ($0.text(0), $0.int64(1)) })
    }

    public func countsByKind(userID: Int64) throws -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: try db.all(Self.kindsOfUser, [userID]) { ($0.text(0), $0.int64(1)) })
    }

    /// What a learner paid, net of refunds, per currency (in currency order; none when they bought nothing).
    public func netSpend(userID: Int64) throws -> [Money.Amount] {
        try db.all(Self.spendOfUser, [userID]) { Money.Amount(currency: $0.text(0), minor: $0.int64(1)) }
    }

    /// The `limit` best-selling courses by net revenue in each currency, in currency order.
    /// - Complexity: O(money events + courses sold log courses sold).
    public func topCourses(limit: Int) throws -> [CourseSales] {
        try db.all(Self.topCourses, [limit]) {
            CourseSales(slug: $0.text(0), title: $0.text(1), domain: $0.text(2), currency: $0.text(3), purchases: $0.int(4),
                        refunds: $0.int(5), netRevenueMinor: $0.int64(6))
        }
    }

    /// Every domain and currency of its courses, with those courses, their learners, purchases and
    /// net revenue: in currency order, then by revenue.
    public func domains() throws -> [DomainActivity] {
        try db.all(Self.domains) {
            DomainActivity(domain: $0.text(0), currency: $0.text(1), courses: $0.int(2), learners: $0.int(3), purchases: $0.int(4),
                           netRevenueMinor: $0.int64(5))
        }
    }

    /// Counts of everything stored, and the time span of the activity.
    public func totals() throws -> (creators: Int, courses: Int, published: Int, users: Int, interactions: Int,
                                    first: Int64?, last: Int64?) {
        try db.first(Self.totals) {
            ($0.int(0), $0.int(1), $0.int(2), $0.int(3), $0.int(4), $0.optionalInt64(5), $0.optionalInt64(6))
        }!
    }
}
