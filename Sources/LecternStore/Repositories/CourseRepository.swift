internal import LecternSQLite

/// The course catalog: courses, their tags and their prerequisites.
public struct CourseRepository {
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

    static let columns = """
        c.id, c.slug, c.title, c.description, c.domain, c.difficulty, c.format, c.language, \
        c.price_minor, c.currency, c.creator_id, c.hours, c.status, c.created_at, c.updated_at, c.family
        """
    static let insert = """
        INSERT INTO courses (slug, title, description, domain, difficulty, format, language, price_minor,
                             currency, creator_id, hours, status, created_at, updated_at, family)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let update = """
        UPDATE courses SET slug = ?, title = ?, description = ?, domain = ?, difficulty = ?, format = ?,
               language = ?, price_minor = ?, currency = ?, creator_id = ?, hours = ?, status = ?, updated_at = ?,
               family = ?
        WHERE id = ?
        """
    static let byID = "SELECT \(columns) FROM courses c WHERE c.id = ?"
    static let bySlug = "SELECT \(columns) FROM courses c WHERE c.slug = ?"
    static let tagsOfCourse = """
        SELECT t.name FROM course_tags ct JOIN tags t ON t.id = ct.tag_id WHERE ct.course_id = ? ORDER BY t.name
        """
    static let autoTagsOfCourse = """
        SELECT t.name FROM course_tags ct JOIN tags t ON t.id = ct.tag_id
        WHERE ct.course_id = ? AND ct.source = 'auto' ORDER BY t.name
        """
    static let prerequisitesOfCourse = """
        SELECT r.slug FROM course_prerequisites p JOIN courses r ON r.id = p.requires_id
        WHERE p.course_id = ? ORDER BY r.slug
        """
    static let creatorName = "SELECT name FROM creators WHERE id = ?"
    static let tagByName = "SELECT id FROM tags WHERE name = ?"
    static let insertTag = "INSERT INTO tags (name) VALUES (?)"
    /// An editor naming a suggested tag makes it theirs.
    static let insertCourseTag = """
        INSERT INTO course_tags (course_id, tag_id) VALUES (?, ?)
        ON CONFLICT (course_id, tag_id) DO UPDATE SET source = 'editor', weight = NULL
        """
    static let deleteCourseTag = "DELETE FROM course_tags WHERE course_id = ? AND tag_id = ?"
    static let deletePrerequisites = "DELETE FROM course_prerequisites WHERE course_id = ?"
    static let insertPrerequisite = EngineSQL(
        sqlite: "INSERT OR IGNORE INTO course_prerequisites (course_id, requires_id) VALUES (?, ?)",
        postgres: "INSERT INTO course_prerequisites (course_id, requires_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
    /// Whether `?1` can already reach `?2` through prerequisites (so `?2` requiring `?1` makes a cycle).
    static let reaches = """
        WITH RECURSIVE reach(id) AS (
            SELECT ?1
            UNION
            SELECT p.requires_id FROM course_prerequisites p JOIN reach ON p.course_id = reach.id
        )
        SELECT 1 FROM reach WHERE id = ?2 LIMIT 1
        """
    /// A word in the title or description, ignoring case: SQLite's LIKE folds ASCII letters,
    /// PostgreSQL's ILIKE every letter.
    static let textMatch = "(c.title LIKE ? ESCAPE '\\' OR c.description LIKE ? ESCAPE '\\')"
    static let textMatchPostgres = "(c.title ILIKE ? ESCAPE '\\' OR c.description ILIKE ? ESCAPE '\\')"
    static let archive = "UPDATE courses SET status = 'archived', updated_at = ? WHERE id = ?"

    static func read(_ row: Row) throws -> Course {
        guard let difficulty = Course.Difficulty(rawValue: row.text(5)),
              let format = Course.Format(rawValue: row.text(6)),
              let status = Course.Status(rawValue: row.text(12)) else {
            throw StoreError.invalid("course \(row.int64(0)) holds a value this lectern does not know")
        }
        return Course(id: row.int64(0), slug: row.text(1), title: row.text(2), description: row.text(3),
                      domain: row.text(4), difficulty: difficulty, format: format, language: row.text(7),
                      priceMinor: row.int64(8), currency: row.text(9), creatorID: row.int64(10),
                      hours: row.double(11), status: status, createdAt: row.int64(13), updatedAt: row.int64(14),
                      family: row.optionalText(15))
    }

    // MARK: Writing

    /// Adds a course to the catalog; the slug must be new and the creator must exist.
    @discardableResult
    public func create(_ course: Course) throws -> Course {
        var course = try readyToCreate(course)
        if try find(slug: course.slug) != nil {
            throw StoreError.conflict("a course with slug '\(course.slug)' already exists")
        }
        try requireCreator(course.creatorID)
        course.id = try withStoreErrors {
            try db.insert(Self.insert, [course.slug, course.title, course.description, course.domain,
                                                     course.difficulty.rawValue, course.format.rawValue, course.language,
                                                     course.priceMinor, course.currency, course.creatorID, course.hours,
                                                     course.status.rawValue, course.createdAt, course.updatedAt, course.family])
        }
        return course
    }

    /// Saves a changed course (its `updatedAt` becomes now unless set later than `createdAt`).
    public func update(_ course: Course) throws {
        var course = course
        try validate(&course)
        if let other = try find(slug: course.slug), other.id != course.id {
            throw StoreError.conflict("a course with slug '\(course.slug)' already exists")
        }
        try requireCreator(course.creatorID)
        let updatedAt = max(currentUnixTime(), course.createdAt)
        try withStoreErrors {
            try db.run(Self.update, [course.slug, course.title, course.description, course.domain,
                                                     course.difficulty.rawValue, course.format.rawValue, course.language,
                                                     course.priceMinor, course.currency, course.creatorID, course.hours,
                                                     course.status.rawValue, updatedAt, course.family, course.id])
        }
        guard db.changes == 1 else { throw StoreError.notFound("no course with id \(course.id)") }
    }

    /// Takes a course off sale; its history stays.
    public func archive(id: Int64) throws {
        try withStoreErrors { try db.run(Self.archive, [currentUnixTime(), id]) }
        guard db.changes == 1 else { throw StoreError.notFound("no course with id \(id)") }
    }

    /// Adds tags to a course, creating tags that do not exist yet; a suggested tag named here becomes
    /// an editor's.
    public func tag(courseID: Int64, with names: [String]) throws {
        try withStoreErrors {
            try db.transaction {
                for name in names {
                    let tagID = try tagID(named: try Validation.tagName(name), create: true)!
                    try db.run(Self.insertCourseTag, [courseID, tagID])
                }
            }
        }
    }

    /// Removes tags from a course; a tag the course does not have is an error.
    public func untag(courseID: Int64, names: [String]) throws {
        try withStoreErrors {
            try db.transaction {
                for name in names {
                    let normalized = try Validation.tagName(name)
                    guard let tagID = try tagID(named: normalized, create: false) else {
                        throw StoreError.notFound("no tag '\(normalized)'")
                    }
                    try db.run(Self.deleteCourseTag, [courseID, tagID])
                    if db.changes == 0 { throw StoreError.notFound("the course has no tag '\(normalized)'") }
                }
            }
        }
    }

    /// Replaces a course's prerequisites; refuses a course requiring itself or any cycle.
    public func setPrerequisites(courseID: Int64, requires: [Int64]) throws {
        try withStoreErrors {
            try db.transaction {
                try db.run(Self.deletePrerequisites, [courseID])
                try addPrerequisites(courseID: courseID, requires: requires)
            }
        }
    }

    /// Adds prerequisites to a course; refuses a course requiring itself or any cycle.
    public func addPrerequisites(courseID: Int64, requires: [Int64]) throws {
        try withStoreErrors {
            try db.transaction {
                for required in requires {
                    if required == courseID {
                        throw StoreError.conflict("a course cannot require itself")
                    }
                    if try db.first(Self.reaches, [required, courseID], row: { _ in true }) != nil {
                        let a = try slug(of: courseID), b = try slug(of: required)
                        throw StoreError.conflict("'\(a)' requiring '\(b)' would make a prerequisite cycle")
                    }
                    try db.run(Self.insertPrerequisite, [courseID, required])
                }
            }
        }
    }

    // MARK: Reading

    public func find(id: Int64) throws -> Course? {
        try db.first(Self.byID, [id], row: Self.read)
    }

    public func find(slug: String) throws -> Course? {
        try db.first(Self.bySlug, [slug], row: Self.read)
    }

    /// A course named by id (digits) or slug.
    public func resolve(_ reference: String) throws -> Course {
        if let id = Int64(reference), let course = try find(id: id) { return course }
        if let course = try find(slug: reference) { return course }
        throw StoreError.notFound("no course '\(reference)'")
    }

    /// A course with its creator's name, tags and prerequisites.
    public func details(of course: Course) throws -> CourseDetails {
        CourseDetails(course: course,
                      creatorName: try db.first(Self.creatorName, [course.creatorID]) { $0.text(0) } ?? "",
                      tags: try tags(of: course.id),
                      autoTags: try db.all(Self.autoTagsOfCourse, [course.id]) { $0.text(0) },
                      prerequisites: try db.all(Self.prerequisitesOfCourse, [course.id]) { $0.text(0) })
    }

    public func tags(of courseID: Int64) throws -> [String] {
        try db.all(Self.tagsOfCourse, [courseID]) { $0.text(0) }
    }

    /// Courses matching `filter`, by slug.
    /// - Complexity: one indexed query when filtering by domain, creator or tag; a scan otherwise.
    public func list(_ filter: CourseFilter = CourseFilter()) throws -> [Course] {
        var conditions: [String] = []
        var arguments: [any SQLBindable] = []
        if let domain = filter.domain { conditions.append("c.domain = ?"); arguments.append(domain) }
        if let difficulty = filter.difficulty { conditions.append("c.difficulty = ?"); arguments.append(difficulty.rawValue) }
        if let format = filter.format { conditions.append("c.format = ?"); arguments.append(format.rawValue) }
        if let status = filter.status { conditions.append("c.status = ?"); arguments.append(status.rawValue) }
        if let creatorID = filter.creatorID { conditions.append("c.creator_id = ?"); arguments.append(creatorID) }
        if let low = filter.minPriceMinor { conditions.append("c.price_minor >= ?"); arguments.append(low) }
        if let high = filter.maxPriceMinor { conditions.append("c.price_minor <= ?"); arguments.append(high) }
        if let tag = filter.tag {
            conditions.append("c.id IN (SELECT ct.course_id FROM course_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.name = ?)")
            arguments.append(tag.lowercased())
        }
        if let text = filter.text {
            for word in text.split(whereSeparator: { $0 == " " }) {
                conditions.append(db.isPostgres ? Self.textMatchPostgres : Self.textMatch)
                let pattern = likePattern(String(word))
                arguments.append(pattern)
                arguments.append(pattern)
            }
        }
        var sql = "SELECT \(Self.columns) FROM courses c"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY c.slug LIMIT ? OFFSET ?"
        arguments.append(filter.limit ?? -1)
        arguments.append(filter.offset)
        return try db.all(sql, arguments, cached: false, row: Self.read)
    }

    // MARK: Helpers

    func tagID(named name: String, create: Bool) throws -> Int64? {
        if let id = try db.first(Self.tagByName, [name], row: { $0.int64(0) }) { return id }
        guard create else { return nil }
        return try db.insert(Self.insertTag, [name])
    }

    private func slug(of id: Int64) throws -> String {
        try find(id: id)?.slug ?? String(id)
    }

    private func requireCreator(_ id: Int64) throws {
        guard try db.first(Self.creatorName, [id], row: { _ in true }) != nil else {
            throw StoreError.notFound("no creator with id \(id)")
        }
    }

    /// `course` as `create` stores it: validated and normalized, its times defaulting to now.
    func readyToCreate(_ course: Course) throws -> Course {
        var course = course
        try validate(&course)
        if course.createdAt == 0 { course.createdAt = currentUnixTime() }
        if course.updatedAt == 0 { course.updatedAt = course.createdAt }
        return course
    }

    private func validate(_ course: inout Course) throws {
        try Validation.requireSlug(course.slug)
        course.title = course.title.trimmingCharacters(in: .whitespaces)
        guard !course.title.isEmpty else { throw StoreError.invalid("a course needs a title") }
        course.domain = course.domain.trimmingCharacters(in: .whitespaces).lowercased()
        try Validation.requireSlug(course.domain, what: "domain")
        guard course.priceMinor >= 0 else {
            throw StoreError.invalid("price cannot be negative, got \(course.priceMinor)")
        }
        guard course.priceMinor <= Money.maxMinor else {
            throw StoreError.invalid("a price must be \(Money.maxDescription), got \(course.priceMinor) minor units")
        }
        guard course.createdAt == 0 || Timestamp.range.contains(course.createdAt),
              course.updatedAt == 0 || Timestamp.range.contains(course.updatedAt) else {
            throw StoreError.invalid("a course's times must be \(Timestamp.rangeDescription)")
        }
        course.currency = course.currency.uppercased()
        guard course.currency.count == 3, course.currency.allSatisfy({ $0 >= "A" && $0 <= "Z" }) else {
            throw StoreError.invalid("currency must be a 3-letter code such as USD, got '\(course.currency)'")
        }
        guard course.hours.isFinite, course.hours >= 0, course.hours <= 100_000 else {
            throw StoreError.invalid("hours must be between 0 and 100000, got \(course.hours)")
        }
        if let family = course.family {
            let name = family.trimmingCharacters(in: .whitespaces).lowercased()
            if name.isEmpty {
                course.family = nil
            } else {
                guard !name.contains(";") && !name.contains(",") else {
                    throw StoreError.invalid("a course belongs to at most one family, got '\(family)'")
                }
                try Validation.requireSlug(name, what: "family")
                course.family = name
            }
        }
        guard (2...8).contains(course.language.count) else {
            throw StoreError.invalid("language must be a code such as en or zh-Hans, got '\(course.language)'")
        }
    }
}
