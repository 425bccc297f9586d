import Foundation
import Testing

@Suite("lectern import and export")
struct TransferCommandTests {
    static let creators = """
        name,revenue_share,contact
        Ada Lovelace,0.7,ada@example.com
        "Grace Hopper, PhD",0.65,

        """
    static let courses = """
        slug,title,description,domain,difficulty,format,language,price_minor,currency,creator,hours,status,tags,prerequisites,created_at
        py-201,Python for Data,"Pandas, plots and ""real"" data",data-science,intermediate,video,en,7900,USD,Ada Lovelace,12.5,published,python;pandas,py-101,2025-01-02T00:00:00Z
        py-101,Python Basics,Start here,software-engineering,beginner,video,en,4990,USD,Ada Lovelace,6,published,python,,2025-01-01T00:00:00Z
        cobol-1,COBOL Today,,software-engineering,beginner,ebook,en,0,USD,"Grace Hopper, PhD",3,published,,,2025-01-05T00:00:00Z

        """
    static let users = """
        external_id,display_name,email,country,interests,channel,campaign,created_at
        u1,Bo,bo@example.com,DE,python;data-science,social_video,tiktok-q1,2025-01-10T08:00:00Z
        u2,Cy,,,finance,referral,,2025-01-11T08:00:00Z

        """
    static let interactions = """
        user,course,kind,value,channel,occurred_at,key
        u1,py-101,view,,web,2025-02-01T10:00:00Z,
        u1,py-101,purchase,4990,web,2025-02-01T10:05:00Z,evt-1
        u1,py-101,purchase,4990,web,2025-02-01T10:05:00Z,evt-1
        u1,py-101,complete,,app,2025-02-20T10:00:00Z,
        u1,py-101,rate,5,app,2025-02-21T10:00:00Z,
        u2,cobol-1,enroll,,,2025-03-01T10:00:00Z,
        u1,py-201,purchase,,web,2025-03-02T10:00:00Z,
        u1,py-201,refund,,web,2025-03-03T10:00:00Z,

        """

    func importAll(_ lectern: Lectern) throws {
        try lectern.ok(["import", "creators", try lectern.write("creators.csv", Self.creators)])
        try lectern.ok(["import", "courses", try lectern.write("courses.csv", Self.courses)])
        try lectern.ok(["import", "users", try lectern.write("users.csv", Self.users)])
        let out = try lectern.ok(["import", "interactions", try lectern.write("interactions.csv", Self.interactions)])
        #expect(out.contains("Imported 7 interactions"))
        #expect(out.contains("1 already recorded"))
    }

    /// A keyless event is known by its learner, course, kind, time and value: importing the same file
    /// again, or recording the same event again, stores nothing new and says so.
    @Test func importingTheSameEventsAgainRecordsNothingNew() throws {
        let lectern = try Lectern()
        try importAll(lectern)
        let before = try lectern.snapshot()
        let again = try lectern.ok(["import", "interactions", lectern.path("interactions.csv")])
        #expect(again.contains("Imported 0 interactions"), "\(again)")
        #expect(again.contains("8 already recorded"), "\(again)")
        #expect(try lectern.snapshot() == before)

        // The same rows again with a repeat inside the file and one new event: only the new one is stored.
        let more = Self.interactions + "u2,cobol-1,view,,,2025-03-04T10:00:00Z,\nu2,cobol-1,view,,,2025-03-04T10:00:00Z,\n"
        let out = try lectern.ok(["import", "interactions", try lectern.write("more.csv", more)])
        #expect(out.contains("Imported 1 interactions") && out.contains("9 already recorded"), "\(out)")

        // `record` of an event already stored (same time and value) changes nothing; a second later is new.
        let repeated = try lectern.ok(["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-02-01T10:00:00Z"])
        #expect(repeated.hasPrefix("Already recorded as event 1 "), "\(repeated)")
        try lectern.ok(["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-02-01T10:00:01Z"])
        let views = try parseJSON(try lectern.ok(["activity", "--user", "u1", "--kind", "view", "--format", "json"])) as! [[String: Any]]
        #expect(views.count == 2)
        // A rating of another value at the same time is another event.
        try lectern.ok(["record", "rate", "--user", "u1", "--course", "py-101", "--rating", "4", "--at", "2025-02-21T10:00:00Z"])
        let rates = try parseJSON(try lectern.ok(["activity", "--user", "u1", "--kind", "rate", "--format", "json"])) as! [[String: Any]]
        #expect(rates.count == 2)
    }

    /// A course's family travels through import and export, and a course in two families is refused
    /// with its line named.
    @Test func familiesAreImportedAndExported() throws {
        let lectern = try Lectern()
        try lectern.ok(["import", "creators", try lectern.write("creators.csv", Self.creators)])
        let courses = """
            slug,title,domain,price_minor,creator,family
            aaa-2013j,Module AAA 2013J,social-sciences,100,Ada Lovelace,Module-AAA
            aaa-2014j,Module AAA 2014J,social-sciences,100,Ada Lovelace,module-aaa
            bbb-2013j,Module BBB 2013J,social-sciences,100,Ada Lovelace,

            """
        try lectern.ok(["import", "courses", try lectern.write("families.csv", courses)])
        let exported = try lectern.ok(["export", "courses"])
        #expect(exported.contains(",module-aaa\n") && exported.split(separator: "\n").filter { $0.hasSuffix(",module-aaa") }.count == 2)
        let shown = try parseJSON(try lectern.ok(["course", "show", "aaa-2014j", "--format", "json"])) as! [String: Any]
        #expect(shown["family"] as? String == "module-aaa")
        let before = try lectern.snapshot()
        let twice = "slug,title,domain,price_minor,creator,family\nccc-1,C,d,1,Ada Lovelace,module-aaa;module-bbb\n"
        let line = try lectern.fails(["import", "courses", try lectern.write("twice.csv", twice)])
        #expect(line.contains("line 2") && line.contains("at most one family"), "\(line)")
        #expect(try lectern.snapshot() == before)
        try lectern.ok(["course", "update", "bbb-2013j", "--family", "module-bbb"])
        #expect(try lectern.sql("SELECT family FROM courses WHERE slug = 'bbb-2013j'") == "module-bbb")
    }

    @Test func csvImportStoresEverything() throws {
        let lectern = try Lectern()
        try importAll(lectern)
        let course = try parseJSON(try lectern.ok(["course", "show", "py-201", "--format", "json"])) as! [String: Any]
        #expect(course["prerequisites"] as? [String] == ["py-101"])  // named a later row
        #expect(course["tags"] as? [String] == ["pandas", "python"])
        #expect(course["description"] as? String == "Pandas, plots and \"real\" data")
        #expect(course["refunds"] as? Int == 1)
        let user = try parseJSON(try lectern.ok(["user", "show", "u1", "--format", "json"])) as! [String: Any]
        #expect(user["net_spend"] as? [String: Double] == ["USD": 49.9])  // 49.90 + 79.00 - 79.00
        #expect(user["interests"] as? [String] == ["python", "data-science"])
    }

    @Test(arguments: ["csv", "jsonl", "tsv"])
    func exportsImportBackUnchanged(format: String) throws {
        let first = try Lectern()
        try importAll(first)
        // A dismissal and its reason travel too.
        try first.ok(["record", "dismiss", "--user", "u2", "--course", "py-101", "--reason", "too-basic", "--at", "2025-05-01T08:00:00Z"])
        let second = try Lectern()
        for entity in ["creators", "courses", "users", "interactions"] {
            let file = first.path("\(entity).out.\(format)")
            try first.ok(["export", entity, "--out", file])
            let copy = second.path("\(entity).\(format)")
            try FileManager.default.copyItem(atPath: file, toPath: copy)
            try second.ok(["import", entity, copy])
        }
        for entity in ["creators", "courses", "users", "interactions"] {
            let a = try first.ok(["export", entity, "--format", format])
            let b = try second.ok(["export", entity, "--format", format])
            #expect(!a.isEmpty)
            #expect(a == b, "\(entity) changed on a round trip through \(format)")
            if entity == "interactions" { #expect(b.contains("dismiss") && b.contains("too-basic"), "\(b)") }
        }
    }

    @Test func catalogExportWritesCreatorsAndCourses() throws {
        let lectern = try Lectern()
        try importAll(lectern)
        try lectern.ok(["export", "catalog", "--out", lectern.path("catalog"), "--format", "jsonl"])
        let courses = try String(contentsOfFile: lectern.path("catalog/courses.jsonl"), encoding: .utf8)
        #expect(courses.split(separator: "\n").count == 3)
        let first = try parseJSON(String(courses.split(separator: "\n")[0])) as! [String: Any]
        #expect(first["slug"] as? String == "py-201")
        #expect(first["price_minor"] as? Int == 7900)
        #expect(first["tags"] as? [String] == ["pandas", "python"])
        #expect(FileManager.default.fileExists(atPath: lectern.path("catalog/creators.jsonl")))
    }

    @Test func aBadRowRefusesTheWholeFileUnlessSkipped() throws {
        let lectern = try Lectern()
        try lectern.ok(["import", "creators", try lectern.write("creators.csv", Self.creators)])
        try lectern.ok(["import", "courses", try lectern.write("courses.csv", Self.courses)])
        try lectern.ok(["import", "users", try lectern.write("users.csv", Self.users)])
        let bad = try lectern.write("bad.csv", """
            user,course,kind,value,channel,occurred_at,key
            u1,py-101,view,,web,2025-02-01T10:00:00Z,
            u1,py-101,rate,9,web,2025-02-01T10:00:00Z,
            u1,nope,view,,web,2025-02-01T10:00:00Z,
            u2,py-101,view,,web,2025-02-01T10:00:00Z,

            """)
        let before = try lectern.snapshot()
        let error = try lectern.fails(["import", "interactions", bad])
        #expect(error.contains("line 3"))
        #expect(error.contains("rating"))
        #expect(try lectern.snapshot() == before)

        let out = try lectern.ok(["import", "interactions", bad, "--skip-invalid"])
        #expect(out.contains("Imported 2 interactions"))
        #expect(out.contains("skipped 2 invalid"))
        #expect(out.contains("line 4: course: no course 'nope'"))
    }

    @Test func jsonLinesImport() throws {
        let lectern = try Lectern()
        try lectern.ok(["import", "creators", try lectern.write("c.jsonl", """
            {"name": "Ada Lovelace", "revenue_share": 0.7, "contact": null}
            """)])
        try lectern.ok(["import", "courses", try lectern.write("k.jsonl", """
            {"slug":"py-101","title":"Python \\u00e9t\\u00e9","domain":"software-engineering","price_minor":4990,"creator":"Ada Lovelace","tags":["python","intro"],"status":"published"}
            """)])
        let shown = try parseJSON(try lectern.ok(["course", "show", "py-101", "--format", "json"])) as! [String: Any]
        #expect(shown["title"] as? String == "Python été")
        #expect(shown["tags"] as? [String] == ["intro", "python"])
    }
}
