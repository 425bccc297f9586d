internal import LecternSQLite

/// Writes the catalog, the learners and their interactions in the formats `Importer` reads, so an
/// export imported into an empty database exports again byte for byte.
///
/// Every entity exports from both engines, with the same bytes.
public struct Exporter {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let creators = "SELECT name, revenue_share, contact, created_at FROM creators ORDER BY id"
    /// SQLite's `group_concat` over an ordered subquery is PostgreSQL's `string_agg(... ORDER BY ...)`.
    static let courses = EngineSQL(sqlite: """
        SELECT c.id, c.slug, c.title, c.description, c.domain, c.difficulty, c.format, c.language, c.price_minor,
               c.currency, cr.name, c.hours, c.status, c.created_at, c.updated_at,
               (SELECT group_concat(name, ';') FROM (SELECT t.name FROM course_tags ct JOIN tags t ON t.id = ct.tag_id
                    WHERE ct.course_id = c.id ORDER BY t.name)),
               (SELECT group_concat(slug, ';') FROM (SELECT r.slug FROM course_prerequisites p
                    JOIN courses r ON r.id = p.requires_id WHERE p.course_id = c.id ORDER BY r.slug)),
               c.family
        FROM courses c JOIN creators cr ON cr.id = c.creator_id ORDER BY c.id
        """, postgres: """
        SELECT c.id, c.slug, c.title, c.description, c.domain, c.difficulty, c.format, c.language, c.price_minor,
               c.currency, cr.name, c.hours, c.status, c.created_at, c.updated_at,
               (SELECT string_agg(t.name, ';' ORDER BY t.name) FROM course_tags ct JOIN tags t ON t.id = ct.tag_id
                    WHERE ct.course_id = c.id),
               (SELECT string_agg(r.slug, ';' ORDER BY r.slug) FROM course_prerequisites p
                    JOIN courses r ON r.id = p.requires_id WHERE p.course_id = c.id),
               c.family
        FROM courses c JOIN creators cr ON cr.id = c.creator_id ORDER BY c.id
        """)
    static let users = EngineSQL(sqlite: """
        SELECT u.external_id, u.display_name, u.email, u.country,
               (SELECT group_concat(topic, ';') FROM (SELECT topic FROM user_interests WHERE user_id = u.id ORDER BY position)),
               u.channel, u.campaign, u.created_at, u.marketing_opt_in
        FROM users u ORDER BY u.id
        """, postgres: """
        SELECT u.external_id, u.display_name, u.email, u.country,
               (SELECT string_agg(topic, ';' ORDER BY position) FROM user_interests WHERE user_id = u.id),
               u.channel, u.campaign, u.created_at, u.marketing_opt_in
        FROM users u ORDER BY u.id
        """)
    static let interactions = """
        SELECT u.external_id, c.slug, i.kind, i.value, i.channel, i.occurred_at, i.idempotency_key, i.reason
        FROM interactions i JOIN users u ON u.id = i.user_id JOIN courses c ON c.id = i.course_id
        ORDER BY i.id
        """

    static let members = """
        SELECT o.slug, u.external_id, m.team, m.role, m.is_manager, m.joined_at
        FROM org_members m JOIN organisations o ON o.id = m.org_id JOIN users u ON u.id = m.user_id
        ORDER BY o.slug, m.team, u.external_id
        """

    /// Writes every organisation member, in the form `importMembers` reads.
    @discardableResult
    public func exportMembers(to path: String?, format: TransferFormat) throws -> Int {
        try export(Self.members, MemberColumn.self, path: path, format: format) { s in
            [.text(s.text(0)), .text(s.text(1)), .text(s.text(2)), .text(s.optionalText(3)),
             .text(s.int64(4) != 0 ? "true" : "false"), .text(Timestamp.format(s.int64(5)))]
        }
    }

    static let organisations = EngineSQL(sqlite: """
        SELECT o.slug, o.name, o.seats, o.seat_price_minor, o.currency, o.created_at,
               (SELECT group_concat(domain, ';') FROM (SELECT domain FROM org_licences WHERE org_id = o.id AND domain IS NOT NULL ORDER BY domain)),
               (SELECT group_concat(slug, ';') FROM (SELECT c.slug FROM org_licences l JOIN courses c ON c.id = l.course_id
                                                      WHERE l.org_id = o.id ORDER BY c.slug)),
               (SELECT group_concat(item, ';') FROM (SELECT team || ':' || skill AS item FROM org_skills WHERE org_id = o.id ORDER BY team, skill))
        FROM organisations o ORDER BY o.slug
        """, postgres: """
        SELECT o.slug, o.name, o.seats, o.seat_price_minor, o.currency, o.created_at,
               (SELECT string_agg(domain, ';' ORDER BY domain) FROM org_licences WHERE org_id = o.id AND domain IS NOT NULL),
               (SELECT string_agg(c.slug, ';' ORDER BY c.slug) FROM org_licences l JOIN courses c ON c.id = l.course_id
                WHERE l.org_id = o.id),
               (SELECT string_agg(team || ':' || skill, ';' ORDER BY team, skill) FROM org_skills WHERE org_id = o.id)
        FROM organisations o ORDER BY o.slug
        """)
    static let assignments = """
        SELECT o.slug, u.external_id, c.slug, a.source, a.step, a.due_at, a.assigned_at, a.retired_at
        FROM assignments a JOIN organisations o ON o.id = a.org_id JOIN users u ON u.id = a.user_id JOIN courses c ON c.id = a.course_id
        ORDER BY a.id
        """

    /// Writes every organisation with its licence and teams' skills, in the form `importOrganisations` reads.
    @discardableResult
    public func exportOrganisations(to path: String?, format: TransferFormat) throws -> Int {
        try export(Self.organisations, OrganisationColumn.self, path: path, format: format) { s in
            [.text(s.text(0)), .text(s.text(1)), .int(s.int64(2)), .int(s.optionalInt64(3)), .text(s.text(4)),
             .text(Timestamp.format(s.int64(5))), .list(Self.split(s.optionalText(6))), .list(Self.split(s.optionalText(7))),
             .list(Self.split(s.optionalText(8)))]
        }
    }

    /// Writes every assignment, retired ones included, in the form `importAssignments` reads.
    @discardableResult
    public func exportAssignments(to path: String?, format: TransferFormat) throws -> Int {
        try export(Self.assignments, AssignmentColumn.self, path: path, format: format) { s in
            [.text(s.text(0)), .text(s.text(1)), .text(s.text(2)), .text(s.text(3)), .int(s.optionalInt64(4)),
             .text(Timestamp.format(s.int64(5))), .text(Timestamp.format(s.int64(6))), .text(s.optionalInt64(7).map(Timestamp.format))]
        }
    }

    /// Writes every creator; `path` nil means standard output. Returns the rows written.
    @discardableResult
    public func exportCreators(to path: String?, format: TransferFormat) throws -> Int {
        try export(Self.creators, CreatorColumn.self, path: path, format: format) { s in
            [.text(s.text(0)), .double(s.double(1)), .text(s.optionalText(2)), .text(Timestamp.format(s.int64(3)))]
        }
    }

    @discardableResult
    public func exportCourses(to path: String?, format: TransferFormat) throws -> Int {
        try export(Self.courses, CourseColumn.self, path: path, format: format) { s in
            [.text(s.text(1)), .text(s.text(2)), .text(s.text(3)), .text(s.text(4)), .text(s.text(5)), .text(s.text(6)),
             .text(s.text(7)), .int(s.int64(8)), .text(s.text(9)), .text(s.text(10)), .double(s.double(11)),
             .text(s.text(12)), .list(Self.split(s.optionalText(15))), .list(Self.split(s.optionalText(16))),
             .text(Timestamp.format(s.int64(13))), .text(Timestamp.format(s.int64(14))), .text(s.optionalText(17))]
        }
    }

    @discardableResult
    public func exportUsers(to path: String?, format: TransferFormat) throws -> Int {
        try export(Self.users, LearnerColumn.self, path: path, format: format) { s in
            [.text(s.text(0)), .text(s.text(1)), .text(s.optionalText(2)), .text(s.optionalText(3)),
             .list(Self.split(s.optionalText(4))), .text(s.text(5)), .text(s.optionalText(6)),
             .text(Timestamp.format(s.int64(7))), .bool(s.int64(8) != 0)]
        }
    }

    @discardableResult
    public func exportInteractions(to path: String?, format: TransferFormat) throws -> Int {
        try export(Self.interactions, InteractionColumn.self, path: path, format: format) { s in
            [.text(s.text(0)), .text(s.text(1)), .text(s.text(2)), .int(s.optionalInt64(3)), .text(s.optionalText(4)),
             .text(Timestamp.format(s.int64(5))), .text(s.optionalText(6)), .text(s.optionalText(7))]
        }
    }

    private static func split(_ text: String?) -> [String] {
        text.map { $0.split(separator: ";").map(String.init) } ?? []
    }

    private func export<Column: TransferColumn>(_ sql: some EngineStatement, _ columns: Column.Type, path: String?,
                                                format: TransferFormat,
                                                row: (Row) -> [RecordWriter.Value]) throws -> Int {
        try withStoreErrors {
            // One read transaction: the export is a consistent snapshot even while others write.
            try db.transaction(.deferred) {
                let writer = try RecordWriter(path: path, format: format, columns: Column.allCases.map(\.name))
                var count = 0
                _ = try db.all(sql, cached: false) { values in
                    try writer.row(row(values))
                    count += 1
                }
                try writer.finish()
                return count
            }
        }
    }
}
