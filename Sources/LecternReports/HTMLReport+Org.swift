import LecternStore

/// Enterprise training: a section per organisation.
extension HTMLReport {
    /// The organisations the page shows: `options.org`'s, else every one, by slug.
    func shownOrganisations() throws -> [Organisation] {
        let repository = OrganisationRepository(builder.db)
        if let org = builder.options.org { return [try repository.resolve(org)] }
        return try repository.list().map(\.organisation)
    }

    /// The id of an organisation's section (a slug is a-z, 0-9 and -).
    func orgAnchor(_ slug: String) -> String { "org-" + slug }

    /// A section per organisation, or one saying how to add the first.
    func organisationSections() throws -> String {
        let organisations = try shownOrganisations()
        guard !organisations.isEmpty else {
            return "<section id=\"org\"><h2>Organisations</h2>" + empty("No organisation has been added.")
                + hint("Enterprise training: `lectern org add`, `lectern org member add`, then `lectern assign`.") + "</section>"
        }
        return try organisations.map(organisationSection).joined()
    }

    /// One organisation: headline cards, the team x skill heat map, completions by month, then the tables.
    func organisationSection(_ organisation: Organisation) throws -> String {
        let result = try builder.orgResult(organisation.slug)
        var html = "<section id=\"\(orgAnchor(organisation.slug))\"><h2>\(escape(organisation.name))</h2>"
        html += note("""
            Enterprise training at \(Timestamp.format(result.now)): each team's members, the seats in use (members who \
            enrolled, bought or completed since joining), and their open assignments: completed by the due date, completed \
            late, overdue; the median days from assignment to completion. A member covers a skill once they have completed a \
            course tagged with it: at the start means before the organisation was added (\(Timestamp.formatDate(result.start))). \
            Spend per completion is the seat purchases to date over completed assignments.
            """)
        html += orgCards(result)
        html += coverageFigure(result)
        if result.completionsByMonth.contains(where: { $0.onTime + $0.late > 0 }) {
            let months = result.completionsByMonth
            html += figure(caption: "Assigned courses completed per month, \(organisation.name)") {
                SVGChart.lines(
                    xLabels: months.map(\.month),
                    series: [.init(name: "on time", values: months.map { Double($0.onTime) }, color: SVGChart.palette[2]),
                             .init(name: "late", values: months.map { Double($0.late) }, color: SVGChart.palette[1])],
                    format: { SVGChart.grouped(Int($0.rounded())) }, title: "Completions over time (\(organisation.name))", layout: $0)
            }
        }
        html += table(try builder.orgTeams(organisation.slug), caption: "Teams")
        html += table(try builder.orgSkills(organisation.slug), caption: "Skill coverage", collapsed: true)
        html += table(try builder.orgMembers(organisation.slug), caption: "Members", collapsed: true)
        return html + "</section>"
    }

    /// Members and seats, completion rate, overdue assignments and spend per completion at a glance.
    func orgCards(_ result: OrgReportResult) -> String {
        let total = result.total, completions = total.completedOnTime + total.completedLate
        let spend = result.spend.isEmpty ? [(value: "–", currency: "", note: "no seats bought through Lectern")]
            : result.spend.map { row in
                (row.perCompletionMinor.map { formatMoney($0) } ?? "–", row.currency,
                 "\(formatMoney(row.amountMinor, row.currency)) over \(SVGChart.grouped(row.completions)) completions")
            }
        return cards([
            ("Members", [("\(SVGChart.grouped(total.members))", "",
                          "\(SVGChart.grouped(total.seatsUsed)) seats in use of \(SVGChart.grouped(result.organisation.seats))")]),
            ("Completion rate", [(total.completionRate.map(SVGChart.percent) ?? "–", "",
                                  "\(SVGChart.grouped(completions)) of \(SVGChart.grouped(total.assigned)) assigned, "
                                  + "\(SVGChart.grouped(total.completedLate)) late")]),
            ("Overdue", [("\(SVGChart.grouped(total.overdue))", "",
                          total.medianDaysToComplete.map { "median \(String(format: "%.1f", $0)) days to complete" } ?? "none completed yet")]),
            ("Spend per completion", spend),
        ], element: "div")
    }

    /// The team x skill heat map of coverage now (with the start in each tile), or what to run for one.
    func coverageFigure(_ result: OrgReportResult) -> String {
        guard !result.skills.isEmpty else {
            return hint("No target skills yet: `lectern org skills \(result.organisation.slug) --team TEAM --tags python,sql`.")
        }
        let teams = Array(Set(result.skills.map(\.team))).sorted(), skills = Array(Set(result.skills.map(\.skill))).sorted()
        var cells = teams.map { _ in [SVGChart.Coverage?](repeating: nil, count: skills.count) }
        for row in result.skills {
            cells[teams.firstIndex(of: row.team)!][skills.firstIndex(of: row.skill)!] = SVGChart.Coverage(start: row.shareAtStart,
                                                                                                            now: row.shareNow)
        }
        return figure(caption: "Skill coverage by team: the share of members who completed a course tagged with the skill, "
                      + "at the start → now; the colour is now (darker is more)") {
            SVGChart.coverageMap(teams: teams, skills: skills, cells: cells, title: "Skill coverage by team (\(result.organisation.name))",
                                 layout: $0)
        }
    }
}
