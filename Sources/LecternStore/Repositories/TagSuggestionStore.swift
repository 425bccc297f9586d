internal import LecternSQLite

/// A course as tag suggestion reads it: its text, its stored domain and difficulty, and its tags by
/// where they came from.
public struct TaggableCourse: Sendable, Equatable {
    public var id: Int64
    public var slug: String
    public var title: String
    public var description: String
    public var domain: String
    public var difficulty: Course.Difficulty
    /// Tags an editor set (or accepted), by name.
    public var editorTags: [String]
    /// Tags `lectern tag suggest --apply` added and nobody has accepted yet, by name.
    public var autoTags: [String]
    /// Suggestions dropped from this course, never to be proposed for it again, by name.
    public var droppedTags: [String]

    /// Whether the course still waits for a domain (`TagSuggestionStore.uncategorized`).
    public var isUncategorized: Bool { domain == TagSuggestionStore.uncategorized }
}

/// A suggestion dropped from a course: removed when it had been applied, remembered either way.
public struct DroppedTag: Sendable, Equatable {
    public var name: String
    /// Whether the course carried it as an automatic tag until now.
    public var wasApplied: Bool

    public init(name: String, wasApplied: Bool) {
        self.name = name
        self.wasApplied = wasApplied
    }
}

/// Automatic tags: suggestions stored with `source = 'auto'` and their TF-IDF weight, accepted into
/// editors' tags or dropped for good (`dropped_tag_suggestions`). An editor's tag is never changed
/// here.
public struct TagSuggestionStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    /// The domain of a course nobody has placed yet; suggestion may replace it.
    public static let uncategorized = "uncategorized"

    static let courses = "SELECT id, slug, title, description, domain, difficulty FROM courses ORDER BY id"
    static let tags = """
        SELECT ct.course_id, t.name, ct.source FROM course_tags ct JOIN tags t ON t.id = ct.tag_id
        ORDER BY ct.course_id, t.name
        """
    static let dropped = "SELECT course_id, tag FROM dropped_tag_suggestions ORDER BY course_id, tag"
    static let isDropped = "SELECT 1 FROM dropped_tag_suggestions WHERE course_id = ? AND tag = ?"
    static let sourceOfTag = """
        SELECT ct.source, ct.tag_id FROM course_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.course_id = ? AND t.name = ?
        """
    static let autoTagsOfCourse = """
        SELECT t.name FROM course_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.course_id = ? AND ct.source = 'auto'
        ORDER BY t.name
        """
    static let insertAutoTag = """
        INSERT INTO course_tags (course_id, tag_id, source, weight) VALUES (?, ?, 'auto', ?)
        ON CONFLICT (course_id, tag_id) DO NOTHING
        """
    static let accept = "UPDATE course_tags SET source = 'editor', weight = NULL WHERE course_id = ? AND tag_id = ? AND source = 'auto'"
    static let deleteAutoTag = "DELETE FROM course_tags WHERE course_id = ? AND tag_id = ? AND source = 'auto'"
    static let insertDropped = """
        INSERT INTO dropped_tag_suggestions (course_id, tag, dropped_at) VALUES (?, ?, ?)
        ON CONFLICT (course_id, tag) DO UPDATE SET dropped_at = excluded.dropped_at
        """
    static let setDomain = EngineSQL(sqlite: """
        UPDATE courses SET domain = ?, updated_at = max(?, created_at) WHERE id = ? AND domain = 'uncategorized'
        """, postgresReplacing: ["max(?, created_at)": "greatest(?, created_at)"])

    // MARK: Reading

    /// Every course with its text and tags, by id, in one read.
    /// - Complexity: O(courses + tags).
    public func catalog() throws -> [TaggableCourse] {
        try withStoreErrors {
            try db.readSnapshot {
                var courses: [TaggableCourse] = []
                var position: [Int64: Int] = [:]
                for course in try db.all(Self.courses, row: { row -> TaggableCourse in
                    TaggableCourse(id: row.int64(0), slug: row.text(1), title: row.text(2), description: row.text(3),
                                   domain: row.text(4), difficulty: Course.Difficulty(rawValue: row.text(5)) ?? .beginner,
                                   editorTags: [], autoTags: [], droppedTags: [])
                }) {
                    position[course.id] = courses.count
                    courses.append(course)
                }
                for (courseID, name, source) in try db.all(Self.tags, row: { ($0.int64(0), $0.text(1), $0.text(2)) }) {
                    guard let at = position[courseID] else { continue }
                    if source == "auto" { courses[at].autoTags.append(name) } else { courses[at].editorTags.append(name) }
                }
                for (courseID, name) in try db.all(Self.dropped, row: { ($0.int64(0), $0.text(1)) }) {
                    if let at = position[courseID] { courses[at].droppedTags.append(name) }
                }
                return courses
            }
        }
    }

    // MARK: Writing

    /// Stores suggested tags on a course as automatic tags with their weights, in one transaction.
    ///
    /// A tag the course already has (an editor's or an automatic one) is left as it is, and a tag
    /// dropped from the course before is not added again.
    /// - Returns: The names added.
    /// - Throws: `StoreError.invalidInput` for a name the `tags` table refuses.
    @discardableResult
    public func addSuggestedTags(courseID: Int64, _ tags: [(name: String, weight: Double)]) throws -> [String] {
        try withStoreErrors {
            try db.transaction {
                var added: [String] = []
                for tag in tags {
                    let name = try Validation.tagName(tag.name)
                    guard tag.weight.isFinite, tag.weight >= 0 else {
                        throw StoreError.invalid("the weight of tag '\(name)' must be a number of at least 0, got \(tag.weight)")
                    }
                    guard try !db.exists(Self.isDropped, [courseID, name]) else { continue }
                    let tagID = try CourseRepository(db).tagID(named: name, create: true)!
                    try db.run(Self.insertAutoTag, [courseID, tagID, tag.weight])
                    if db.changes == 1 { added.append(name) }
                }
                return added
            }
        }
    }

    /// Gives a course the suggested `domain` when its domain is still `uncategorized`.
    /// - Returns: Whether the domain changed.
    @discardableResult
    public func setSuggestedDomain(courseID: Int64, _ domain: String, at time: Int64 = currentUnixTime()) throws -> Bool {
        try Validation.requireSlug(domain, what: "domain")
        return try withStoreErrors {
            try db.run(Self.setDomain, [domain, time, courseID])
            return db.changes == 1
        }
    }

    /// Makes automatic tags of `course` editors' tags: the ones named, or all of them when `names`
    /// is empty.
    /// - Returns: The names accepted, in the order given (by name when all).
    /// - Throws: `StoreError.notFound` for a tag the course does not have, `.conflict` for an
    ///   editor's tag; nothing changes then.
    @discardableResult
    public func acceptSuggestedTags(of course: Course, names: [String] = []) throws -> [String] {
        try withStoreErrors {
            try db.transaction {
                let chosen = names.isEmpty ? try db.all(Self.autoTagsOfCourse, [course.id]) { $0.text(0) }
                    : try names.map(Validation.tagName)
                var accepted: [String] = []
                for name in chosen where !accepted.contains(name) {
                    guard let (source, tagID) = try stored(name, on: course.id) else {
                        throw StoreError.notFound("course '\(course.slug)' has no tag '\(name)'")
                    }
                    guard source == "auto" else {
                        throw StoreError.conflict("'\(name)' is already an editor's tag of course '\(course.slug)'")
                    }
                    try db.run(Self.accept, [course.id, tagID])
                    accepted.append(name)
                }
                return accepted
            }
        }
    }

    /// Drops suggestions from `course`: removes each as an automatic tag when the course has it, and
    /// remembers it so it is never suggested for the course again.
    ///
    /// A suggestion that was never applied may be dropped too, so it is not applied later.
    /// - Throws: `StoreError.conflict` for an editor's tag (`lectern course untag` removes those);
    ///   nothing changes then.
    @discardableResult
    public func dropSuggestedTags(of course: Course, names: [String], at time: Int64 = currentUnixTime()) throws -> [DroppedTag] {
        try withStoreErrors {
            try db.transaction {
                var dropped: [DroppedTag] = []
                for name in try names.map(Validation.tagName) where !dropped.contains(where: { $0.name == name }) {
                    var wasApplied = false
                    if let (source, tagID) = try stored(name, on: course.id) {
                        guard source == "auto" else {
                            throw StoreError.conflict(
                                "'\(name)' is an editor's tag of course '\(course.slug)', not a suggestion: remove it with `lectern course untag`")
                        }
                        try db.run(Self.deleteAutoTag, [course.id, tagID])
                        wasApplied = true
                    }
                    try db.run(Self.insertDropped, [course.id, name, time])
                    dropped.append(DroppedTag(name: name, wasApplied: wasApplied))
                }
                return dropped
            }
        }
    }

    /// Where the course's tag `name` came from and the tag's id, or nil when the course lacks it.
    private func stored(_ name: String, on courseID: Int64) throws -> (source: String, tagID: Int64)? {
        try db.first(Self.sourceOfTag, [courseID, name]) { (source: $0.text(0), tagID: $0.int64(1)) }
    }
}
