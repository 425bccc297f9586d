internal import LecternSQLite

/// Courses assigned to organisation members with due dates, and where each stands.
public struct AssignmentRepository {
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

    /// What `assign` did.
    public enum Outcome: String, Sendable, Equatable {
        /// A new open assignment.
        case assigned
        /// The same course was already assigned to the member, due then: nothing changed.
        case unchanged
        /// Already assigned: its due date moved to the one given.
        case rescheduled
    }

    static let open = "SELECT id, due_at FROM assignments WHERE org_id = ? AND user_id = ? AND course_id = ? AND retired_at IS NULL"
    static let insert = """
        INSERT INTO assignments (org_id, user_id, course_id, source, step, due_at, assigned_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    static let reschedule = "UPDATE assignments SET due_at = ?, step = coalesce(?, step) WHERE id = ?"
    /// Each assignment with its member's team, when they first completed the course, and whether
    /// they enrolled in or bought it, by time ?5: seeks in `interactions_by_user`. A parameter that may
    /// be NULL is cast where it is tested, as PostgreSQL cannot tell the type of an untyped NULL there.
    static let list = """
        SELECT a.id, o.slug, u.external_id, m.team, c.slug, a.source, a.step, a.due_at, a.assigned_at, a.retired_at,
               (SELECT min(i.occurred_at) FROM interactions i
                WHERE i.user_id = a.user_id AND i.course_id = a.course_id AND i.kind = 'complete' AND i.occurred_at <= ?5),
               EXISTS (SELECT 1 FROM interactions i
                       WHERE i.user_id = a.user_id AND i.course_id = a.course_id AND i.kind IN ('enroll', 'purchase')
                         AND i.occurred_at <= ?5)
        FROM assignments a
        JOIN organisations o ON o.id = a.org_id
        JOIN users u ON u.id = a.user_id
        JOIN courses c ON c.id = a.course_id
        LEFT JOIN org_members m ON m.user_id = a.user_id AND m.org_id = a.org_id
        WHERE a.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR m.team = ?2) AND (CAST(?3 AS BIGINT) IS NULL OR a.user_id = ?3) AND (?4 <> 0 OR a.retired_at IS NULL)
        ORDER BY m.team NULLS FIRST, u.external_id, a.due_at, a.step NULLS FIRST, c.slug
        """

    /// Assigns course `courseID` to member `userID` of organisation `orgID`, due `dueAt`. Assigning
    /// the same open course again changes nothing, or moves its due date.
    /// The caller checks membership, licence and dates (see `AssignmentService`).
    public func assign(orgID: Int64, userID: Int64, courseID: Int64, source: Assignment.Source, step: Int? = nil,
                       dueAt: Int64, at time: Int64 = currentUnixTime()) throws -> Outcome {
        try withStoreErrors {
            if let (id, due) = try db.first(Self.open, [orgID, userID, courseID], row: { ($0.int64(0), $0.int64(1)) }) {
                guard due != dueAt else { return .unchanged }
                try db.run(Self.reschedule, [dueAt, step, id])
                return .rescheduled
            }
            try db.run(Self.insert, [orgID, userID, courseID, source.rawValue, step, dueAt, time])
            return .assigned
        }
    }

    static let retire = EngineSQL(
        sqlite: "UPDATE assignments SET retired_at = max(?, assigned_at) WHERE org_id = ? AND user_id = ? AND course_id = ? AND retired_at IS NULL",
        postgres: "UPDATE assignments SET retired_at = greatest(?, assigned_at) WHERE org_id = ? AND user_id = ? AND course_id = ? AND retired_at IS NULL")

    /// Retires the open assignment of `courseID` to `userID` (an imported history's `retired_at`).
    public func retire(orgID: Int64, userID: Int64, courseID: Int64, at time: Int64) throws {
        try withStoreErrors { try db.run(Self.retire, [time, orgID, userID, courseID]) }
    }

    static let covers = """
        SELECT EXISTS (SELECT 1 FROM interactions i JOIN course_tags ct ON ct.course_id = i.course_id
                       JOIN tags t ON t.id = ct.tag_id
                       WHERE i.user_id = ?1 AND i.kind = 'complete' AND t.name = ?2)
        """
    /// The published course tagged ?1 that the most learners completed, not completed by learner ?2,
    /// within organisation ?3's licence when it has one.
    static let closesGap = """
        SELECT c.id FROM tags t JOIN course_tags ct ON ct.tag_id = t.id JOIN courses c ON c.id = ct.course_id
        WHERE t.name = ?1 AND c.status = 'published'
          AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = ?2 AND i.course_id = c.id AND i.kind = 'complete')
          AND (NOT EXISTS (SELECT 1 FROM org_licences WHERE org_id = ?3)
               OR EXISTS (SELECT 1 FROM org_licences l WHERE l.org_id = ?3 AND (l.course_id = c.id OR l.domain = c.domain)))
        ORDER BY (SELECT count(*) FROM interactions i WHERE i.course_id = c.id AND i.kind = 'complete') DESC, c.slug
        LIMIT 1
        """
    static let hasLicences = "SELECT EXISTS (SELECT 1 FROM org_licences WHERE org_id = ?)"

    /// For a team's skill gap: nil when learner `userID` completed a course tagged `skill`; else the
    /// published course tagged so that most learners completed (by slug on a tie), inside the
    /// organisation's licence. `.none` inside means no such course exists.
    public func courseClosingGap(skill: String, userID: Int64, orgID: Int64) throws -> Int64?? {
        try withStoreErrors {
            if try db.scalarInt(Self.covers, [userID, skill]) == 1 { return nil }
            return .some(try db.first(Self.closesGap, [skill, userID, orgID]) { $0.int64(0) })
        }
    }

    /// Whether organisation `orgID` licenses anything (else every course may be assigned).
    public func hasLicences(orgID: Int64) throws -> Bool {
        try db.scalarInt(Self.hasLicences, [orgID]) == 1
    }

    /// `org`'s assignments (of one team, one member, one status), each with its status at `now`.
    /// - Parameter includingRetired: also those of members who left.
    public func list(orgID: Int64, team: String? = nil, userID: Int64? = nil, status: Assignment.Status? = nil,
                     includingRetired: Bool = false, now: Int64 = currentUnixTime()) throws -> [Assignment] {
        try withStoreErrors {
            try db.all(Self.list, [orgID, team, userID, includingRetired, now]) { row in
                let due = row.int64(7), completed = row.optionalInt64(10)
                let state: Assignment.Status
                if let completed {
                    state = completed <= due ? .completed : .completedLate
                } else if now > due {
                    state = .overdue
                } else {
                    state = row.int(11) != 0 ? .started : .assigned
                }
                return Assignment(id: row.int64(0), org: row.text(1), user: row.text(2), team: row.optionalText(3),
                                  course: row.text(4), source: Assignment.Source(rawValue: row.text(5)) ?? .course,
                                  step: row.isNull(6) ? nil : row.int(6), dueAt: due, assignedAt: row.int64(8),
                                  retiredAt: row.optionalInt64(9), completedAt: completed, status: state)
            }.filter { status == nil || $0.status == status }
        }
    }
}
