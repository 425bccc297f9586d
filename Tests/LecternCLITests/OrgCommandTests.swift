import Foundation
import Testing

/// Organisations through the real binary: seats, members, licences, skills, assignments, files.
@Suite("lectern org, assign and assignments")
struct OrgCommandTests {
    func seed(_ lectern: Lectern) throws {
        try lectern.seedSmallCatalog()
        try lectern.ok(["course", "update", "py-301", "--status", "published"])
        for user in ["u3", "u4", "u5"] { try lectern.ok(["user", "add", user]) }
        try lectern.ok(["org", "add", "acme", "--name", "Acme Corp", "--seats", "2", "--seat-price", "240"])
    }

    @Test func seatsMembersAndFiles() throws {
        let lectern = try Lectern()
        try seed(lectern)
        try lectern.ok(["org", "member", "add", "acme", "--user", "u1", "--team", "data", "--manager"])
        try lectern.ok(["org", "member", "add", "acme", "--user", "u2", "--team", "data", "--role", "analyst"])
        let full = try lectern.fails(["org", "member", "add", "acme", "--user", "u3", "--team", "data"])
        #expect(full == "error: 'acme' has 2 seats and 2 members: add seats first (lectern org update acme --seats 3)")
        let below = try lectern.fails(["org", "update", "acme", "--seats", "1"])
        #expect(below.contains("has 2 members: seats cannot go below that, got 1"), "\(below)")
        try lectern.ok(["org", "update", "acme", "--seats", "4"])
        let shown = try parseJSON(try lectern.ok(["org", "show", "acme", "--format", "json"])) as! [String: Any]
        #expect(shown["seats"] as? Int == 4 && shown["members"] as? Int == 2 && shown["seat_price"] as? Double == 240)
        let listed = try parseJSON(try lectern.ok(["org", "list", "--format", "json"])) as! [[String: Any]]
        #expect(listed.map { $0["slug"] as? String } == ["acme"])

        // Members travel through a file and back; a file putting one learner in two organisations is refused.
        let exported = lectern.path("members.csv")
        try lectern.ok(["export", "members", "--out", exported])
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(text.hasPrefix("org,user,team,role,manager,joined_at\nacme,u1,data,,true,"), "\(text)")
        try lectern.ok(["org", "add", "beta", "--name", "Beta", "--seats", "5"])
        let twice = try lectern.write("twice.csv", "org,user,team\nbeta,u4,ops\nacme,u4,data\n")
        let refused = try lectern.fails(["import", "members", twice])
        #expect(refused.contains("line 3") && refused.contains("already in organisation 'beta' on line 2"), "\(refused)")
        #expect(try lectern.ok(["org", "member", "list", "beta", "--format", "csv"]) == "user,team,role,manager,joined_at\n")
        let good = try lectern.write("good.jsonl", "{\"org\": \"beta\", \"user\": \"u4\", \"team\": \"ops\", \"manager\": true}\n")
        try lectern.ok(["import", "members", good])
        let beta = try parseJSON(try lectern.ok(["org", "member", "list", "beta", "--format", "json"])) as! [[String: Any]]
        #expect(beta.first?["user"] as? String == "u4" && beta.first?["manager"] as? String == "yes")
        try lectern.ok(["org", "member", "remove", "acme", "--user", "u2"])
        #expect(try lectern.fails(["org", "member", "remove", "acme", "--user", "u2"]).contains("not a member of 'acme'"))
    }

    @Test func assignmentsWithDueDatesAndStatuses() throws {
        let lectern = try Lectern()
        try seed(lectern)
        try lectern.ok(["org", "member", "add", "acme", "--user", "u1", "--team", "data"])
        try lectern.ok(["org", "member", "add", "acme", "--user", "u2", "--team", "data"])
        try lectern.ok(["org", "licence", "acme", "--domain", "software-engineering", "--course", "py-201"])
        // The path to py-301 is py-101, py-201, py-301; u1 completed py-101 already.
        try lectern.ok(["record", "complete", "--user", "u1", "--course", "py-101", "--at", "2025-01-05"])
        let out = try lectern.ok(["assign", "--org", "acme", "--team", "data", "--path-goal", "py-301", "--due", "2099-01-31"])
        #expect(out.hasPrefix("Assigned 5, rescheduled 0, unchanged 0 for 2 member(s) of acme, due 2099-01-31T23:59:59Z"), "\(out)")
        let again = try lectern.ok(["assign", "--org", "acme", "--team", "data", "--path-goal", "py-301", "--due", "2099-01-31"])
        #expect(again.hasPrefix("Assigned 0, rescheduled 0, unchanged 5"), "\(again)")
        try lectern.ok(["record", "enroll", "--user", "u2", "--course", "py-101"])
        try lectern.ok(["record", "complete", "--user", "u2", "--course", "py-101"])
        let rows = try parseJSON(try lectern.ok(["assignments", "--org", "acme", "--format", "json"])) as! [[String: Any]]
        #expect(rows.map { "\($0["user"]!) \($0["course"]!) \($0["step"]!) \($0["status"]!)" } == [
            "u1 py-201 1 assigned", "u1 py-301 2 assigned",
            "u2 py-101 1 completed", "u2 py-201 2 assigned", "u2 py-301 3 assigned",
        ])
        let done = try parseJSON(try lectern.ok(["assignments", "--org", "acme", "--status", "completed", "--format", "json"])) as! [[String: Any]]
        #expect(done.count == 1)
        // Bad input: one error line each, nothing assigned.
        for (arguments, expected) in [
            (["assign", "--org", "nope", "--user", "u1", "--course", "py-101", "--due", "2099-01-01"], "no organisation 'nope'"),
            (["assign", "--org", "acme", "--team", "ghosts", "--course", "py-101", "--due", "2099-01-01"], "'acme' has no team 'ghosts'"),
            (["assign", "--org", "acme", "--user", "u3", "--course", "py-101", "--due", "2099-01-01"], "'u3' is not a member of 'acme'"),
            (["assign", "--org", "acme", "--user", "u1", "--course", "nope", "--due", "2099-01-01"], "no course 'nope'"),
            (["assign", "--org", "acme", "--user", "u1", "--course", "py-101", "--due", "2001-01-01"], "is not in the future"),
            (["assign", "--org", "acme", "--user", "u1", "--course", "py-101", "--due", "soon"], "invalid --due 'soon'"),
            (["assignments", "--org", "acme", "--status", "lost"], "invalid --status 'lost'"),
            (["org", "licence", "acme", "--domain", "astrology"], "no course in domain 'astrology'"),
        ] {
            let line = try lectern.fails(arguments)
            #expect(line.contains(expected), "\(arguments): \(line)")
        }
        #expect((try parseJSON(try lectern.ok(["assignments", "--org", "acme", "--format", "json"])) as! [Any]).count == 5)
    }

    /// acme (2 seats at 240.00 USD: 480.00) with u1 and u2 in team data aiming at python; py-101
    /// (Ada's, tagged python) assigned to both; u1 completes it.
    func trained() throws -> Lectern {
        let lectern = try Lectern()
        try seed(lectern)
        try lectern.ok(["org", "member", "add", "acme", "--user", "u1", "--team", "data"])
        try lectern.ok(["org", "member", "add", "acme", "--user", "u2", "--team", "data"])
        try lectern.ok(["org", "skills", "acme", "--team", "data", "--tags", "python"])
        try lectern.ok(["assign", "--org", "acme", "--team", "data", "--course", "py-101", "--due", "2099-01-31"])
        try lectern.ok(["record", "complete", "--user", "u1", "--course", "py-101"])
        return lectern
    }

    @Test func reportOrgPerTeamWithPseudonyms() throws {
        let lectern = try trained()
        let report = try parseJSON(try lectern.ok(["report", "org", "--org", "acme", "--format", "json"])) as! [String: [[String: Any]]]
        #expect(Set(report.keys) == ["teams", "skills", "members"])
        let teams = report["teams"]!
        #expect(teams.map { $0["team"] as? String } == ["data", "total"])
        let data = teams[0], total = teams[1]
        #expect(data["members"] as? Int == 2 && data["seats_used"] as? Int == 1 && data["seats"] is NSNull)
        #expect(data["assigned"] as? Int == 2 && data["completed_on_time"] as? Int == 1 && data["completed_late"] as? Int == 0
                && data["overdue"] as? Int == 0)
        #expect(data["completion_rate"] as? Double == 0.5 && data["median_days"] as? Double == 0)
        #expect(total["seats"] as? Int == 2 && total["currency"] as? String == "USD")
        #expect(total["spend"] as? Double == 480 && total["spend_per_completion"] as? Double == 480)
        let skills = report["skills"]!
        #expect(skills.map { "\($0["team"]!) \($0["skill"]!) \($0["members"]!) \($0["covered_at_start"]!) \($0["covered_now"]!)" }
                == ["data python 2 0 1"])
        let members = report["members"]!
        #expect(members.allSatisfy { ($0["learner"] as? String)?.hasPrefix("L-") == true && $0["external_id"] == nil })
        #expect(members.map { $0["seat_used"] as? String }.sorted { ($0 ?? "") < ($1 ?? "") } == ["no", "yes"])
        let personal = try parseJSON(try lectern.ok(["report", "org", "--org", "acme", "--format", "json", "--include-personal-data"]))
            as! [String: [[String: Any]]]
        #expect(Set(personal["members"]!.compactMap { $0["external_id"] as? String }) == ["u1", "u2"])
        #expect(personal["members"]!.contains { $0["email"] as? String == "bo@example.com" })
        // CSV holds the teams; the table names no learner.
        #expect(try lectern.ok(["report", "org", "--org", "acme", "--format", "csv"])
            .hasPrefix("team,members,seats_used,seats,assigned,completed_on_time,completed_late,overdue,completion_rate,median_days,currency,spend,spend_per_completion\ndata,2,1,,2,1,0,0,0.500,0.0,,,\n"))
        let table = try lectern.ok(["report", "org", "--org", "acme"])
        #expect(table.contains("Skill coverage") && !table.contains("u1") && !table.contains("bo@example.com"), "\(table)")
    }

    @Test func seatRevenueInSalesAndPayouts() throws {
        let lectern = try trained()
        let sales = try parseJSON(try lectern.ok(["report", "sales", "--by", "course", "--format", "json"])) as! [[String: Any]]
        #expect(sales.map { $0["course"] as? String } == ["(seats)", "total"])
        #expect(sales.map { $0["net"] as? Double } == [480, 480] && sales.map { $0["orders"] as? Int } == [1, 1])
        // u1's completion is the only consumption: Ada gets all 480.00 of seat revenue, and 0.7 of it.
        let creators = try parseJSON(try lectern.ok(["report", "creators", "--format", "json"])) as! [[String: Any]]
        #expect(creators.map { $0["creator"] as? String } == ["Ada Lovelace", "total"])
        for row in creators {
            #expect(row["seat_revenue"] as? Double == 480 && row["payout"] as? Double == 336 && row["platform"] as? Double == 144, "\(row)")
        }
        // The HTML page has a section for the organisation, with its heat map; every report as JSON with --org has it too.
        let html = try lectern.ok(["report", "all", "--format", "html"])
        #expect(html.contains("<section id=\"org-acme\">") && html.contains("Skill coverage by team") && html.contains("<a href=\"#org-acme\">"))
        #expect(!html.contains(">u1<") && !html.contains("bo@example.com"))
        let all = try parseJSON(try lectern.ok(["report", "all", "--format", "json", "--org", "acme"])) as! [String: Any]
        #expect(all["org"] is [String: Any])
    }

    @Test(arguments: [
        (["report", "org"], "report org needs --org"),
        (["report", "org", "--org", "nope"], "no organisation 'nope'"),
        (["report", "org", "--org", "nope", "--format", "html"], "no organisation 'nope'"),
        (["report", "sales", "--org", "acme"], "--org applies to org and all, not sales"),
    ] as [([String], String)])
    func badReportOrgInput(arguments: [String], expected: String) throws {
        let lectern = try Lectern()
        try seed(lectern)
        let line = try lectern.fails(arguments)
        #expect(line.contains(expected), "got: \(line)")
    }
}
