import LecternCore
internal import LecternPostgres
internal import LecternSQLite

/// Courses of a courses import on PostgreSQL, written a batch at a time: one multi-row INSERT for
/// the courses, one for the tags they name, one for their links. Row by row, a course costs a
/// dozen round trips (its slug checked, its creator, each tag found or made and linked).
///
/// A batch runs in a savepoint. When it fails (a slug already stored or repeated in the file, a
/// value a constraint or trigger refuses), it is rolled back and written again course by course
/// through `CourseRepository`, so the error names the first bad line as the row-by-row import does.
struct CourseBatch {
    let db: Executor
    /// Courses validated by `CourseRepository.validate`, with their tags' normalized names.
    private(set) var pending: [(line: Int, course: Course, tags: [String])] = []
    /// Courses per batch: 15 parameters each, well under PostgreSQL's 65,535 per statement.
    static let size = 1_000

    init(_ db: Executor) {
        self.db = db
    }

    var isFull: Bool { pending.count >= Self.size }

    mutating func append(_ course: Course, tags: [String], line: Int) {
        pending.append((line, course, tags))
    }

    /// Writes the pending courses and returns their ids by slug; throws the error of the first bad
    /// line, prefixed "line N:".
    mutating func flush() throws -> [String: Int64] {
        guard !pending.isEmpty else { return [:] }
        defer { pending.removeAll(keepingCapacity: true) }
        do {
            return try db.transaction { try insertAll() }
        } catch let error as PGError where error.isConstraintViolation || error.isRaisedByTrigger {
            return try db.transaction { try insertOneByOne() }
        }
    }

    private func insertAll() throws -> [String: Int64] {
        var sql = "INSERT INTO courses (slug, title, description, domain, difficulty, format, language, price_minor, "
            + "currency, creator_id, hours, status, created_at, updated_at, family) VALUES "
        var values: [any SQLBindable] = []
        values.reserveCapacity(pending.count * 15)
        for (index, (_, course, _)) in pending.enumerated() {
            sql += (index == 0 ? "(" : ", (") + Array(repeating: "?", count: 15).joined(separator: ", ") + ")"
            values += Self.values(of: course)
        }
        var ids: [String: Int64] = [:]
        try db.each(sql + " RETURNING id, slug", values, cached: false) { row in ids[try row.text(1)] = try row.int64(0) }
        let names = Array(Set(pending.flatMap(\.tags)))
        guard !names.isEmpty else { return ids }
        var tagIDs: [String: Int64] = [:]
        for chunk in names.chunked(10_000) {
            let marks = Array(repeating: "(?)", count: chunk.count).joined(separator: ", ")
            let arguments = chunk.map { $0 as any SQLBindable }
            try db.run("INSERT INTO tags (name) VALUES \(marks) ON CONFLICT (name) DO NOTHING", arguments, cached: false)
            let list = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            try db.each("SELECT id, name FROM tags WHERE name IN (\(list))", arguments, cached: false) { row in
                tagIDs[try row.text(1)] = try row.int64(0)
            }
        }
        var links: [any SQLBindable] = []
        for (_, course, tags) in pending {
            guard let courseID = ids[course.slug] else { continue }
            for name in Set(tags) { if let tagID = tagIDs[name] { links += [courseID, tagID] as [any SQLBindable] } }
        }
        for chunk in links.chunked(30_000) {
            let rows = Array(repeating: "(?, ?)", count: chunk.count / 2).joined(separator: ", ")
            try db.run("""
                INSERT INTO course_tags (course_id, tag_id) VALUES \(rows)
                ON CONFLICT (course_id, tag_id) DO UPDATE SET source = 'editor', weight = NULL
                """, Array(chunk), cached: false)
        }
        return ids
    }

    /// The batch again, one course at a time, to name the line a failure comes from.
    private func insertOneByOne() throws -> [String: Int64] {
        let courses = CourseRepository(db)
        var ids: [String: Int64] = [:]
        for (line, course, tags) in pending {
            do {
                let stored = try courses.create(course)
                if !tags.isEmpty { try courses.tag(courseID: stored.id, with: tags) }
                ids[stored.slug] = stored.id
            } catch let error as StoreError where error.isRowFault {
                throw StoreError(error.code, "line \(line): \(error.message)")
            } catch let error as PGError where error.isConstraintViolation {
                throw StoreError.invalid("line \(line): \(error.description)")
            }
        }
        return ids
    }

    /// The fifteen columns of `CourseRepository.insert`, in its order.
    private static func values(of course: Course) -> [any SQLBindable] {
        [course.slug, course.title, course.description, course.domain, course.difficulty.rawValue, course.format.rawValue,
         course.language, course.priceMinor, course.currency, course.creatorID, course.hours, course.status.rawValue,
         course.createdAt, course.updatedAt, course.family]
    }
}

extension Array {
    /// The array in consecutive pieces of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
