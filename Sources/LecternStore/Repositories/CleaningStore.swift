internal import LecternSQLite

/// A stored interaction with what it is checked against: its learner and its course, each nil when
/// the row names one that does not exist.
public struct StoredEvent: Sendable, Equatable {
    public struct Learner: Sendable, Equatable {
        public var externalID: String
        public var createdAt: Int64
        /// The shared holder of forgotten learners' purchases and refunds.
        public var isAnonymous: Bool
    }

    public struct Course: Sendable, Equatable {
        public var slug: String
        public var status: LecternStore.Course.Status
        public var createdAt: Int64
    }

    public var id: Int64
    public var userID: Int64
    public var courseID: Int64
    public var kind: Interaction.Kind
    public var occurredAt: Int64
    public var learner: Learner?
    public var course: Course?

    /// Purchases and refunds, which the accounts need.
    public var movesMoney: Bool { kind == .purchase || kind == .refund }
}

/// Reads interactions for cleaning and deletes the ones found wrong.
public struct CleaningStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    /// Left joins, so a row whose learner or course is missing (what `PRAGMA foreign_key_check`
    /// reports for `interactions`, possible in a file written with foreign keys off) is read too.
    static let events = """
        SELECT i.id, i.user_id, i.course_id, i.kind, i.occurred_at,
               u.id IS NOT NULL, u.external_id, u.created_at, u.anonymous,
               c.id IS NOT NULL, c.slug, c.status, c.created_at
        FROM interactions i LEFT JOIN users u ON u.id = i.user_id LEFT JOIN courses c ON c.id = i.course_id
        ORDER BY i.id
        """
    static let earliestCourse = "SELECT min(created_at) FROM courses"
    static let delete = "DELETE FROM interactions WHERE id = ?"

    /// Every interaction with its learner and course, by id, in one read.
    /// - Complexity: O(interactions).
    public func events() throws -> [StoredEvent] {
        try withStoreErrors {
            try db.readSnapshot {
                var events: [StoredEvent] = []
                // One copy of each learner and course, shared by their events.
                var learners: [Int64: StoredEvent.Learner] = [:]
                var courses: [Int64: StoredEvent.Course] = [:]
                try db.each(Self.events, cached: false) { statement in
                    guard let kind = Interaction.Kind(rawValue: statement.text(3)) else {
                        throw StoreError.invalid("interaction \(statement.int64(0)) has a kind this lectern does not know")
                    }
                    var event = StoredEvent(id: statement.int64(0), userID: statement.int64(1), courseID: statement.int64(2),
                                            kind: kind, occurredAt: statement.int64(4), learner: nil, course: nil)
                    if let learner = learners[event.userID] {
                        event.learner = learner
                    } else if statement.int(5) == 1 {
                        event.learner = StoredEvent.Learner(externalID: statement.text(6), createdAt: statement.int64(7),
                                                            isAnonymous: statement.int(8) == 1)
                        learners[event.userID] = event.learner
                    }
                    if let course = courses[event.courseID] {
                        event.course = course
                    } else if statement.int(9) == 1 {
                        event.course = StoredEvent.Course(slug: statement.text(10),
                                                          status: Course.Status(rawValue: statement.text(11)) ?? .draft,
                                                          createdAt: statement.int64(12))
                        courses[event.courseID] = event.course
                    }
                    events.append(event)
                }
                return events
            }
        }
    }

    /// When the first course was created, or nil with an empty catalog.
    public func earliestCourseCreation() throws -> Int64? {
        try withStoreErrors { try db.scalarInt(Self.earliestCourse) }
    }

    /// Deletes the interactions with these ids, in one transaction.
    /// - Returns: How many were deleted (an id already gone counts nothing).
    /// - Complexity: O(ids x log interactions).
    @discardableResult
    public func remove(ids: [Int64]) throws -> Int {
        try withStoreErrors {
            try db.transaction {
                var removed = 0
                for id in ids {
                    try db.run(Self.delete, [id])
                    removed += db.changes
                }
                return removed
            }
        }
    }
}
