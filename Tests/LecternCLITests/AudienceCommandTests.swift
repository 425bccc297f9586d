import Foundation
import Testing

/// `lectern audience`, campaigns and `report campaigns`, through the real binary.
@Suite("lectern audience")
struct AudienceCommandTests {
    /// Seven learners took Python Basics, five of them also Python for Data; u6 and u7 took only the
    /// first, u8 nothing but declared data-science. u6 and u8 opted in to marketing.
    func platform() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["course", "add", "ds-new", "--title", "Data Science with Python", "--domain", "data-science",
                        "--price", "59", "--creator", "1", "--status", "published", "--tags", "python,data"])
        for n in 3...8 {
            var arguments = ["user", "add", "u\(n)"]
            if n == 6 || n == 8 { arguments.append("--marketing-opt-in") }
            if n == 8 { arguments += ["--interests", "data-science"] }
            try lectern.ok(arguments)
        }
        for n in 1...7 { try lectern.ok(["record", "enroll", "--user", "u\(n)", "--course", "py-101", "--at", "2025-01-0\(n)"]) }
        for n in 1...5 { try lectern.ok(["record", "enroll", "--user", "u\(n)", "--course", "py-201", "--at", "2025-02-0\(n)"]) }
        try lectern.ok(["train", "--algorithm", "itemknn"])
        return lectern
    }

    func rows(_ text: String) throws -> [[String: Any]] { try parseJSON(text) as! [[String: Any]] }

    @Test func theAudienceIsWhoTookTheNeighboursButNotTheCourse() throws {
        let lectern = try platform()
        let all = try rows(try lectern.ok(["audience", "--course", "py-201", "--format", "json", "--include-personal-data"]))
        // u1-u5 took it; u6 and u7 took its one neighbour, Python Basics, as 7 learners did, 5 of whom took this.
        #expect(all.map { $0["learner"] as? String } == ["u6", "u7"])
        #expect(all.allSatisfy { $0["reason"] as? String == "took Python Basics; 71% of those took this" })
        #expect(all.map { $0["opted_in"] as? String } == ["yes", "no"])
        // Without personal data, learners are pseudonyms, the same in every listing of this database.
        let hidden = try rows(try lectern.ok(["audience", "--course", "py-201", "--format", "json"]))
        let names = hidden.compactMap { $0["learner"] as? String }
        #expect(names.count == 2 && names.allSatisfy { $0.hasPrefix("L-") && $0.count == 14 })
        #expect(try rows(try lectern.ok(["audience", "--course", "py-201", "--format", "json"])).compactMap { $0["learner"] as? String } == names)

        // "Not for me" is heard: u7 leaves the audience until they come back to the course.
        try lectern.ok(["record", "dismiss", "--user", "u7", "--course", "py-201", "--at", "2025-03-01"])
        #expect(try rows(try lectern.ok(["audience", "--course", "py-201", "--format", "json", "--include-personal-data"]))
            .map { $0["learner"] as? String } == ["u6"])
        try lectern.ok(["record", "view", "--user", "u7", "--course", "py-201", "--at", "2025-03-02"])
        #expect(try rows(try lectern.ok(["audience", "--course", "py-201", "--format", "json", "--include-personal-data"])).count == 2)
    }

    @Test func aCourseNobodyTookGoesByItsTextAndDeclaredInterests() throws {
        let lectern = try platform()
        let audience = try rows(try lectern.ok(["audience", "--course", "ds-new", "--format", "json", "--include-personal-data"]))
        let u8 = audience.first { $0["learner"] as? String == "u8" }
        #expect(u8?["reason"] as? String == "interested in data-science")
        // Learners who took the Python courses, whose text shares "python" with it, are candidates too.
        #expect(audience.contains { $0["learner"] as? String == "u1" })
        let als = try lectern.fails(["audience", "--course", "py-201", "--method", "als"])
        #expect(als.hasPrefix("error: no ALS model is trained"), "\(als)")
    }

    @Test func anExportHoldsOnlyOptedInLearners() throws {
        let lectern = try platform()
        let file = lectern.path("audience.csv")
        let said = try lectern.ok(["audience", "--course", "py-201", "--export", file, "--include-personal-data"])
        #expect(said == "Wrote 1 opted-in learners to \(file)\n")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2 && lines[0] == "rank,learner,display_name,email,score,reason", "\(text)")
        #expect(lines[1].hasPrefix("1,u6,,,") && lines[1].hasSuffix(",took Python Basics; 71% of those took this"), "\(text)")
        let pseudonymous = lectern.path("audience.json")
        try lectern.ok(["audience", "--course", "py-201", "--export", pseudonymous])
        let exported = try rows(try String(contentsOfFile: pseudonymous, encoding: .utf8))
        #expect(exported.count == 1 && (exported[0]["learner"] as? String)?.hasPrefix("L-") == true)
        #expect(exported[0]["email"] == nil)
    }

    @Test func aCampaignHoldsOutASeededShareAndItsUpliftIsReported() throws {
        let lectern = try platform()
        // Opt everyone in who may be targeted, so the holdout has learners to draw from.
        try lectern.ok(["user", "update", "u7", "--marketing-opt-in"])
        let file = lectern.path("launch.csv")
        let said = try lectern.ok(["audience", "--course", "py-201", "--campaign", "spring-launch", "--holdout", "50%",
                                   "--export", file, "--include-personal-data"])
        #expect(said.contains("wrote 1 opted-in learners") && said.contains("1 held out (50%, seed 42)"), "\(said)")
        let targeted = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { String($0.split(separator: ",")[1]) }
        #expect(targeted.count == 1)
        let members = try lectern.sql("SELECT group_concat(u.external_id || ':' || m.held_out, ' ') FROM campaign_members m JOIN users u ON u.id = m.user_id ORDER BY u.external_id")
        #expect(members.split(separator: " ").count == 2 && members.contains("\(targeted[0]):0"), "\(members)")

        // The targeted learner enrolls afterwards; the held-out one does not.
        try lectern.ok(["record", "enroll", "--user", targeted[0], "--course", "py-201"])
        let report = try rows(try lectern.ok(["report", "campaigns", "--format", "json"]))
        #expect(report.count == 1)
        #expect(report[0]["campaign"] as? String == "spring-launch" && report[0]["course"] as? String == "py-201")
        #expect(report[0]["targeted"] as? Int == 1 && report[0]["converted"] as? Int == 1)
        #expect(report[0]["held_out"] as? Int == 1 && report[0]["held_out_converted"] as? Int == 0)
        #expect(report[0]["uplift"] as? Double == 1)
        let html = try lectern.ok(["report", "campaigns", "--format", "html"])
        #expect(html.contains("spring-launch"))
    }

    @Test func badCampaignsChangeNothing() throws {
        let lectern = try platform()
        let before = try lectern.snapshot()
        let file = lectern.path("x.csv")
        let unknown = try lectern.run(["audience", "--course", "nope"])
        #expect(unknown.status == 3 && unknown.stderr == "error: no course 'nope'\n")
        let holdout = try lectern.run(["audience", "--course", "py-201", "--campaign", "c", "--holdout", "60%", "--export", file])
        #expect(holdout.status == 4 && holdout.stderr == "error: the holdout must be between 0% and 50%, got 60%\n")
        let unwritable = try lectern.run(["audience", "--course", "py-201", "--campaign", "c", "--export", lectern.path("no/such/dir/x.csv")])
        #expect(unwritable.status == 8 && unwritable.stderr.hasPrefix("error: cannot write"), "\(unwritable.stderr)")
        let noExport = try lectern.fails(["audience", "--course", "py-201", "--campaign", "c"])
        #expect(noExport.contains("--campaign needs --export"), "\(noExport)")
        #expect(try lectern.snapshot() == before)
        #expect(!FileManager.default.fileExists(atPath: file))
        let reportUnknown = try lectern.run(["report", "campaigns", "--campaign", "c"])
        #expect(reportUnknown.status == 3 && reportUnknown.stderr == "error: no campaign named 'c'\n")

        try lectern.ok(["audience", "--course", "py-201", "--campaign", "c", "--export", file])
        let written = try String(contentsOfFile: file, encoding: .utf8)
        let again = try lectern.run(["audience", "--course", "py-201", "--campaign", "c", "--export", lectern.path("y.csv")])
        #expect(again.status == 5 && again.stderr == "error: a campaign named 'c' already exists: choose another name\n")
        #expect(!FileManager.default.fileExists(atPath: lectern.path("y.csv")))
        #expect(try String(contentsOfFile: file, encoding: .utf8) == written)
    }

    @Test func consentTravelsThroughImportAndExport() throws {
        let lectern = try Lectern()
        let users = try lectern.write("users.csv", """
            external_id,display_name,marketing_opt_in
            a,Ann,true
            b,Ben,
            c,Cat,no
            """)
        try lectern.ok(["import", "users", users])
        let shown = try parseJSON(try lectern.ok(["user", "show", "a", "--format", "json"])) as! [String: Any]
        #expect(shown["marketing_opt_in"] as? String == "yes")
        try lectern.ok(["user", "update", "a", "--no-marketing-opt-in"])
        try lectern.ok(["user", "update", "b", "--marketing-opt-in"])
        let out = lectern.path("out.csv")
        try lectern.ok(["export", "users", "--out", out])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        #expect(lines[0].hasSuffix(",marketing_opt_in"))
        #expect(lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).last! } == ["false", "true", "false"])
        let bad = try lectern.write("bad.csv", "external_id,marketing_opt_in\nd,perhaps\n")
        let error = try lectern.fails(["import", "users", bad])
        #expect(error == "error: line 2: marketing_opt_in: 'perhaps' is not true or false", "\(error)")
    }

    @Test func audiencesBeatBothBaselinesOnSeedData() throws {
        let lectern = try Lectern()
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("SeedData").path
        for entity in ["creators", "courses", "users", "interactions"] { try lectern.ok(["import", entity, "\(seed)/\(entity).csv"]) }
        let result = try rows(try lectern.ok(["evaluate", "--task", "audience", "--format", "json"]))
        func row(_ group: String, _ method: String) -> [String: Any]? {
            result.first { $0["courses"] as? String == group && $0["method"] as? String == method }
        }
        let auto = try #require(row("all", "auto")), active = try #require(row("all", "active")), random = try #require(row("all", "random"))
        let precision = { (r: [String: Any]) in r["precision"] as? Double ?? 0 }
        let recall = { (r: [String: Any]) in r["recall"] as? Double ?? 0 }
        #expect(precision(auto) > 2 * precision(active) && precision(auto) > 2 * precision(random), "\(result)")
        #expect(recall(auto) > recall(active) && recall(auto) > recall(random))
        #expect((auto["lift_over_random"] as? Double ?? 0) > 2)
    }
}
