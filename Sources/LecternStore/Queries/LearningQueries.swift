internal import LecternSQLite

/// What profiles, segments and learning paths read: courses with their domain, difficulty and tags,
/// prerequisites, and learners' events. Anonymous holders of forgotten learners' purchases are left out.
public struct LearningQueries {
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

    public struct CourseFacts: Sendable, Equatable {
        public var id: Int64
        public var slug: String
        public var title: String
        public var domain: String
        public var difficulty: Course.Difficulty
        public var status: Course.Status
        public var priceMinor: Int64
        public var currency: String
        public var hours: Double
    }

    /// One learner event: course, kind, time and the rating of a `rate`.
    public struct Event: Sendable, Equatable {
        public var userID: Int64
        public var courseID: Int64
        public var kind: Interaction.Kind
        public var time: Int64
        public var value: Int64?
    }

    static let courses = "SELECT id, slug, title, domain, difficulty, status, price_minor, currency, hours FROM courses ORDER BY id"
    static let tags = "SELECT ct.course_id, t.name FROM course_tags ct JOIN tags t ON t.id = ct.tag_id ORDER BY ct.course_id, t.name"
    static let prerequisites = "SELECT course_id, requires_id FROM course_prerequisites ORDER BY course_id, requires_id"
    static let eventsOfUser = "SELECT user_id, course_id, kind, occurred_at, value FROM interactions WHERE user_id = ? ORDER BY id"
    static let allEvents = """
        SELECT i.user_id, i.course_id, i.kind, i.occurred_at, i.value FROM interactions i JOIN users u ON u.id = i.user_id
        WHERE u.anonymous = 0 ORDER BY i.user_id, i.id
        """
    static let interests = """
        SELECT ui.user_id, ui.topic FROM user_interests ui JOIN users u ON u.id = ui.user_id
        WHERE u.anonymous = 0 ORDER BY ui.user_id, ui.position
        """
    static let learnerIDs = "SELECT id FROM users WHERE anonymous = 0 ORDER BY id"

    public func courses() throws -> [Int64: CourseFacts] {
        try withStoreErrors {
            var facts: [Int64: CourseFacts] = [:]
            for course in try db.all(Self.courses, row: { s in
                CourseFacts(id: s.int64(0), slug: s.text(1), title: s.text(2), domain: s.text(3),
                            difficulty: Course.Difficulty(rawValue: s.text(4)) ?? .beginner,
                            status: Course.Status(rawValue: s.text(5)) ?? .draft, priceMinor: s.int64(6),
                            currency: s.text(7), hours: s.double(8))
            }) { facts[course.id] = course }
            return facts
        }
    }

    /// Every course's tags, editors' and suggested alike.
    public func courseTags() throws -> [Int64: [String]] {
        try withStoreErrors {
            var tags: [Int64: [String]] = [:]
            for (course, name) in try db.all(Self.tags, row: { ($0.int64(0), $0.text(1)) }) { tags[course, default: []].append(name) }
            return tags
        }
    }

    /// course -> the courses it requires.
    public func prerequisites() throws -> [Int64: [Int64]] {
        try withStoreErrors {
            var map: [Int64: [Int64]] = [:]
            for (course, requires) in try db.all(Self.prerequisites, row: { ($0.int64(0), $0.int64(1)) }) { map[course, default: []].append(requires) }
            return map
        }
    }

    public func events(ofUser userID: Int64) throws -> [Event] {
        try withStoreErrors { try db.all(Self.eventsOfUser, [userID], row: Self.event) }
    }

    /// Every learner's events, grouped by learner.
    public func eventsByLearner() throws -> [Int64: [Event]] {
        try withStoreErrors {
            var events: [Int64: [Event]] = [:]
            for event in try db.all(Self.allEvents, row: Self.event) { events[event.userID, default: []].append(event) }
            return events
        }
    }

    public func interestsByLearner() throws -> [Int64: [String]] {
        try withStoreErrors {
            var interests: [Int64: [String]] = [:]
            for (user, topic) in try db.all(Self.interests, row: { ($0.int64(0), $0.text(1)) }) { interests[user, default: []].append(topic) }
            return interests
        }
    }

    public func learnerIDs() throws -> [Int64] {
        try withStoreErrors { try db.all(Self.learnerIDs) { $0.int64(0) } }
    }

    static func event(_ s: Row) -> Event {
        Event(userID: s.int64(0), courseID: s.int64(1), kind: Interaction.Kind(rawValue: s.text(2)) ?? .view, time: s.int64(3),
              value: s.optionalInt64(4))
    }
}

/// A learner segment as stored by `lectern segments build`.
public struct Segment: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var learners: Int
    /// The centroid's strongest dimensions as JSON.
    public var profile: String
    public var builtAt: Int64
}

/// Segments and who is in which; a rebuild replaces them all at once.
public struct SegmentStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    /// Replaces every segment and assignment in one transaction. `assignments` maps a learner to an
    /// index into `segments`.
    public func replace(segments: [(name: String, learners: Int, profile: String)], assignments: [(userID: Int64, segment: Int)],
                        at time: Int64) throws {
        try withStoreErrors {
            try db.transaction(.immediate) {
                try db.run("DELETE FROM segments")
                var ids: [Int64] = []
                for segment in segments {
                    ids.append(try db.insert("INSERT INTO segments (name, learners, profile, built_at) VALUES (?, ?, ?, ?)",
                                             [segment.name, segment.learners, segment.profile, time]))
                }
                for assignment in assignments {
                    try db.run("INSERT INTO user_segments (user_id, segment_id) VALUES (?, ?)", [assignment.userID, ids[assignment.segment]])
                }
            }
        }
    }

    public func list() throws -> [Segment] {
        try withStoreErrors {
            try db.all("SELECT id, name, learners, profile, built_at FROM segments ORDER BY learners DESC, name") {
                Segment(id: $0.int64(0), name: $0.text(1), learners: $0.int(2), profile: $0.text(3), builtAt: $0.int64(4))
            }
        }
    }

    /// The name of the learner's segment, if segments were built and the learner is in one.
    static let segmentNamed = "SELECT count(*) FROM segments WHERE name = ?"

    /// Whether `segments build` made a segment called `name`.
    public func segmentExists(named name: String) throws -> Bool {
        try withStoreErrors { try db.scalarInt(Self.segmentNamed, [name]) ?? 0 > 0 }
    }

    public func segment(ofUser userID: Int64) throws -> String? {
        try withStoreErrors {
            try db.first("SELECT s.name FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE us.user_id = ?",
                         [userID], row: { $0.text(0) })
        }
    }
}
