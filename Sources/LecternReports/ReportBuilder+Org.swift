import LecternStore

/// The org report's listings: teams, skill coverage and members.
extension ReportBuilder {
    /// The organisation `options.org` names.
    func requiredOrg() throws -> String {
        guard let org = options.org else {
            throw StoreError(.invalidInput, "report org needs --org ORG (see `lectern org list`)")
        }
        return org
    }

    /// The time the org report is for: `options.now`, else now.
    var orgNow: Int64 { options.now ?? currentUnixTime() }

    func orgResult(_ org: String) throws -> OrgReportResult {
        if let known = results.organisations[org] { return known }
        let result = try OrgReport(db).report(org: org, now: orgNow)
        results.organisations[org] = result
        return result
    }

    /// The org report's three listings, by name (its keys in JSON) and title.
    func orgListings(_ org: String) throws -> [(name: String, title: String, listing: Listing)] {
        [("teams", "Teams", try orgTeams(org)), ("skills", "Skill coverage", try orgSkills(org)), ("members", "Members", try orgMembers(org))]
    }

    /// One row per team, then the organisation's total: its seats, and its spend on seats per
    /// completion in each currency of its seat purchases (one row per currency, the counts on the first).
    func orgTeams(_ org: String) throws -> Listing {
        let result = try orgResult(org)
        var listing = Listing(["team", "members", "seats_used", "seats", "assigned", "completed_on_time", "completed_late", "overdue",
                               "completion_rate", "median_days", "currency", "spend", "spend_per_completion"])
        func figures(_ row: OrgTeamRow) -> [Listing.Cell] {
            [.int(Int64(row.assigned)), .int(Int64(row.completedOnTime)), .int(Int64(row.completedLate)), .int(Int64(row.overdue)),
             .number(row.completionRate, decimals: 3), .number(row.medianDaysToComplete, decimals: 1)]
        }
        for row in result.teams {
            listing.append([.text(row.team), .int(Int64(row.members)), .int(Int64(row.seatsUsed)), .int(nil)] + figures(row)
                           + [.text(nil), .money(nil), .money(nil)])
        }
        let total = result.total
        listing.append([.text("total")],
                       shared: [.int(Int64(total.members)), .int(Int64(total.seatsUsed)), .int(Int64(result.organisation.seats))]
                           + figures(total),
                       perCurrency: result.spend.map { ($0.currency, [.money($0.amountMinor), .money($0.perCompletionMinor)]) },
                       zero: [.money(0), .money(nil)])
        return listing
    }

    /// Each team's target skills: members covering each at the start (the organisation's creation) and now.
    func orgSkills(_ org: String) throws -> Listing {
        var listing = Listing(["team", "skill", "members", "covered_at_start", "covered_now", "share_at_start", "share_now"])
        for row in try orgResult(org).skills {
            listing.append([.text(row.team), .text(row.skill), .int(Int64(row.members)), .int(Int64(row.coveredAtStart)),
                            .int(Int64(row.coveredNow)), .number(row.shareAtStart, decimals: 3), .number(row.shareNow, decimals: 3)])
        }
        return listing
    }

    /// Each member's assignments, under a pseudonym unless personal data was asked for.
    func orgMembers(_ org: String) throws -> Listing {
        // Without personal data, by team and pseudonym: an order by external id would tell something about who is who.
        let pseudonyms = Pseudonyms(hexKey: try LearnerReport(db).pseudonymKey())
        var rows = try orgResult(org).members.map { (row: $0, pseudonym: pseudonyms.pseudonym(forLearner: $0.userID)) }
        if !options.includePersonalData { rows.sort { ($0.row.team, $0.pseudonym) < ($1.row.team, $1.pseudonym) } }
        var columns = ["learner", "team", "seat_used", "assigned", "completed_on_time", "completed_late", "overdue"]
        if options.includePersonalData { columns.insert(contentsOf: ["external_id", "name", "email"], at: 1) }
        let learners = LearnerRepository(db)
        var listing = Listing(columns)
        for (row, pseudonym) in rows {
            var cells: [Listing.Cell] = [.text(pseudonym)]
            if options.includePersonalData {
                let learner = try learners.find(id: row.userID)
                cells += [.text(row.externalID), .text(learner?.displayName), .text(learner?.email)]
            }
            cells += [.text(row.team), .text(row.seatUsed ? "yes" : "no"), .int(Int64(row.assigned)), .int(Int64(row.completedOnTime)),
                      .int(Int64(row.completedLate)), .int(Int64(row.overdue))]
            listing.append(cells)
        }
        return listing
    }
}
