internal import LecternSQLite

/// One domain's catalog: its courses by status, difficulty and format, what nobody viewed or bought,
/// its tags and its longest prerequisite chain.
public struct CatalogRow: Sendable, Equatable {
    public var domain: String
    public var courses = 0
    /// draft, published, archived
    public var byStatus = [0, 0, 0]
    /// beginner, intermediate, advanced
    public var byDifficulty = [0, 0, 0]
    /// video, audio, ebook, live, article
    public var byFormat = [0, 0, 0, 0, 0]
    public var neverViewed = 0
    public var neverBought = 0
    public var tags = 0
    /// Courses in the longest chain of prerequisites ending in this domain (1 = no prerequisites).
    public var longestChain = 0
}

/// The catalog by domain.
public struct CatalogReport {
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
        SELECT c.id, c.domain, c.status, c.difficulty, c.format,
               EXISTS (SELECT 1 FROM interactions i WHERE i.course_id = c.id AND i.kind = 'view'),
               EXISTS (SELECT 1 FROM interactions i WHERE i.course_id = c.id AND i.kind = 'purchase')
        FROM courses c WHERE (CAST(?1 AS TEXT) IS NULL OR c.domain = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR c.creator_id = ?2)
        """
    static let tags = """
        SELECT c.domain, count(DISTINCT ct.tag_id) FROM course_tags ct JOIN courses c ON c.id = ct.course_id GROUP BY c.domain
        """
    static let prerequisites = "SELECT course_id, requires_id FROM course_prerequisites"

    /// Every domain's row, by domain, and the total.
    /// - Complexity: O(courses + prerequisites); chains are memoised longest paths (the graph has no cycles).
    public func domains(_ filter: ReportFilter) throws -> (rows: [CatalogRow], total: CatalogRow) {
        try withStoreErrors {
            var requires: [Int64: [Int64]] = [:]
            for (course, required) in try db.all(Self.prerequisites, row: { ($0.int64(0), $0.int64(1)) }) {
                requires[course, default: []].append(required)
            }
            var chain: [Int64: Int] = [:]
            func length(_ course: Int64, _ depth: Int) -> Int {
                if let known = chain[course] { return known }
                guard depth < 10_000 else { return 1 }
                let value = 1 + (requires[course]?.map { length($0, depth + 1) }.max() ?? 0)
                chain[course] = value
                return value
            }
            let tagCounts = Dictionary(uniqueKeysWithValues: try db.all(Self.tags) { ($0.text(0), $0.int(1)) })
            var rows: [String: CatalogRow] = [:]
            var total = CatalogRow(domain: "total")
            let statuses = ["draft", "published", "archived"], difficulties = ["beginner", "intermediate", "advanced"]
            let formats = ["video", "audio", "ebook", "live", "article"]
            for (id, domain, status, difficulty, format, viewed, bought) in try db.all(Self.courses, [filter.domain, filter.creatorID], row: {
                ($0.int64(0), $0.text(1), $0.text(2), $0.text(3), $0.text(4), $0.int(5) != 0, $0.int(6) != 0)
            }) {
                func count(_ r: inout CatalogRow) {
                    r.courses += 1
                    if let s = statuses.firstIndex(of: status) { r.byStatus[s] += 1 }
                    if let d = difficulties.firstIndex(of: difficulty) { r.byDifficulty[d] += 1 }
                    if let f = formats.firstIndex(of: format) { r.byFormat[f] += 1 }
                    if !viewed { r.neverViewed += 1 }
                    if !bought { r.neverBought += 1 }
                    r.longestChain = max(r.longestChain, length(id, 0))
                }
                var row = rows[domain] ?? CatalogRow(domain: domain)
                count(&row)
                count(&total)
                row.tags = tagCounts[domain] ?? 0
                rows[domain] = row
            }
            total.tags = try db.scalarInt("SELECT count(DISTINCT tag_id) FROM course_tags").map(Int.init) ?? 0
            return (rows.values.sorted { $0.domain < $1.domain }, total)
        }
    }
}
