import Foundation
import Testing

@Suite("lectern tag suggest, accept, drop")
struct TagCommandTests {
    /// The three courses of the service's tagging tests (keywords worked out there): pandas
    /// (beginner, tagged python by its editor), k8s, and spark (intermediate).
    func withCatalog() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.ok(["creator", "add", "Ada Lovelace", "--share", "0.7"])
        for (slug, title, description, domain, difficulty) in [
            ("pandas", "Pandas Dataframes", "Clean data with pandas.", "data-science", "beginner"),
            ("k8s", "Kubernetes Clusters", "Run containers on kubernetes.", "devops", "beginner"),
            ("spark", "Spark Dataframes", "Clean data at scale.", "data-science", "intermediate"),
        ] {
            try lectern.ok(["course", "add", slug, "--title", title, "--description", description, "--domain", domain,
                            "--difficulty", difficulty, "--price", "10", "--creator", "1", "--status", "published"])
        }
        try lectern.ok(["course", "tag", "pandas", "python"])
        return lectern
    }

    func rows(_ text: String) throws -> [[String: Any]] {
        try parseJSON(text) as! [[String: Any]]
    }

    @Test func suggestShowsTagsDomainAndDifficultyWithoutStoring() throws {
        let lectern = try withCatalog()
        let before = try lectern.snapshot()
        let rows = try rows(try lectern.ok(["tag", "suggest", "--min-courses", "1", "--course", "pandas", "--format", "json"]))
        let tags = rows.filter { $0["kind"] as? String == "tag" }
        #expect(tags.map { $0["suggestion"] as? String } == ["pandas", "dataframe", "clean-data"])
        #expect(tags.map { $0["score"] as? Double } == [4.04, 2.702, 1.932])
        #expect(tags.map { $0["evidence"] as? [String] } == [[], [], ["phrase"]])
        let domain = rows.first { $0["kind"] as? String == "domain" }
        #expect(domain?["suggestion"] as? String == "data-science")
        #expect(domain?["note"] as? String == "agrees")
        #expect(domain?["evidence"] as? [String] == ["spark"])
        let difficulty = rows.first { $0["kind"] as? String == "difficulty" }
        #expect(difficulty?["suggestion"] as? String == "intermediate")
        #expect(difficulty?["note"] as? String == "differs from beginner")
        #expect(try lectern.snapshot() == before)

        let table = try lectern.ok(["tag", "suggest", "--min-courses", "1", "--course", "pandas"])
        #expect(table.contains("1 course; 1 with a guess that differs from the stored domain or difficulty."))
    }

    @Test func applyAcceptDropRoundTrip() throws {
        let lectern = try withCatalog()
        let applied = try lectern.ok(["tags", "suggest", "--min-courses", "1", "--all", "--apply", "--limit", "3"])
        #expect(applied.contains("Applied 9 automatic tags to 3 courses."), "\(applied)")
        let twice = try lectern.ok(["tags", "suggest", "--min-courses", "1", "--all", "--apply", "--limit", "3"])
        #expect(twice.contains("Applied 0 automatic tags to 0 courses."), "\(twice)")
        #expect(twice.contains("applied before"))
        #expect(try lectern.sql("SELECT t.name || ':' || ct.source FROM course_tags ct JOIN tags t ON t.id = ct.tag_id JOIN courses c ON c.id = ct.course_id WHERE c.slug = 'pandas' ORDER BY t.name")
                == "clean-data:auto\ndataframe:auto\npandas:auto\npython:editor")
        #expect(try lectern.sql("SELECT round(ct.weight, 4) FROM course_tags ct JOIN tags t ON t.id = ct.tag_id WHERE t.name = 'dataframe' AND ct.course_id = 1") == "2.7023")
        let shown = try parseJSON(try lectern.ok(["course", "show", "pandas", "--format", "json"])) as! [String: Any]
        #expect(shown["tags"] as? [String] == ["python", "clean-data (auto)", "dataframe (auto)", "pandas (auto)"])

        #expect(try lectern.ok(["tag", "accept", "--course", "pandas", "--tag", "dataframe"]) == "pandas: accepted dataframe\n")
        #expect(try lectern.ok(["tag", "drop", "--course", "pandas", "--tag", "clean-data"]) == "pandas: dropped clean-data\n")
        let table = try lectern.ok(["course", "show", "pandas"])
        #expect(table.contains("tags:          dataframe, python, pandas (auto)"), "\(table)")
        // Dropped is never suggested again; applying again adds nothing to pandas.
        let again = try rows(try lectern.ok(["tag", "suggest", "--min-courses", "1", "--course", "pandas", "--apply", "--format", "json"]))
        #expect(!again.contains { $0["suggestion"] as? String == "clean-data" })
        #expect(!again.contains { $0["note"] as? String == "applied" })
        #expect(try lectern.sql("SELECT count(*) FROM course_tags WHERE course_id = 1") == "3")
        #expect(try lectern.ok(["tag", "accept", "--course", "pandas"]) == "pandas: accepted pandas\n")
        #expect(try lectern.ok(["tag", "accept", "--course", "pandas"]) == "pandas: no automatic tags to accept\n")
    }

    @Test func editorsTagsAndUnknownCoursesAreRefusedWithNothingChanged() throws {
        let lectern = try withCatalog()
        try lectern.ok(["tag", "suggest", "--min-courses", "1", "--course", "pandas", "--apply"])
        let before = try lectern.snapshot()
        let editor = try lectern.run(["tag", "drop", "--course", "pandas", "--tag", "dataframe", "--tag", "python"])
        #expect(editor.status == 5)
        #expect(editor.stderr == "error: 'python' is an editor's tag of course 'pandas', not a suggestion: remove it with `lectern course untag`\n")
        #expect(try lectern.fails(["tag", "accept", "--course", "pandas", "--tag", "python"]).contains("already an editor's tag"))
        let unknown = try lectern.run(["tag", "suggest", "--min-courses", "1", "--course", "pandas", "--course", "nope", "--apply"])
        #expect(unknown.status == 3)
        #expect(unknown.stderr == "error: no course 'nope'\n")
        #expect(try lectern.run(["tag", "drop", "--course", "nope", "--tag", "x"]).status == 3)
        #expect(try lectern.run(["tag", "accept", "--course", "pandas", "--tag", "spark"]).status == 3)
        #expect(try lectern.run(["tag", "suggest"]).status == 64)
        #expect(try lectern.run(["tag", "suggest", "--min-courses", "1", "--all", "--course", "pandas"]).status == 64)
        #expect(try lectern.run(["tag", "drop", "--course", "pandas"]).status == 64)
        #expect(try lectern.snapshot() == before)
    }

    @Test func anUncategorizedCourseGetsTheGuessedDomain() throws {
        let lectern = try withCatalog()
        try lectern.ok(["course", "update", "pandas", "--domain", "uncategorized"])
        let rows = try rows(try lectern.ok(["tag", "suggest", "--min-courses", "1", "--course", "pandas", "--apply", "--format", "json"]))
        let domain = rows.first { $0["kind"] as? String == "domain" }
        #expect(domain?["note"] as? String == "applied (was uncategorized)")
        #expect(try lectern.sql("SELECT domain FROM courses WHERE slug = 'pandas'") == "data-science")
    }

    @Test func evaluateReportsBothRulesAndStoresNothing() throws {
        let lectern = try withCatalog()
        let before = try lectern.snapshot()
        let rows = try rows(try lectern.ok(["tag", "suggest", "--evaluate", "--min-courses", "1", "--format", "json"]))
        #expect(rows.map { $0["rules"] as? String } == ["current", "before issue 13"])
        // Only pandas has a tag, and one tag cannot be split into hidden and visible: nothing is scored.
        #expect(rows.map { $0["courses"] as? Int } == [0, 0])
        #expect(try lectern.snapshot() == before)
        let refused = try lectern.run(["tag", "suggest", "--evaluate", "--all"])
        #expect(refused.status != 0 && refused.stderr.contains("--evaluate reads the whole catalog"))
    }
}
