import Foundation
import Testing

/// `tools/oulad/convert.py` on `Fixtures/oulad-mini`, imported with the real binary.
///
/// The fixture, by hand (presentation starts: 2013J = 2013-10-01, 2014B = 2014-02-01, 2014J = 2014-10-01):
/// - AAA 2013J (social sciences, 268 days; smallest studied_credits 60, so GBP 2,500.00):
///   101 registers on day -30 and passes; 102 registers on day -20 and cancels on day -5 (refunded);
///   103 registers on day 5 and withdraws on day 30 (after the start: no refund).
/// - CCC 2014B (STEM, 241 days; 30 credits, GBP 1,250.00): 101 on day -10, distinction; 104 with no
///   registration date (taken as day 0), fails; 105 on day -50, passes.
/// - GGG 2014J (social sciences, no length, so its last assessment, day 229, ends it; 30 credits):
///   106 on day -15, passes; 107 with no registration date cancels on day -3 (enrolled, bought and
///   refunded on day -3).
/// - Left out: module ZZZ (no known domain) with its student 108, a studentInfo row without an id, a
///   vle row of ZZZ.
/// So 2 creators, 3 courses, 7 learners, 8 registrations (8 enrollments, 8 purchases), 2 refunds and
/// 4 completions: 22 interactions.
@Suite("OULAD converter")
struct OULADTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let converter = root.appendingPathComponent("tools/oulad/convert.py").path
    static let fixture = root.appendingPathComponent("Tests/LecternCLITests/Fixtures/oulad-mini").path
    static let files = ["creators", "courses", "users", "interactions"]

    /// Runs `python3 convert.py ARGUMENTS` and returns its exit status and standard error.
    func convert(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.converter] + arguments
        let err = Pipe()
        process.standardOutput = Pipe()
        process.standardError = err
        try process.run()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    func converted(_ lectern: Lectern) throws -> String {
        let out = lectern.path("oulad")
        let result = try convert([Self.fixture, out])
        #expect(result.status == 0, "convert.py failed: \(result.stderr)")
        return out
    }

    func imported() throws -> Lectern {
        let lectern = try Lectern()
        let out = try converted(lectern)
        let expected = ["creators": 2, "courses": 3, "users": 7, "interactions": 22]
        for entity in Self.files {
            let printed = try lectern.ok(["import", entity, "\(out)/\(entity).csv"])
            #expect(printed.hasPrefix("Imported \(expected[entity]!) \(entity) from"), "\(printed)")
        }
        return lectern
    }

    @Test func summarisesWhatItConvertedAndWhatItLeftOut() throws {
        let lectern = try Lectern()
        let result = try convert([Self.fixture, lectern.path("oulad")])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("2 creators, 3 courses, 7 users, 22 interactions (8 enroll, 8 purchase, 2 refund, 4 complete)") == true)
        #expect(lines.contains("  2 registrations without a date (recorded at the start, or at the unregistration if earlier) (first: 104 ccc-2014b)"))
        #expect(lines.contains("  1 courses.csv rows of a module with no known domain (first: ZZZ)"))
        #expect(lines.contains("  1 studentInfo.csv rows without a numeric id_student"))
    }

    @Test func mapsRegistrationsResultsAndCancellations() throws {
        let lectern = try Lectern()
        let out = try converted(lectern)
        let interactions = try String(contentsOfFile: "\(out)/interactions.csv", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(interactions.count == 23)
        #expect(interactions.contains("101,aaa-2013j,purchase,250000,,2013-09-01T00:00:00Z,oulad:aaa-2013j:101:purchase"))
        #expect(interactions.contains("101,aaa-2013j,complete,,,2014-06-26T00:00:00Z,oulad:aaa-2013j:101:complete"))
        #expect(interactions.contains("102,aaa-2013j,refund,250000,,2013-09-26T00:00:00Z,oulad:aaa-2013j:102:refund"))
        #expect(!interactions.contains { $0.hasPrefix("103,aaa-2013j,refund") })
        #expect(interactions.contains("104,ccc-2014b,enroll,,,2014-02-01T00:00:00Z,oulad:ccc-2014b:104:enroll"))
        #expect(!interactions.contains { $0.hasPrefix("104,ccc-2014b,complete") })
        #expect(interactions.contains("106,ggg-2014j,complete,,,2015-05-18T00:00:00Z,oulad:ggg-2014j:106:complete"))
        #expect(interactions.contains("107,ggg-2014j,refund,125000,,2014-09-28T00:00:00Z,oulad:ggg-2014j:107:refund"))
        let users = try String(contentsOfFile: "\(out)/users.csv", encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(users.contains("101,,,GB,,unknown,2013J,2013-09-01T00:00:00Z"))  // first registration: AAA 2013J
        #expect(users.contains("107,,,,,unknown,2014J,2014-09-28T00:00:00Z"))    // region Ireland: no country
    }

    @Test func sameInputSameBytes() throws {
        let lectern = try Lectern()
        let first = try converted(lectern)
        let second = lectern.path("again")
        #expect(try convert([Self.fixture, second]).status == 0)
        for entity in Self.files {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(first)/\(entity).csv"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(second)/\(entity).csv"))
            #expect(a == b, "\(entity).csv differs between two runs")
        }
    }

    @Test func importsAndReimportsOnlyOnce() throws {
        let lectern = try imported()
        let again = try lectern.ok(["import", "interactions", lectern.path("oulad/interactions.csv")])
        #expect(again.hasPrefix("Imported 0 interactions"))
        #expect(again.contains("22 already recorded"))
        let course = try parseJSON(try lectern.ok(["course", "show", "ggg-2014j", "--format", "json"])) as! [String: Any]
        #expect(course["domain"] as? String == "social-sciences")
        #expect(course["currency"] as? String == "GBP")
        #expect(course["tags"] as? [String] == ["exam", "module-ggg", "tma"])
    }

    @Test func reportsOnTheImport() throws {
        let lectern = try imported()
        // Gross: 3 x 2,500 (AAA) + 3 x 1,250 (CCC) + 2 x 1,250 (GGG) = 13,750; refunded 2,500 + 1,250.
        let sales = try parseJSON(try lectern.ok(["report", "sales", "--by", "domain", "--format", "json"])) as! [[String: Any]]
        #expect(sales.map { $0["domain"] as? String } == ["social-sciences", "stem", "total"])
        #expect(sales[0]["orders"] as? Int == 5 && sales[0]["net"] as? Double == 6250)
        #expect(sales[1]["orders"] as? Int == 3 && sales[1]["net"] as? Double == 3750)
        #expect(sales[2]["gross"] as? Double == 13750 && sales[2]["refunded"] as? Double == 3750)
        // Revenue share 1: each faculty is paid all its net.
        let creators = try parseJSON(try lectern.ok(["report", "creators", "--format", "json"])) as! [[String: Any]]
        #expect(creators.map { $0["creator"] as? String } == ["The Open University: STEM", "The Open University: Social Sciences", "total"])
        #expect(creators.map { $0["payout"] as? Double } == [3750, 6250, 10000])
        let funnel = try parseJSON(try lectern.ok(["report", "funnel", "--by", "domain", "--format", "json"])) as! [[String: Any]]
        #expect([funnel[0]["viewed"], funnel[0]["enrolled"], funnel[0]["completed"]].map { $0 as? Int } == [0, 5, 2])
        #expect([funnel[1]["viewed"], funnel[1]["enrolled"], funnel[1]["completed"]].map { $0 as? Int } == [0, 3, 2])
        #expect(funnel[2]["view_to_enroll"] is NSNull)  // OULAD has no views
        // Campaign = first presentation: 2013J is 101 (paid 2,500 + 1,250), 102 (refunded), 103 (2,500).
        let channels = try parseJSON(try lectern.ok(["report", "channels", "--format", "json"])) as! [[String: Any]]
        #expect(channels.map { $0["campaign"] as? String } == ["2013J", "2014B", "2014J"])
        #expect(channels[0]["acquired"] as? Int == 3 && channels[0]["net"] as? Double == 6250)
        #expect(channels[0]["second_domain_buyers"] as? Int == 1)  // 101: AAA and CCC
        // Signed up 2013-09: 101 and 102; 101 comes back in month 4 (CCC), 9 and 12 (completions).
        let cohorts = try parseJSON(try lectern.ok(["report", "cohorts", "--format", "json"])) as! [[String: Any]]
        #expect(cohorts.map { $0["cohort"] as? String } == ["2013-09", "2013-10", "2013-12", "2014-02", "2014-09"])
        #expect([0, 1, 4, 9, 12].map { cohorts[0]["m\($0)"] as? Double } == [1, 0, 0.5, 0.5, 0.5])
    }

    @Test func refusesAFolderWithoutOULAD() throws {
        let lectern = try Lectern()
        let result = try convert([lectern.path("nothing-here"), lectern.path("out")])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("error: "))
        #expect(result.stderr.contains("courses.csv not found"))
    }
}
