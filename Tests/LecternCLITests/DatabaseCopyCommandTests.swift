import Foundation
import LecternPostgres
import LecternTestSupport
import Testing

/// `lectern db copy` through the real binary: SeedData with its caches to PostgreSQL and back to a new
/// file, the commands that run on both giving the same output on each copy, and the refusals.
@Suite("lectern db copy", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct DatabaseCopyCommandTests {
    /// The rows of every table of an SQLite file as `sqlite3 .dump` writes them, sorted (a table
    /// without an integer key lists its rows in the order they were inserted, which PostgreSQL does
    /// not keep), the migration ledger aside (its times are each database's own).
    static func dataLines(_ lectern: Lectern, _ path: String) throws -> [String] {
        try lectern.snapshot(database: path).split(separator: "\n")
            .filter { $0.hasPrefix("INSERT INTO ") && !$0.hasPrefix("INSERT INTO schema_migrations") }.map(String.init).sorted()
    }

    @Test func copiesSeedDataToPostgreSQLAndBackUnchanged() throws {
        let lectern = try Lectern()
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SeedData").standardizedFileURL
        for entity in ["creators", "courses", "users", "interactions", "organisations", "members", "assignments"] {
            try lectern.ok(["import", entity, seed.appendingPathComponent("\(entity).csv").path])
        }
        try lectern.ok(["train", "--algorithm", "popular"])
        try lectern.ok(["train", "--algorithm", "itemknn"])
        try lectern.ok(["apikey", "create", "--name", "storefront"])
        try TestPostgres.withDatabase { url in
            let password = try PGConnectionURL(url).password
            let up = try lectern.run(["db", "copy", "--to", url])
            #expect(up.status == 0, "\(up.stderr)")
            #expect(up.stdout.hasPrefix("Copied 39 tables, "), "\(up.stdout)")
            #expect(up.stdout.contains("net revenue USD "), "\(up.stdout)")
            if let password { #expect(!up.stdout.contains(password) && !up.stderr.contains(password)) }

            // What runs on PostgreSQL prints the same on the copy as on the file.
            for command in [["stats"], ["export", "interactions"], ["user", "list", "--format", "csv", "--limit", "3000"],
                            ["course", "list", "--format", "json", "--limit", "500"], ["tag", "list", "--format", "csv"]] {
                let onFile = try lectern.run(command)
                let onCopy = try lectern.run(command, database: url)
                #expect(onFile.status == 0 && onCopy.status == 0, "\(command): \(onCopy.stderr)")
                #expect(onCopy.stdout == onFile.stdout, "lectern \(command.joined(separator: " "))")
            }

            // A second copy into it is refused: it holds data now.
            let again = try lectern.fails(["db", "copy", "--to", url])
            #expect(again.contains("is not empty (rows in creators: 25"), "\(again)")
            #expect(try lectern.run(["db", "copy", "--to", url]).status == 5)

            // Back down to a new file: every row as it was, and the reports SQLite runs agree.
            let back = lectern.path("back.db")
            let down = try lectern.run(["db", "copy", "--to", back], database: url)
            #expect(down.status == 0, "\(down.stderr)")
            #expect(down.stdout.components(separatedBy: ", net revenue")[1] == up.stdout.components(separatedBy: ", net revenue")[1])
            #expect(try Self.dataLines(lectern, back) == (try Self.dataLines(lectern, lectern.databasePath)))
            for command in [["report", "sales", "--format", "csv"], ["stats"], ["recommend", "--user", "u000001", "--algorithm", "itemknn", "--format", "csv"]] {
                #expect(try lectern.run(command, database: back).stdout == (try lectern.ok(command)), "lectern \(command.joined(separator: " "))")
            }
        }
    }

    @Test func badInputIsOneErrorLineAndWritesNothing() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        // The same database twice, by --db and --to: exit 4.
        #expect(try lectern.fails(["db", "copy", "--to", lectern.databasePath]).contains("name the same database"))
        #expect(try lectern.run(["db", "copy", "--to", lectern.databasePath]).status == 4)
        // A missing source: exit 8, no target made.
        let missing = try lectern.run(["db", "copy", "--to", lectern.path("out.db")], database: lectern.path("nothing.db"))
        #expect(missing.status == 8 && missing.errorLines.count == 1, "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: lectern.path("out.db")))
        // A target with data: exit 5, untouched.
        let other = try Lectern()
        try other.ok(["creator", "add", "Someone", "--share", "0.5"])
        let before = try other.snapshot()
        #expect(try lectern.fails(["db", "copy", "--to", other.databasePath]).contains("is not empty"))
        #expect(try other.snapshot() == before)
        // A file that is not a database: exit 6, untouched.
        let text = try lectern.write("notes.txt", "not a database\n")
        #expect(try lectern.run(["db", "copy", "--to", text]).status == 6)
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "not a database\n")

        try TestPostgres.withDatabase { url in
            // A refused login: exit 8, the password never shown.
            let wrong = url.replacingOccurrences(of: #"://([^:@/]+):[^@]*@"#, with: "://$1:not-the-password@", options: .regularExpression)
            if wrong != url {
                let refused = try lectern.run(["db", "copy", "--to", wrong])
                #expect(refused.status == 8 && refused.errorLines.count == 1, "\(refused.stderr)")
                #expect(!refused.stderr.contains("not-the-password"))
            }
            // The same server database twice: exit 4, nothing written.
            let same = try lectern.run(["db", "copy", "--from", url, "--to", url], database: url)
            #expect(same.status == 4, "\(same.stderr)")
            #expect(try lectern.run(["db", "status"], database: url).stdout.contains("pending"))
        }
        let help = try lectern.ok(["db", "copy", "--help"])
        #expect(help.contains("--from") && help.contains("--to") && help.contains("transaction"))
    }
}
