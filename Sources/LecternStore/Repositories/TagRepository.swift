internal import LecternSQLite

/// A tag with how many courses carry it.
public struct TagUsage: Sendable, Equatable {
    public var name: String
    public var courses: Int
}

/// Tags: the words editors attach to courses.
public struct TagRepository {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let withCounts = """
        SELECT t.name, count(ct.course_id) FROM tags t LEFT JOIN course_tags ct ON ct.tag_id = t.id
        GROUP BY t.id ORDER BY count(ct.course_id) DESC, t.name LIMIT ? OFFSET ?
        """

    /// Every tag, most used first.
    public func list(limit: Int? = nil, offset: Int = 0) throws -> [TagUsage] {
        try db.all(Self.withCounts, [limit ?? -1, offset]) { TagUsage(name: $0.text(0), courses: $0.int(1)) }
    }
}
