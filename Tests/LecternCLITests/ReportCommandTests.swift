import Foundation
import Testing

@Suite("lectern report")
struct ReportCommandTests {
    /// Ada (share 0.7) sells py-101 (49.90) and py-201; Bob (share 0.6) sells b-1 (10.01).
    /// January: u1 buys py-101 for 49.90, u2 buys py-201 for 60.00. February: u2 gets 60.00 back,
    /// u1 and u2 buy b-1 for 10.01 each.
    func sold() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["creator", "add", "Bob", "--share", "0.6"])
        try lectern.ok(["course", "add", "b-1", "--title", "Bob's Course", "--domain", "finance", "--price", "10.01",
                        "--creator", "Bob", "--status", "published"])
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-101", "--at", "2025-01-05"])
        try lectern.ok(["record", "purchase", "--user", "u2", "--course", "py-201", "--amount", "60", "--at", "2025-01-20"])
        try lectern.ok(["record", "refund", "--user", "u2", "--course", "py-201", "--at", "2025-02-03"])
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "b-1", "--at", "2025-02-10"])
        try lectern.ok(["record", "purchase", "--user", "u2", "--course", "b-1", "--at", "2025-02-11"])
        return lectern
    }

    @Test func salesByMonthToTheCent() throws {
        let lectern = try sold()
        let rows = try parseJSON(try lectern.ok(["report", "sales", "--by", "month", "--format", "json"])) as! [[String: Any]]
        #expect(rows.map { $0["month"] as? String } == ["2025-01", "2025-02", "total"])
        #expect(rows.map { $0["currency"] as? String } == ["USD", "USD", "USD"])  // one currency: the same rows, named
        #expect(rows[0]["orders"] as? Int == 2)
        #expect(rows[0]["gross"] as? Double == 109.90)
        #expect(rows[0]["average_price"] as? Double == 54.95)
        #expect(rows[1]["refunded"] as? Double == 60)
        #expect(rows[1]["net"] as? Double == -39.98)
        #expect(rows[2]["net"] as? Double == 69.92)
        #expect(rows[2]["average_price"] as? Double == 32.48)
        let january = try parseJSON(try lectern.ok(["report", "sales", "--by", "course", "--until", "2025-02-01", "--format", "json"])) as! [[String: Any]]
        #expect(january.map { $0["course"] as? String } == ["py-101", "py-201", "total"])
        let finance = try parseJSON(try lectern.ok(["report", "sales", "--domain", "finance", "--format", "json"])) as! [[String: Any]]
        #expect(finance.last?["gross"] as? Double == 20.02)
    }

    @Test func creatorPayoutsReconcileWithSales() throws {
        let lectern = try sold()
        let rows = try parseJSON(try lectern.ok(["report", "creators", "--format", "json"])) as! [[String: Any]]
        let ada = rows.first { $0["creator"] as? String == "Ada Lovelace" }!
        #expect(ada["net"] as? Double == 49.90)
        #expect(ada["payout"] as? Double == 34.93)
        #expect(ada["platform"] as? Double == 14.97)
        #expect(ada["learners"] as? Int == 2)
        let bob = rows.first { $0["creator"] as? String == "Bob" }!
        #expect(bob["payout"] as? Double == 12.01)  // 20.02 x 0.6 = 12.012
        #expect(bob["platform"] as? Double == 8.01)
        let total = rows.last!
        let sales = try parseJSON(try lectern.ok(["report", "sales", "--format", "json"])) as! [[String: Any]]
        #expect(total["net"] as? Double == sales.last?["net"] as? Double)
        #expect(total["net"] as? Double == 69.92)
    }

    @Test func funnelByDomainWithMedianDays() throws {
        let lectern = try sold()
        try lectern.ok(["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-01-01"])
        try lectern.ok(["record", "view", "--user", "u2", "--course", "py-201", "--at", "2025-01-10"])
        try lectern.ok(["record", "complete", "--user", "u1", "--course", "py-101", "--at", "2025-01-15"])
        let rows = try parseJSON(try lectern.ok(["report", "funnel", "--format", "json"])) as! [[String: Any]]
        #expect(rows.map { $0["domain"] as? String } == ["data-science", "finance", "software-engineering", "total"])
        let software = rows[2]
        #expect([software["viewed"], software["enrolled"], software["purchased"], software["completed"]].map { $0 as? Int } == [1, 1, 1, 1])
        #expect(software["days_to_enroll"] as? Double == 4)
        #expect(software["days_to_complete"] as? Double == 10)
        let finance = rows[1]  // bought without a recorded view
        #expect(finance["viewed"] as? Int == 0 && finance["purchased"] as? Int == 2)
        #expect(finance["view_to_enroll"] is NSNull)
        let total = rows[3]
        #expect(total["days_to_enroll"] as? Double == 7)  // median of 4 and 10
        #expect(total["purchase_to_complete"] as? Double == 0.25)
        #expect(total["refunded"] as? Int == 1)  // u2's py-201, still counted as purchased
    }

    @Test func channelsCountAcquiredActivePayingAndSecondDomainBuyers() throws {
        let lectern = try sold()
        let rows = try parseJSON(try lectern.ok(["report", "channels", "--format", "json"])) as! [[String: Any]]
        let social = rows.first { $0["channel"] as? String == "social_video" }!
        #expect(social["campaign"] as? String == "spring")
        #expect([social["acquired"], social["activated"], social["paying"]].map { $0 as? Int } == [1, 1, 1])
        #expect(social["net"] as? Double == 59.91)
        #expect(social["second_domain_buyers"] as? Int == 1)  // software-engineering and finance
        let referral = rows.first { $0["channel"] as? String == "referral" }!
        #expect(referral["net"] as? Double == 10.01)  // 60 bought, 60 refunded, 10.01 bought
        // u2 bought in data-science and finance, but the data-science purchase was refunded.
        #expect(referral["second_domain_buyers"] as? Int == 0)
    }

    @Test func cohortTrianglesOfActivityAndPurchase() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["user", "add", "c1", "--at", "2025-01-03"])
        try lectern.ok(["user", "add", "c2", "--at", "2025-01-20"])
        try lectern.ok(["user", "add", "c3", "--at", "2025-02-10"])
        try lectern.ok(["record", "purchase", "--user", "c1", "--course", "py-101", "--at", "2025-01-05"])
        try lectern.ok(["record", "purchase", "--user", "c1", "--course", "py-201", "--at", "2025-03-02"])
        try lectern.ok(["record", "view", "--user", "c2", "--course", "py-101", "--at", "2025-02-01"])
        try lectern.ok(["record", "purchase", "--user", "c3", "--course", "py-101", "--at", "2025-02-11"])
        let window = ["--since", "2025-01-01", "--until", "2026-01-01", "--format", "json"]
        let activity = try parseJSON(try lectern.ok(["report", "cohorts"] + window)) as! [[String: Any]]
        #expect(activity.map { $0["cohort"] as? String } == ["2025-01", "2025-02"])  // u1 and u2 signed up later
        #expect(activity[0]["learners"] as? Int == 2)
        #expect([activity[0]["m0"], activity[0]["m1"], activity[0]["m2"]].map { $0 as? Double } == [0.5, 0.5, 0.5])
        #expect(activity[1]["m0"] as? Double == 1)
        let purchase = try parseJSON(try lectern.ok(["report", "cohorts", "--measure", "purchase"] + window)) as! [[String: Any]]
        #expect([purchase[0]["m0"], purchase[0]["m1"], purchase[0]["m2"]].map { $0 as? Double } == [0.5, 0, 0.5])
    }

    @Test func catalogByDomain() throws {
        let lectern = try sold()
        // py-301 (draft, ebook, advanced) requires py-201, which requires py-101: a chain of 3.
        try lectern.ok(["record", "view", "--user", "u1", "--course", "py-101"])
        let catalog = try parseJSON(try lectern.ok(["report", "catalog", "--format", "json"])) as! [String: Any]
        #expect((catalog["most_dismissed"] as? [Any])?.isEmpty == true)
        let rows = catalog["domains"] as! [[String: Any]]
        #expect(rows.map { $0["domain"] as? String } == ["data-science", "finance", "software-engineering", "total"])
        let software = rows[2]
        #expect(software["courses"] as? Int == 2)          // py-101 and py-301
        #expect(software["draft"] as? Int == 1)
        #expect(software["ebook"] as? Int == 1)
        #expect(software["never_viewed"] as? Int == 1)     // py-301
        #expect(software["never_bought"] as? Int == 1)     // py-301
        #expect(software["longest_chain"] as? Int == 3)
        #expect(software["tags"] as? Int == 2)             // python, beginner
        let total = rows[3]
        #expect(total["courses"] as? Int == 4)
        #expect(total["never_bought"] as? Int == 1)
    }

    @Test func recommendationsReportPerActiveModel() throws {
        let lectern = try sold()
        try lectern.ok(["train", "--algorithm", "popular", "--top", "2"])
        let rows = try parseJSON(try lectern.ok(["report", "recommendations", "--format", "json"])) as! [[String: Any]]
        #expect(rows.map { $0["algorithm"] as? String } == ["popular"])
        // Popular courses: py-101 and b-1 (py-201's purchase was refunded, so it weighs nothing).
        // u1 owns both; u2 owns b-1 and py-201, so only u2 gets a list: py-101.
        #expect(rows[0]["learners"] as? Int == 1)
        #expect(rows[0]["rows"] as? Int == 1)
        #expect(rows[0]["coverage"] as? Double == 0.333)  // 1 of 3 published courses
        #expect(rows[0]["ndcg@10"] is NSNull)  // never evaluated
    }

    /// A dismissal recorded through the CLI after training shows in the catalog's most dismissed courses
    /// and in the recommendations report's dismissals of the model that served the course.
    @Test func aRecordedDismissalIsMeasured() throws {
        let lectern = try sold()
        try lectern.ok(["train", "--algorithm", "popular", "--top", "2"])  // u2's list: py-101 (one row)
        try lectern.ok(["record", "dismiss", "--user", "u2", "--course", "py-101", "--reason", "too-basic"])
        let catalog = try parseJSON(try lectern.ok(["report", "catalog", "--format", "json"])) as! [String: Any]
        let dismissed = catalog["most_dismissed"] as! [[String: Any]]
        #expect(dismissed.map { $0["course"] as? String } == ["py-101"])
        #expect(dismissed[0]["dismissed"] as? Int == 1 && dismissed[0]["holding"] as? Int == 1)
        #expect(dismissed[0]["touched"] as? Int == 2 && dismissed[0]["dismiss_share"] as? Double == 0.5)  // u1 bought it
        #expect(dismissed[0]["too-basic"] as? Int == 1 && dismissed[0]["unspecified"] as? Int == 0)
        let models = try parseJSON(try lectern.ok(["report", "recommendations", "--format", "json"])) as! [[String: Any]]
        #expect(models[0]["rows"] as? Int == 1)
        #expect(models[0]["dismissed"] as? Int == 1 && models[0]["dismiss_rate"] as? Double == 1)
        // The dismissal was recorded now, after the window that ends in June 2025.
        let before = try parseJSON(try lectern.ok(["report", "recommendations", "--until", "2025-06-01", "--format", "json"])) as! [[String: Any]]
        #expect(before[0]["dismissed"] as? Int == 0 && before[0]["dismiss_rate"] as? Double == 0)
        #expect(try lectern.ok(["report", "catalog", "--format", "csv"]).hasPrefix("domain,courses,"))
    }

    @Test func markdownAndFileOutput() throws {
        let lectern = try sold()
        let md = try lectern.ok(["report", "creators", "--format", "md"])
        #expect(md.hasPrefix("| creator | currency | courses |"))
        #expect(md.contains("| ---: |"))
        let file = lectern.path("sales.csv")
        try lectern.ok(["report", "sales", "--format", "csv", "--out", file])
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("month,currency,orders,gross"))
    }

    @Test(arguments: [
        (["report", "sales", "--since", "someday"], "invalid --since"),
        (["report", "sales", "--since", "2025-03-01", "--until", "2025-01-01"], "after --until"),
        (["report", "funnels"], "funnels"),
        (["report", "sales", "--format", "pdf"], "pdf"),
        (["report", "sales", "--by", "year"], "year"),
        (["report", "funnel", "--by", "month"], "month"),
        (["report", "sales", "--out", "/nonexistent-dir/x.csv"], "cannot write"),
        (["report", "creators", "--creator", "Nobody"], "no creator"),
        (["report", "all", "--format", "csv"], "csv holds one table"),
        (["report", "catalog", "--by", "domain"], "--by applies to sales and funnel"),
        (["report", "learners", "--limit", "0"], "--limit"),
        (["report", "all", "--format", "html", "--out", "/nonexistent-dir/r.html"], "cannot write"),
    ] as [([String], String)])
    func badInputIsRefused(arguments: [String], expected: String) throws {
        let lectern = try sold()
        let line = try lectern.fails(arguments)
        #expect(line.contains(expected), "got: \(line)")
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent-dir"))
    }

    @Test func everyReportAsOneHTMLPage() throws {
        let lectern = try sold()
        let file = lectern.path("report.html")
        #expect(try lectern.ok(["report", "all", "--format", "html", "--out", file]).contains("Wrote every report to"))
        let html = try String(contentsOfFile: file, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        for section in ["sales", "creators", "funnel", "channels", "cohorts", "catalog", "recommendations", "experiments", "segments", "learners"] {
            #expect(html.contains("<section id=\"\(section)\">"), "no \(section) section")
        }
        #expect(html.contains("<svg class=\"chart\""))
        #expect(!html.contains("<script"))
        // Net 69.92 as in salesByMonthToTheCent; no learner's id, name or e-mail.
        #expect(html.contains(">69.92<"))
        for personal in ["bo@example.com", ">Bo<", ">Cy<", ">u1<", ">u2<"] { #expect(!html.contains(personal), "\(personal) leaked") }
        // Only the page was written: nothing left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: lectern.path("")).filter { $0.hasPrefix("report.html") } == ["report.html"])
        // One report as a page, and every report as JSON keyed by kind.
        #expect(try lectern.ok(["report", "funnel", "--format", "html"]).contains("<section id=\"funnel\">"))
        let all = try parseJSON(try lectern.ok(["report", "all", "--format", "json"])) as! [String: Any]
        #expect(Set(all.keys) == ["sales", "creators", "funnel", "channels", "cohorts", "catalog", "recommendations", "experiments", "segments", "learners",
                                "crossover", "campaigns"])
    }

    @Test func learnersUnderStablePseudonymsUnlessAskedFor() throws {
        let lectern = try sold()
        let rows = try parseJSON(try lectern.ok(["report", "learners", "--format", "json"])) as! [[String: Any]]
        // u1: 49.90 + 10.01 = 59.91; u2: 60.00 - 60.00 + 10.01 = 10.01.
        #expect(rows.map { $0["net"] as? Double } == [59.91, 10.01])
        #expect(rows.map { $0["channel"] as? String } == ["social_video", "referral"])
        #expect(rows[1]["refunds"] as? Int == 1)
        let names = rows.map { $0["learner"] as! String }
        #expect(names.allSatisfy { $0.hasPrefix("L-") && $0.count == 14 } && Set(names).count == 2)
        #expect(rows.allSatisfy { $0["email"] == nil && $0["external_id"] == nil })
        let again = try parseJSON(try lectern.ok(["report", "learners", "--format", "json", "--since", "2025-01-01"])) as! [[String: Any]]
        #expect(again.map { $0["learner"] as! String } == names)
        let personal = try parseJSON(try lectern.ok(["report", "learners", "--format", "json", "--include-personal-data"])) as! [[String: Any]]
        #expect(personal.map { $0["external_id"] as? String } == ["u1", "u2"])
        #expect(personal[0]["email"] as? String == "bo@example.com")
        #expect(personal.map { $0["learner"] as! String } == names)
        let csv = try lectern.ok(["report", "learners", "--format", "csv"])
        #expect(!csv.contains("u1") && !csv.contains("bo@example.com"))
    }
}
