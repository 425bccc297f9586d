internal import LecternSQLite

/// A course as cross-over marketing sees it: what it is, where it sits, what it costs now, who made it.
public struct MarketingCourse: Sendable, Equatable {
    public var id: Int64
    public var slug: String
    public var domain: String
    public var priceMinor: Int64
    public var currency: String
    public var status: String
    public var creatorID: Int64
}

/// A creator with their revenue share.
public struct MarketingCreator: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var revenueShare: Double
}

/// One course a learner took: enrolled in or bought, and not refunded since (a purchase after the
/// latest refund takes it again).
public struct TakenCourse: Sendable, Equatable {
    public var userID: Int64
    public var courseID: Int64
    /// The learner's first enrolment or purchase of it.
    public var firstAt: Int64
    /// Purchases minus refunds, in the course's currency (0 for a free enrolment).
    public var netMinor: Int64
}

/// What the bundles, partners and crossover analyses read: courses, creators, prerequisites and the
/// courses each learner took, leaving out forgotten learners (the anonymous one).
public struct MarketingData {
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

    static let courses = """
        SELECT id, slug, domain, price_minor, currency, status, creator_id FROM courses ORDER BY id
        """
    static let creators = "SELECT id, name, revenue_share FROM creators ORDER BY id"
    static let prerequisites = "SELECT course_id, requires_id FROM course_prerequisites ORDER BY course_id, requires_id"
    /// Per learner and course, in learner order: first enrolment or purchase and net paid, for the pairs
    /// taken and not refunded since. Reads `interactions_by_user` (it covers every column) in its order.
    static let taken = """
        SELECT user_id, course_id, min(CASE WHEN kind IN ('enroll', 'purchase') THEN occurred_at END),
               coalesce(sum(CASE kind WHEN 'purchase' THEN value WHEN 'refund' THEN -value END), 0)
        FROM interactions
        WHERE kind IN ('enroll', 'purchase', 'refund') AND user_id NOT IN (SELECT id FROM users WHERE anonymous = 1)
        GROUP BY user_id, course_id
        HAVING min(CASE WHEN kind IN ('enroll', 'purchase') THEN occurred_at END) IS NOT NULL
           AND (max(CASE WHEN kind = 'refund' THEN occurred_at END) IS NULL
                OR max(CASE WHEN kind = 'purchase' THEN occurred_at END) > max(CASE WHEN kind = 'refund' THEN occurred_at END))
        ORDER BY user_id, course_id
        """

    /// Every course, by id.
    public func courses() throws -> [MarketingCourse] {
        try withStoreErrors {
            try db.all(Self.courses) {
                MarketingCourse(id: $0.int64(0), slug: $0.text(1), domain: $0.text(2), priceMinor: $0.int64(3), currency: $0.text(4),
                                status: $0.text(5), creatorID: $0.int64(6))
            }
        }
    }

    /// Every creator, by id.
    public func creators() throws -> [MarketingCreator] {
        try withStoreErrors {
            try db.all(Self.creators) {
                MarketingCreator(id: $0.int64(0), name: $0.text(1), revenueShare: $0.double(2))
            }
        }
    }

    /// Each course's direct prerequisites.
    public func prerequisites() throws -> [Int64: [Int64]] {
        try withStoreErrors {
            var requires: [Int64: [Int64]] = [:]
            for (course, required) in try db.all(Self.prerequisites, row: { ($0.int64(0), $0.int64(1)) }) {
                requires[course, default: []].append(required)
            }
            return requires
        }
    }

    /// Calls `body` with each course a learner took, by learner and course, in one read transaction.
    /// - Complexity: one pass over the enrolments, purchases and refunds in `interactions_by_user`.
    public func forEachTaken(_ body: (TakenCourse) throws -> Void) throws {
        try withStoreErrors {
            try db.readSnapshot {
                try db.each(Self.taken) { row in
                    try body(TakenCourse(userID: row.int64(0), courseID: row.int64(1), firstAt: row.int64(2), netMinor: row.int64(3)))
                }
            }
        }
    }
}
