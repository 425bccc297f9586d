internal import LecternSQLite

extension OrganisationRepository {
    static let memberColumns = "m.user_id, u.external_id, m.org_id, m.team, m.role, m.is_manager, m.joined_at"
    static let memberOf = "SELECT \(memberColumns) FROM org_members m JOIN users u ON u.id = m.user_id WHERE m.user_id = ?"
    static let members = """
        SELECT \(memberColumns) FROM org_members m JOIN users u ON u.id = m.user_id
        WHERE m.org_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR m.team = ?2) ORDER BY m.team, u.external_id
        """
    static let insertMember = """
        INSERT INTO org_members (user_id, org_id, team, role, is_manager, joined_at) VALUES (?, ?, ?, ?, ?, ?)
        """
    static let updateMember = "UPDATE org_members SET org_id = ?, team = ?, role = ?, is_manager = ?, joined_at = ? WHERE user_id = ?"
    static let deleteMember = "DELETE FROM org_members WHERE user_id = ? AND org_id = ?"
    static let retireOpen = EngineSQL(
        sqlite: "UPDATE assignments SET retired_at = max(?, assigned_at) WHERE org_id = ? AND user_id = ? AND retired_at IS NULL",
        postgres: "UPDATE assignments SET retired_at = greatest(?, assigned_at) WHERE org_id = ? AND user_id = ? AND retired_at IS NULL")

    static func readMember(_ row: Row) -> OrgMember {
        OrgMember(userID: row.int64(0), externalID: row.text(1), orgID: row.int64(2), team: row.text(3),
                  role: row.optionalText(4), isManager: row.int(5) != 0, joinedAt: row.int64(6))
    }

    /// What happened to a member handed to `addMember`.
    public enum MemberOutcome: Sendable, Equatable {
        case added
        /// Already a member here: team, role and manager flag now as given.
        case updated
        /// Moved from another organisation (named): their open assignments there are retired; their
        /// history stays theirs.
        case moved(from: String)
    }

    /// Makes learner `member.externalID` a member of `org` in `member.team`.
    /// - Throws: `StoreError` for an unknown organisation or learner, a bad team, or no seat left
    ///   (with the seat count).
    @discardableResult
    public func addMember(_ member: OrgMember, to org: String, at time: Int64 = currentUnixTime()) throws -> MemberOutcome {
        try Self.validate(team: member.team, role: member.role)
        return try withStoreErrors {
            try db.transaction(.immediate) {
                let organisation = try resolve(org)
                let learner = try LearnerRepository(db).resolve(member.externalID)
                let current = try db.first(Self.memberOf, [learner.id], row: Self.readMember)
                if current?.orgID != organisation.id {
                    let members = try memberCount(of: organisation.id)
                    guard members < organisation.seats else {
                        throw StoreError.conflict("'\(organisation.slug)' has \(organisation.seats) seats and \(members) members: "
                            + "add seats first (lectern org update \(organisation.slug) --seats \(members + 1))")
                    }
                }
                let values: [any SQLBindable] = [organisation.id, member.team, member.role, member.isManager ? 1 : 0, time]
                guard let current else {
                    try db.run(Self.insertMember, [learner.id] + values)
                    return .added
                }
                try db.run(Self.updateMember, values + [learner.id])
                guard current.orgID != organisation.id else { return .updated }
                try db.run(Self.retireOpen, [time, current.orgID, learner.id])
                return .moved(from: try find(id: current.orgID)?.slug ?? String(current.orgID))
            }
        }
    }

    /// Takes learner `externalID` out of `org` and retires their open assignments there.
    public func removeMember(_ externalID: String, from org: String, at time: Int64 = currentUnixTime()) throws {
        try withStoreErrors {
            try db.transaction(.immediate) {
                let organisation = try resolve(org)
                let learner = try LearnerRepository(db).resolve(externalID)
                try db.run(Self.deleteMember, [learner.id, organisation.id])
                guard db.changes == 1 else { throw StoreError.notFound("'\(externalID)' is not a member of '\(organisation.slug)'") }
                try db.run(Self.retireOpen, [time, organisation.id, learner.id])
            }
        }
    }

    /// The organisation's members (of one team), by team and external id.
    public func members(of org: String, team: String? = nil) throws -> [OrgMember] {
        let organisation = try resolve(org)
        return try db.all(Self.members, [organisation.id, team], row: Self.readMember)
    }

    /// Where learner `userID` belongs, if anywhere.
    public func membership(userID: Int64) throws -> (organisation: Organisation, member: OrgMember)? {
        guard let member = try db.first(Self.memberOf, [userID], row: Self.readMember) else { return nil }
        guard let organisation = try find(id: member.orgID) else { return nil }
        return (organisation, member)
    }

    static func validate(team: String, role: String?) throws {
        guard (1...80).contains(team.count),
              team.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            throw StoreError.invalid("a team is 1 to 80 of a-z, 0-9, _ and -, got '\(team)'")
        }
        if let role, !(1...80).contains(role.count) { throw StoreError.invalid("a role is 1 to 80 characters") }
    }
}
