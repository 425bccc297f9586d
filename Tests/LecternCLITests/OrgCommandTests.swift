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
}
