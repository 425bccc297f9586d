internal import LecternSQLite

/// One team's figures in the org report at a given time (or, as `total`, the organisation's).
public struct OrgTeamRow: Sendable, Equatable {
    public var team: String
    /// Members now.
    public var members: Int
    /// Members who enrolled in, bought or completed a course since they joined.
    public var seatsUsed: Int
    /// Open assignments of the members, assigned by then.
    public var assigned: Int
    public var completedOnTime: Int
    public var completedLate: Int
    public var overdue: Int
    /// The median of the days from each completed assignment's `assigned_at` to the member's first
    /// completion of the course (0 for a course completed before it was assigned); nil without completions.
    public var medianDaysToComplete: Double?

    /// Completed (on time or late) over assigned; nil without assignments.
    public var completionRate: Double? {
        assigned > 0 ? Double(completedOnTime + completedLate) / Double(assigned) : nil
    }
}

/// How many of a team's members cover one of its target skills, at the start and now.
public struct OrgSkillRow: Sendable, Equatable {
    public var team: String
    public var skill: String
    public var members: Int
    /// Members who had completed a course tagged `skill` before the organisation was added (`created_at`;
    /// a completion in that very second is counted as after it).
    public var coveredAtStart: Int
    /// Members who have completed one by the report's time.
    public var coveredNow: Int

    public var shareAtStart: Double? { members > 0 ? Double(coveredAtStart) / Double(members) : nil }
    public var shareNow: Double? { members > 0 ? Double(coveredNow) / Double(members) : nil }
}

/// One member's assignments. The learner is named by id; the report shows a pseudonym unless asked.
public struct OrgMemberRow: Sendable, Equatable {
    public var userID: Int64
    public var externalID: String
    public var team: String
    public var seatUsed: Bool
    public var assigned: Int
    public var completedOnTime: Int
    public var completedLate: Int
    public var overdue: Int
}

/// What an organisation paid for seats in one currency, and per completion of an assigned course.
public struct OrgSpendRow: Sendable, Equatable {
    public var currency: String
    public var purchases: Int
    public var seats: Int
    public var amountMinor: Int64
    /// Members' completions (on time or late) of their open assignments.
    public var completions: Int

    /// amount / completions, rounded half up to the minor unit; nil without completions.
    public var perCompletionMinor: Int64? {
        completions > 0 ? (2 * amountMinor + Int64(completions)) / (2 * Int64(completions)) : nil
    }
}

/// Assigned courses first completed in one UTC month, on time and late.
public struct OrgMonthRow: Sendable, Equatable {
    /// `2025-03`.
    public var month: String
    public var onTime: Int
    public var late: Int
}

/// An organisation's training at one time: per team, skill coverage, members, spend, completions by month.
public struct OrgReportResult: Sendable, Equatable {
    /// As it stands (its seats today, whatever `now` is).
    public var organisation: Organisation
    /// The time the figures are for.
    public var now: Int64
    /// "At the start": the organisation's `created_at` (completions before it).
    public var start: Int64
    /// By team name: every team with members or target skills.
    public var teams: [OrgTeamRow]
    /// The whole organisation (team "total").
    public var total: OrgTeamRow
    /// By team, then skill.
    public var skills: [OrgSkillRow]
    /// By team, then external id.
    public var members: [OrgMemberRow]
    /// By currency; none when no seats were bought.
    public var spend: [OrgSpendRow]
    /// Every month from the start (or the first completion, if earlier) to `now`, the latest 36 at most.
    public var completionsByMonth: [OrgMonthRow]
}

/// Enterprise training by organisation (`lectern report org`): assignments, skills and spend per team.
public struct OrgReport {
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

    /// Members of ?1 by team and external id, each with whether they enrolled in, bought or completed a
    /// course since joining and by ?2 (seeks in `interactions_by_user`).
    static let members = """
        SELECT m.user_id, u.external_id, m.team,
               EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = m.user_id AND i.kind IN ('enroll', 'purchase', 'complete')
                       AND i.occurred_at >= m.joined_at AND i.occurred_at <= ?2)
        FROM org_members m JOIN users u ON u.id = m.user_id WHERE m.org_id = ?1 ORDER BY m.team, u.external_id
        """
    /// For each member of ?1 and each target skill of the organisation, when they first completed a
    /// course tagged with it, by ?2. It reads the members' own events (`interactions_by_user`): the
    /// unary `+` keeps the planner from starting at the skill's tag and reading every completion of
    /// every course so tagged (5.9 s against 0.02 s for an organisation of 120 on 20M events).
    static let firstCoverage = """
        SELECT m.user_id, t.name, min(i.occurred_at)
        FROM org_members m JOIN interactions i ON i.user_id = m.user_id AND i.kind = 'complete' AND i.occurred_at <= ?2
        JOIN course_tags ct ON ct.course_id = +i.course_id JOIN tags t ON t.id = ct.tag_id
        WHERE m.org_id = ?1 AND t.name IN (SELECT skill FROM org_skills WHERE org_id = ?1)
        GROUP BY m.user_id, t.name
        """
    /// Seat purchases of ?1 by ?2, per currency.
    static let spend = """
        SELECT currency, count(*), sum(seats), sum(amount_minor) FROM org_seat_purchases
        WHERE org_id = ?1 AND occurred_at <= ?2 GROUP BY currency ORDER BY currency
        """

    /// Organisation `org`'s report at time `now`: its members (as they are), their open assignments
    /// assigned by `now` with each one's status then (`AssignmentRepository.list`), target skills covered
    /// at the start (`created_at`) and at `now`, and seat purchases by `now`.
    /// - Throws: `StoreError` for an unknown organisation.
    /// - Complexity: O(members' events + assignments x log events + seat purchases).
    public func report(org: String, now: Int64) throws -> OrgReportResult {
        let organisation = try OrganisationRepository(db).resolve(org)
        return try withStoreErrors {
            try db.transaction(.deferred) {
                let members = try db.all(Self.members, [organisation.id, now]) { row in
                    OrgMemberRow(userID: row.int64(0), externalID: row.text(1), team: row.text(2), seatUsed: row.int(3) != 0,
                                 assigned: 0, completedOnTime: 0, completedLate: 0, overdue: 0)
                }
                let assignments = try AssignmentRepository(db).list(orgID: organisation.id, now: now).filter { $0.assignedAt <= now }
                let skills = try coverage(of: organisation, members: members, now: now)
                let tally = Tally(members: members, assignments: assignments,
                                  teams: Set(members.map(\.team)).union(skills.map(\.team)).sorted())
                let spend = try db.all(Self.spend, [organisation.id, now]) { row in
                    OrgSpendRow(currency: row.text(0), purchases: row.int(1), seats: row.int(2), amountMinor: row.int64(3),
                                completions: tally.total.completedOnTime + tally.total.completedLate)
                }
                return OrgReportResult(organisation: organisation, now: now, start: organisation.createdAt, teams: tally.teams,
                                       total: tally.total, skills: skills, members: tally.members, spend: spend,
                                       completionsByMonth: Self.months(assignments, from: organisation.createdAt, to: now))
            }
        }
    }

    /// Each team's target skills with the members covering them at the start and at `now`.
    private func coverage(of organisation: Organisation, members: [OrgMemberRow], now: Int64) throws -> [OrgSkillRow] {
        struct Covered: Hashable {
            var userID: Int64
            var skill: String
        }
        var first: [Covered: Int64] = [:]
        for (user, skill, time) in try db.all(Self.firstCoverage, [organisation.id, now], row: {
            ($0.int64(0), $0.text(1), $0.int64(2))
        }) {
            first[Covered(userID: user, skill: skill)] = time
        }
        let byTeam = Dictionary(grouping: members, by: \.team)
        var rows: [OrgSkillRow] = []
        for (team, skills) in try OrganisationRepository(db).skills(of: organisation.slug).sorted(by: { $0.key < $1.key }) {
            let inTeam = byTeam[team] ?? []
            for skill in skills.sorted() {
                let times = inTeam.compactMap { first[Covered(userID: $0.userID, skill: skill)] }
                rows.append(OrgSkillRow(team: team, skill: skill, members: inTeam.count,
                                        coveredAtStart: times.filter { $0 < organisation.createdAt }.count, coveredNow: times.count))
            }
        }
        return rows
    }

    /// Assignments counted per member, per team and in all.
    private struct Tally {
        var members: [OrgMemberRow]
        var teams: [OrgTeamRow] = []
        var total = OrgTeamRow(team: "total", members: 0, seatsUsed: 0, assigned: 0, completedOnTime: 0, completedLate: 0, overdue: 0)

        init(members: [OrgMemberRow], assignments: [Assignment], teams: [String]) {
            self.members = members
            let index = Dictionary(members.enumerated().map { ($1.externalID, $0) }, uniquingKeysWith: { first, _ in first })
            var days: [String: [Double]] = [:]
            for a in assignments {
                guard let i = index[a.user] else { continue }
                self.members[i].assigned += 1
                switch a.status {
                case .completed: self.members[i].completedOnTime += 1
                case .completedLate: self.members[i].completedLate += 1
                case .overdue: self.members[i].overdue += 1
                case .assigned, .started: break
                }
                if let completed = a.completedAt {
                    days[members[i].team, default: []].append(Double(max(0, completed - a.assignedAt)) / 86_400)
                }
            }
            for team in teams {
                let some = self.members.filter { $0.team == team }
                self.teams.append(Self.row(team, some, days: days[team] ?? []))
            }
            total = Self.row("total", self.members, days: days.values.flatMap { $0 })
        }

        static func row(_ team: String, _ members: [OrgMemberRow], days: [Double]) -> OrgTeamRow {
            func sum(_ figure: (OrgMemberRow) -> Int) -> Int { members.reduce(0) { $0 + figure($1) } }
            return OrgTeamRow(team: team, members: members.count, seatsUsed: members.filter(\.seatUsed).count,
                              assigned: sum(\.assigned), completedOnTime: sum(\.completedOnTime), completedLate: sum(\.completedLate),
                              overdue: sum(\.overdue), medianDaysToComplete: OrgReport.median(days))
        }
    }

    /// The middle value (the mean of the two middle ones for an even count); nil for none.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Completions of assignments per UTC month, every month from `from`'s (or the first completion's)
    /// to `to`'s, the latest 36 at most.
    static func months(_ assignments: [Assignment], from: Int64, to: Int64) -> [OrgMonthRow] {
        func index(_ time: Int64) -> Int {
            let date = Timestamp.formatDate(min(max(time, 0), 253_402_300_799))  // years 1970 to 9999
            return Int(date.prefix(4))! * 12 + Int(date.dropFirst(5).prefix(2))! - 1
        }
        var counts: [Int: (onTime: Int, late: Int)] = [:]
        for a in assignments {
            guard let completed = a.completedAt else { continue }
            if a.status == .completedLate {
                counts[index(completed), default: (0, 0)].late += 1
            } else {
                counts[index(completed), default: (0, 0)].onTime += 1
            }
        }
        let last = max(index(to), counts.keys.max() ?? .min)
        let first = max(min(index(from), counts.keys.min() ?? .max), last - 35)
        guard first <= last else { return [] }
        return (first...last).map { month in
            let year = String(month / 12), number = month % 12 + 1
            let label = String(repeating: "0", count: max(0, 4 - year.count)) + year + (number < 10 ? "-0" : "-") + String(number)
            return OrgMonthRow(month: label, onTime: counts[month]?.onTime ?? 0, late: counts[month]?.late ?? 0)
        }
    }
}
