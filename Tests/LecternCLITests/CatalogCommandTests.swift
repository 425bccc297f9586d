import Foundation
import Testing

@Suite("lectern catalog commands")
struct CatalogCommandTests {
    @Test func initCreatesAMigratedDatabase() throws {
        let lectern = try Lectern()
        let out = try lectern.ok(["init"])
        let migrations = try FileManager.default.contentsOfDirectory(
            atPath: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Migrations").path)
            .filter { $0.hasSuffix(".sql") }
        #expect(out.contains("schema version \(migrations.count)"))
        #expect(FileManager.default.fileExists(atPath: lectern.databasePath))
        let status = try parseJSON(try lectern.ok(["db", "status", "--format", "json"])) as! [[String: Any]]
        #expect(status.count == migrations.count)
        #expect(status.allSatisfy { $0["state"] as? String == "applied" })
        #expect(try lectern.ok(["db", "migrate"]).contains("up to date"))
    }

    @Test func coursesAreAddedListedFilteredAndShown() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        let all = try parseJSON(try lectern.ok(["course", "list", "--format", "json"])) as! [[String: Any]]
        #expect(all.map { $0["slug"] as? String } == ["py-101", "py-201", "py-301"])
        #expect(all.first?["price"] as? Double == 49.9)

        let published = try parseJSON(try lectern.ok(["course", "list", "--status", "published", "--format", "json"])) as! [[String: Any]]
        #expect(published.count == 2)
        let tagged = try lectern.ok(["course", "list", "--tag", "python", "--format", "csv"])
        #expect(tagged.split(separator: "\n").count == 2)  // header + py-101
        let cheap = try parseJSON(try lectern.ok(["course", "list", "--max-price", "80", "--format", "json"])) as! [[String: Any]]
        #expect(cheap.map { $0["slug"] as? String } == ["py-101", "py-201"])
        let searched = try parseJSON(try lectern.ok(["course", "list", "--search", "data", "--format", "json"])) as! [[String: Any]]
        #expect(searched.map { $0["slug"] as? String } == ["py-201"])
        let ebooks = try parseJSON(try lectern.ok(["course", "list", "--course-format", "ebook", "--format", "json"])) as! [[String: Any]]
        #expect(ebooks.map { $0["slug"] as? String } == ["py-301"])
        let paged = try parseJSON(try lectern.ok(["course", "list", "--limit", "1", "--offset", "1", "--format", "json"])) as! [[String: Any]]
        #expect(paged.map { $0["slug"] as? String } == ["py-201"])

        let shown = try parseJSON(try lectern.ok(["course", "show", "py-301", "--format", "json"])) as! [String: Any]
        #expect(shown["prerequisites"] as? [String] == ["py-201"])
        #expect(shown["creator"] as? String == "Ada Lovelace")
        #expect(shown["format"] as? String == "ebook")

        let table = try lectern.ok(["course", "list"])
        #expect(table.hasPrefix("ID  SLUG"))
        #expect(table.contains("Python Basics"))
    }

    @Test func coursesAreUpdatedArchivedTaggedAndLinked() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["course", "update", "py-101", "--price", "59.5", "--title", "Python Basics, 2nd ed."])
        var shown = try parseJSON(try lectern.ok(["course", "show", "py-101", "--format", "json"])) as! [String: Any]
        #expect(shown["price"] as? Double == 59.5)
        #expect(shown["title"] as? String == "Python Basics, 2nd ed.")

        try lectern.ok(["course", "tag", "py-101", "scripting", "automation"])
        try lectern.ok(["course", "untag", "py-101", "beginner"])
        shown = try parseJSON(try lectern.ok(["course", "show", "py-101", "--format", "json"])) as! [String: Any]
        #expect(shown["tags"] as? [String] == ["automation", "python", "scripting"])

        try lectern.ok(["course", "archive", "py-201"])
        shown = try parseJSON(try lectern.ok(["course", "show", "py-201", "--format", "json"])) as! [String: Any]
        #expect(shown["status"] as? String == "archived")

        #expect(try lectern.ok(["course", "prereq", "py-301", "--set", "py-101"]).contains("requires: py-101"))
        #expect(try lectern.ok(["course", "prereq", "py-301", "--clear"]).contains("requires: nothing"))

        let tags = try parseJSON(try lectern.ok(["tag", "list", "--format", "json"])) as! [[String: Any]]
        let counts = Dictionary(uniqueKeysWithValues: tags.map { ($0["tag"] as! String, $0["courses"] as! Int) })
        #expect(counts == ["automation": 1, "python": 1, "scripting": 1])  // a tag no course carries is hidden
        let all = try parseJSON(try lectern.ok(["tag", "list", "--include-unused", "--format", "json"])) as! [[String: Any]]
        #expect(all.contains { $0["tag"] as? String == "beginner" && $0["courses"] as? Int == 0 })
    }

    @Test func creatorsAndLearnersAreManaged() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        let creators = try parseJSON(try lectern.ok(["creator", "list", "--format", "json"])) as! [[String: Any]]
        #expect(creators.first?["courses"] as? Int == 3)
        #expect(creators.first?["revenue_share"] as? Double == 0.7)
        #expect(try lectern.ok(["creator", "show", "Ada Lovelace"]).contains("py-101, py-201, py-301"))

        try lectern.ok(["user", "update", "u2", "--country", "de", "--interests", "finance,data-science"])
        let shown = try parseJSON(try lectern.ok(["user", "show", "u2", "--format", "json"])) as! [String: Any]
        #expect(shown["country"] as? String == "DE")
        #expect(shown["interests"] as? [String] == ["finance", "data-science"])
        let social = try parseJSON(try lectern.ok(["user", "list", "--channel", "social_video", "--format", "json"])) as! [[String: Any]]
        #expect(social.map { $0["external_id"] as? String } == ["u1"])
        let csv = try lectern.ok(["user", "list", "--format", "csv"])
        #expect(csv.hasPrefix("id,external_id,display_name"))
    }

    @Test func theDatabaseComesFromLecternDBWhenNoFlagIsGiven() throws {
        let lectern = try Lectern()
        let process = Process()
        process.executableURL = Lectern.binary
        process.arguments = ["init"]
        process.environment = ["LECTERN_DB": lectern.path("env.db")]
        process.standardOutput = Pipe()
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: lectern.path("env.db")))
    }
}
