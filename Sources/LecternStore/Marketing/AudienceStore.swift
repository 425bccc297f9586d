import LecternCore
internal import LecternSQLite

/// A learner as a marketing list shows them.
public struct AudienceContact: Sendable, Equatable {
    public var id: Int64
    public var externalID: String
    public var displayName: String
    public var email: String?
    public var marketingOptIn: Bool
}

/// What `lectern audience` reads: who took which course, who must not be told about one, and who
/// declared an interest in it. Each read touches the courses asked about and their takers, through
/// `interactions_by_course`, never the whole table.
public struct AudienceStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    /// Learners who took course ?1 (enrolled, bought or completed it) and never returned it.
    static let takers = """
        SELECT DISTINCT i.user_id FROM interactions i
        WHERE i.course_id = ?1 AND i.kind IN ('enroll', 'purchase', 'complete')
          AND NOT EXISTS (SELECT 1 FROM interactions r WHERE r.user_id = i.user_id AND r.course_id = ?1 AND r.kind = 'refund')
          AND i.user_id NOT IN (SELECT id FROM users WHERE anonymous = 1)
        ORDER BY i.user_id
        """
    /// Learners who enrolled in or bought course ?1: what scoring an audience reads for each neighbour,
    /// one lookup per event through `interactions_by_course` (a refund is not checked here: whoever
    /// bought a course like this one showed the interest, and the target's own takers are exact).
    static let owners = """
        SELECT DISTINCT user_id FROM interactions WHERE course_id = ?1 AND kind IN ('enroll', 'purchase') ORDER BY user_id
        """
    /// Learners never to be told about course ?1: they took it (returned or not), or dismissed it and
    /// did not come back to it (no later view, wishlist, enrollment or purchase).
    static let excluded = """
        SELECT user_id FROM interactions WHERE course_id = ?1 AND kind IN ('enroll', 'purchase', 'complete', 'refund')
        UNION
        SELECT d.user_id FROM interactions d
        WHERE d.course_id = ?1 AND d.kind = 'dismiss'
          AND NOT EXISTS (SELECT 1 FROM interactions p
                          WHERE p.user_id = d.user_id AND p.course_id = ?1
                            AND p.kind IN ('view', 'wishlist', 'enroll', 'purchase') AND p.occurred_at > d.occurred_at)
        UNION
        SELECT id FROM users WHERE anonymous = 1
        """
    static let interested = "SELECT user_id, topic FROM user_interests WHERE lower(topic) = lower(?1) ORDER BY user_id"
    /// For course ?1: every other course taken by learners who took ?1 (enrolled or bought, neither
    /// refunded), with how many of them took it. Reads ?1's takers through `interactions_by_course`
    /// and their courses through `interactions_by_user`.
    static let takenWith = """
        WITH takers AS (
            SELECT DISTINCT t.user_id FROM interactions t
            WHERE t.course_id = ?1 AND t.kind IN ('enroll', 'purchase')
              AND NOT EXISTS (SELECT 1 FROM interactions r WHERE r.user_id = t.user_id AND r.course_id = ?1 AND r.kind = 'refund')
              AND t.user_id NOT IN (SELECT id FROM users WHERE anonymous = 1))
        SELECT o.course_id, count(DISTINCT o.user_id) FROM takers k JOIN interactions o ON o.user_id = k.user_id
        WHERE o.kind IN ('enroll', 'purchase') AND o.course_id <> ?1
          AND NOT EXISTS (SELECT 1 FROM interactions r WHERE r.user_id = o.user_id AND r.course_id = o.course_id AND r.kind = 'refund')
        GROUP BY o.course_id ORDER BY o.course_id
        """
    /// How many learners took course ?1, counted from `interactions_by_course` alone (no table row is
    /// read): its enrolments or its purchases, whichever are more. A learner who both enrolled and
    /// bought counts once; one who enrolled twice would count twice, which the storefront's flow
    /// does not produce. (PostgreSQL's two-argument `max` is `greatest`.)
    static let takerCount = EngineSQL(sqlite: """
        SELECT max((SELECT count(*) FROM interactions WHERE course_id = ?1 AND kind = 'enroll'),
                   (SELECT count(*) FROM interactions WHERE course_id = ?1 AND kind = 'purchase'))
        """, postgresReplacing: ["SELECT max(": "SELECT greatest("])
    static let learnerCount = "SELECT count(*) FROM users WHERE anonymous = 0"
    static let contact = "SELECT id, external_id, display_name, email, marketing_opt_in FROM users WHERE id = ?"
    static let optedIn = "SELECT count(*) FROM users WHERE marketing_opt_in = 1 AND anonymous = 0"
    static let optedOut = "SELECT id FROM users WHERE marketing_opt_in = 0"

    /// The sorted learners who took each of `courseIDs` (enrolled, bought or completed, never refunded).
    public func takers(of courseIDs: [Int64]) throws -> [Int64: [Int64]] {
        try withStoreErrors {
            var result: [Int64: [Int64]] = [:]
            for course in Set(courseIDs) { result[course] = try db.all(Self.takers, [course]) { $0.int64(0) } }
            return result
        }
    }

    /// The sorted learners who enrolled in or bought each of `courseIDs` (see `owners`).
    public func owners(of courseIDs: [Int64]) throws -> [Int64: [Int64]] {
        try withStoreErrors {
            var result: [Int64: [Int64]] = [:]
            for course in Set(courseIDs) { result[course] = try db.all(Self.owners, [course]) { $0.int64(0) } }
            return result
        }
    }

    /// Learners who must not be in course `courseID`'s audience: they took it, returned it, or still
    /// hold a dismissal of it; and the anonymous holder of forgotten learners' purchases.
    public func excluded(from courseID: Int64) throws -> Set<Int64> {
        try withStoreErrors { Set(try db.all(Self.excluded, [courseID]) { $0.int64(0) }) }
    }

    /// Learners whose declared interests name one of `topics` (any case), with the first one named.
    public func interested(in topics: [String]) throws -> [Int64: String] {
        try withStoreErrors {
            var result: [Int64: String] = [:]
            for topic in topics {
                for (user, named) in try db.all(Self.interested, [topic], row: { ($0.int64(0), $0.text(1)) }) where result[user] == nil {
                    result[user] = named
                }
            }
            return result
        }
    }

    /// The learners `ids`, as a marketing list shows them, by id.
    public func contacts(_ ids: [Int64]) throws -> [Int64: AudienceContact] {
        try withStoreErrors {
            var result: [Int64: AudienceContact] = [:]
            for id in ids {
                result[id] = try db.first(Self.contact, [id]) { row in
                    AudienceContact(id: row.int64(0), externalID: row.text(1), displayName: row.text(2),
                                    email: row.optionalText(3), marketingOptIn: row.int64(4) != 0)
                }
            }
            return result
        }
    }

    /// Courses taken together with course `courseID` (see `takenWith`): each other course with the
    /// learners who took both and how many took it (`takerCount`, at least those who took both);
    /// `takers` is the exact count of `courseID`'s own, and `learners` counts every learner.
    public func takenWith(_ courseID: Int64, minimumBoth: Int)
        throws -> (takers: Int, learners: Int, others: [(courseID: Int64, both: Int, takers: Int)]) {
        try withStoreErrors {
            let takers = try self.takers(of: [courseID])[courseID]?.count ?? 0
            let learners = Int(try db.scalarInt(Self.learnerCount) ?? 0)
            var others: [(courseID: Int64, both: Int, takers: Int)] = []
            for (other, both) in try db.all(Self.takenWith, [courseID], row: { ($0.int64(0), Int($0.int64(1))) })
            where both >= minimumBoth {
                others.append((other, both, max(both, Int(try db.scalarInt(Self.takerCount, [other]) ?? 0))))
            }
            return (takers, learners, others)
        }
    }

    /// Learners who did not agree to hear about courses.
    public func optedOut() throws -> Set<Int64> {
        try withStoreErrors { Set(try db.all(Self.optedOut) { $0.int64(0) }) }
    }

    /// How many learners agreed to hear about courses.
    public func optedInCount() throws -> Int {
        try withStoreErrors { Int(try db.scalarInt(Self.optedIn) ?? 0) }
    }
}
