internal import LecternSQLite

/// Everything training reads from the database, in one consistent read.
public struct TrainingSnapshot: Sendable {
    public struct CourseRow: Sendable {
        public var id: Int64
        public var slug: String
        public var title: String
        public var description: String
        public var domain: String
        public var format: String
        public var status: Course.Status
        public var creatorID: Int64
        public var tags: [String]
        public var prerequisites: [Int64]
        /// The family this course is one run of, or nil (migration 14).
        public var family: String? = nil
    }

    public struct EventRow: Sendable {
        public var userID: Int64
        public var courseID: Int64
        public var kind: Interaction.Kind
        public var value: Int64?
        public var occurredAt: Int64
    }

    public var courses: [CourseRow]
    /// Every learner's id and declared interests.
    public var learners: [(id: Int64, interests: [String])]
    public var events: [EventRow]
    /// The newest event's time, or nil with no events.
    public var dataUntil: Int64?
    /// The newest event's id (0 with no events).
    public var lastInteractionID: Int64

    static let courses = """
        SELECT c.id, c.slug, c.title, c.description, c.domain, c.format, c.status, c.creator_id, c.family
        FROM courses c ORDER BY c.id
        """
    static let tags = "SELECT ct.course_id, t.name FROM course_tags ct JOIN tags t ON t.id = ct.tag_id ORDER BY ct.course_id, t.name"
    static let prerequisites = "SELECT course_id, requires_id FROM course_prerequisites ORDER BY course_id, requires_id"
    static let learners = "SELECT id FROM users WHERE anonymous = 0 ORDER BY id"
    static let interests = "SELECT user_id, topic FROM user_interests ORDER BY user_id, position"
    static let events = """
        SELECT user_id, course_id, kind, value, occurred_at, id FROM interactions
        WHERE user_id NOT IN (SELECT id FROM users WHERE anonymous = 1) ORDER BY id
        """

    static let eventsOfUser = "SELECT user_id, course_id, kind, value, occurred_at, id FROM interactions WHERE user_id = ? ORDER BY id"
    static let lastEventOfUser = "SELECT max(id) FROM interactions WHERE user_id = ?"

    /// Reads the catalog, the learners and every interaction inside one read transaction (on
    /// PostgreSQL a repeatable read: every statement sees the same data).
    static func load(from db: Executor) throws -> TrainingSnapshot {
        try withStoreErrors {
            try db.readSnapshot {
                let courses = try loadCatalog(from: db)
                var learners = try db.all(Self.learners) { (id: $0.int64(0), interests: [String]()) }
                var learnerPosition: [Int64: Int] = [:]
                for (index, learner) in learners.enumerated() { learnerPosition[learner.id] = index }
                for (userID, topic) in try db.all(Self.interests, row: { ($0.int64(0), $0.text(1)) }) {
                    if let at = learnerPosition[userID] { learners[at].interests.append(topic) }
                }
                var newest: Int64?
                var lastID: Int64 = 0
                let events = try db.all(Self.events, cached: false) { row -> EventRow in
                    let event = readEvent(row)
                    newest = max(newest ?? event.occurredAt, event.occurredAt)
                    lastID = row.int64(5)
                    return event
                }
                return TrainingSnapshot(courses: courses, learners: learners, events: events, dataUntil: newest,
                                        lastInteractionID: lastID)
            }
        }
    }

    /// One learner's interactions, oldest first.
    static func events(ofUser userID: Int64, in db: Executor) throws -> [EventRow] {
        try withStoreErrors { try db.all(Self.eventsOfUser, [userID], row: readEvent) }
    }

    /// The id of a learner's newest interaction (0 if none).
    static func lastInteractionID(ofUser userID: Int64, in db: Executor) throws -> Int64 {
        try withStoreErrors { try db.scalarInt(Self.lastEventOfUser, [userID]) ?? 0 }
    }

    static func readEvent(_ row: Row) -> EventRow {
        EventRow(userID: row.int64(0), courseID: row.int64(1),
                 kind: Interaction.Kind(rawValue: row.text(2)) ?? .view,
                 value: row.optionalInt64(3), occurredAt: row.int64(4))
    }

    /// Every course with its tags and prerequisites, by id.
    static func loadCatalog(from db: Executor) throws -> [CourseRow] {
        try withStoreErrors {
            try db.readSnapshot {
                var courses: [CourseRow] = []
                var position: [Int64: Int] = [:]
                for row in try db.all(Self.courses, row: { s -> CourseRow in
                    CourseRow(id: s.int64(0), slug: s.text(1), title: s.text(2), description: s.text(3), domain: s.text(4),
                              format: s.text(5), status: Course.Status(rawValue: s.text(6)) ?? .archived,
                              creatorID: s.int64(7), tags: [], prerequisites: [], family: s.optionalText(8))
                }) {
                    position[row.id] = courses.count
                    courses.append(row)
                }
                for (courseID, tag) in try db.all(Self.tags, row: { ($0.int64(0), $0.text(1)) }) {
                    if let at = position[courseID] { courses[at].tags.append(tag) }
                }
                for (courseID, required) in try db.all(Self.prerequisites, row: { ($0.int64(0), $0.int64(1)) }) {
                    if let at = position[courseID] { courses[at].prerequisites.append(required) }
                }
                return courses
            }
        }
    }
}

extension TrainingSnapshot {
    public static func load(from database: Database) throws -> TrainingSnapshot {
        try load(from: database.executor)
    }

    public static func events(ofUser userID: Int64, in database: Database) throws -> [EventRow] {
        try events(ofUser: userID, in: database.executor)
    }

    public static func lastInteractionID(ofUser userID: Int64, in database: Database) throws -> Int64 {
        try lastInteractionID(ofUser: userID, in: database.executor)
    }

    public static func loadCatalog(from database: Database) throws -> [CourseRow] {
        try loadCatalog(from: database.executor)
    }
}
