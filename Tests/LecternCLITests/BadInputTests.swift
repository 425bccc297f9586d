import Foundation
import LecternSQLite
import Testing

/// Every user error: one `error:` line, a non-zero exit, the database as it was.
@Suite("lectern bad input")
struct BadInputTests {
    func seeded() throws -> Lectern {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-101"])
        return lectern
    }

    @Test(arguments: [
        (["course", "show", "nope"], "no course 'nope'"),
        (["user", "show", "ghost"], "no learner with external id 'ghost'"),
        (["record", "view", "--user", "ghost", "--course", "py-101"], "no learner"),
        (["record", "view", "--user", "u1", "--course", "nope"], "no course 'nope'"),
        (["course", "add", "py-101", "--title", "Again", "--domain", "x", "--price", "1", "--creator", "1"], "already exists"),
        (["course", "add", "new-1", "--title", "T", "--domain", "x", "--price=-5", "--creator", "1"], "negative"),
        (["course", "add", "new-1", "--title", "T", "--domain", "x", "--price", "1", "--creator", "1", "--difficulty", "expert"],
         "invalid --difficulty 'expert': use beginner, intermediate or advanced (see `lectern course add --help`)"),
        (["course", "add", "New Course", "--title", "T", "--domain", "x", "--price", "1", "--creator", "1"], "invalid slug"),
        (["course", "add", "new-1", "--title", "T", "--domain", "x", "--price", "1", "--creator", "Nobody"], "no creator"),
        (["record", "like", "--user", "u1", "--course", "py-101"],
         "invalid kind 'like': use view, wishlist, enroll, purchase, complete, rate, refund or dismiss (see `lectern record --help`)"),
        (["record", "rate", "--user", "u1", "--course", "py-101", "--rating", "6"], "between 1 and 5"),
        (["record", "refund", "--user", "u2", "--course", "py-101"], "needs a purchase"),
        (["record", "purchase", "--user", "u2", "--course", "py-301"], "draft"),
        (["record", "view", "--user", "u1", "--course", "py-101", "--at", "yesterday"], "--at must be a time such as"),
        (["record", "rate", "--user", "u1", "--course", "py-101"], "a rate event needs --rating from 1 to 5"),
        (["record", "view", "--user", "u1", "--course", "py-101", "--rating", "3"], "--rating is only for rate events"),
        (["record", "view", "--user", "u1", "--course", "py-101", "--amount", "3"], "--amount is only for purchase and refund events"),
        (["creator", "add", "Zed", "--share", "1.5"], "between 0 and 1"),
        (["user", "add", "u1"], "already exists"),
        (["user", "add", "u9", "--email", "not-an-email"], "invalid email"),
        (["course", "prereq", "py-101", "--add", "py-301"], "cycle"),
        (["course", "untag", "py-101", "nosuchtag"], "no tag"),
        (["activity", "--since", "2025-05-01", "--until", "2025-01-01"], "after --until"),
        (["import", "widgets", "x.csv"], "widgets"),
    ] as [([String], String)])
    func refusedWithOneLineAndNothingChanged(arguments: [String], expected: String) throws {
        let lectern = try seeded()
        let before = try lectern.snapshot()
        let line = try lectern.fails(arguments)
        #expect(line.contains(expected), "got: \(line)")
        #expect(try lectern.snapshot() == before)
    }

    @Test(arguments: [
        ("courses.csv", "slug,title,domain,price_minor,creator\nx-1,\"Unclosed,software,100,1\n", "never closed"),
        ("courses.csv", "slug,title,domain,price,creator\nx-1,T,d,100,Ada Lovelace\n", "unknown column 'price'"),
        ("courses.csv", "slug,title,domain,creator\nx-1,T,d,Ada Lovelace\n", "missing column 'price_minor'"),
        ("courses.csv", "slug,title,domain,price_minor,creator\nx-1,T,d,cheap,Ada Lovelace\n", "price_minor"),
        ("courses.csv", "slug,title,domain,price_minor,creator\nx-1,T,d,100\n", "expected 5 fields"),
        ("courses.jsonl", "{\"slug\": \"x-1\", \"title\": \n", "malformed JSON"),
        ("courses.jsonl", "{\"slug\": \"x-1\", \"title\": \"T\", \"domain\": \"d\", \"price_minor\": \"abc\", \"creator\": \"Ada Lovelace\"}\n", "expected a whole number"),
        ("courses.csv", "", "empty"),
        ("courses.txt", "slug\n", "cannot tell the format"),
    ])
    func malformedFilesAreRefused(name: String, contents: String, expected: String) throws {
        let lectern = try seeded()
        let before = try lectern.snapshot()
        let line = try lectern.fails(["import", "courses", try lectern.write(name, contents)])
        #expect(line.contains(expected), "got: \(line)")
        #expect(try lectern.snapshot() == before)
    }

    @Test func missingAndUnreadableFilesAreRefused() throws {
        let lectern = try seeded()
        #expect(try lectern.fails(["import", "users", lectern.path("absent.csv")]).contains("no such file"))
        try FileManager.default.createDirectory(atPath: lectern.path("folder.csv"), withIntermediateDirectories: true)
        #expect(try lectern.fails(["import", "users", lectern.path("folder.csv")]).contains("is a directory"))
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let lectern = try Lectern()
        let path = try lectern.write("notes.db", String(repeating: "not a database at all\n", count: 200))
        let line = try lectern.fails(["course", "list"], database: path)
        #expect(line.contains("not an SQLite database"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasPrefix("not a database"))
    }

    @Test func anotherApplicationsDatabaseIsRefused() throws {
        let lectern = try Lectern()
        let path = lectern.path("other.db")
        let other = try Connection(path: path)
        try other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
        let line = try lectern.fails(["course", "list"], database: path)
        #expect(line.contains("not a Lectern database"))
        #expect(try other.scalarInt("SELECT count(*) FROM sqlite_schema") == 1)
    }

    /// Issue 18: the refusal used to come after the journal had been switched to WAL.
    @Test func aRefusedFileKeepsEveryByteAndItsJournalMode() throws {
        let lectern = try Lectern()
        let path = lectern.path("invoices.db")
        do {
            let other = try Connection(path: path)
            try other.execute("PRAGMA journal_mode = DELETE")
            try other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER); INSERT INTO invoices VALUES (1, 990)")
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(before[18] == 1 && before[19] == 1)  // file format bytes: 1 = rollback journal, 2 = WAL
        for arguments in [["course", "list"], ["user", "list"], ["train"], ["report", "sales"]] {
            let line = try lectern.fails(arguments, database: path)
            #expect(line.contains("not a Lectern database"), "\(arguments): \(line)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func aDatabaseFromANewerLecternIsRefusedUntouched() throws {
        let lectern = try seeded()
        let db = try Connection(path: lectern.databasePath)
        try db.execute("INSERT INTO schema_migrations VALUES (99, 'from_the_future', 'abc', 0)")
        let before = try lectern.snapshot()
        let line = try lectern.fails(["course", "list"])
        #expect(line.contains("newer"))
        #expect(try lectern.snapshot() == before)
    }

    @Test func aLockedDatabaseFailsAfterTheBusyTimeout() throws {
        let lectern = try seeded()
        let holder = try Connection(path: lectern.databasePath)
        try holder.execute("BEGIN IMMEDIATE")
        let line = try lectern.fails(["record", "view", "--user", "u1", "--course", "py-101"],
                                     environment: ["LECTERN_BUSY_TIMEOUT_MS": "200"])
        #expect(line.contains("locked"))
        // Readers are not blocked by a writer (WAL).
        #expect(try lectern.run(["course", "list"]).status == 0)
        try holder.execute("ROLLBACK")
        try lectern.ok(["record", "view", "--user", "u1", "--course", "py-101"])
    }

    @Test func noInputEverCausesABacktrace() throws {
        let lectern = try seeded()
        for arguments in [["course", "add"], ["course", "list", "--limit", "-1"], ["record"], ["nonsense"],
                          ["user", "list", "--format", "xml"], ["course", "show", "99999999999999999999999"],
                          ["import", "users"], ["export", "catalog"]] {
            let result = try lectern.run(arguments)
            #expect(result.status != 0)
            #expect(result.errorLines.count == 1, "\(arguments): \(result.stderr)")
            #expect(result.stderr.hasPrefix("error: "), "\(arguments): \(result.stderr)")
        }
    }

    /// An error is one line whatever the value it quotes: control characters escaped, long values cut.
    @Test func anErrorLineNeverSpansTwoLines() throws {
        let lectern = try seeded()
        let line = try lectern.fails(["course", "show", "evil\nerror: injected\r\u{1B}[31m"])
        #expect(line.contains("evil\\nerror: injected\\r\\u{1B}[31m"), "\(line)")
        let long = try lectern.fails(["course", "show", String(repeating: "x", count: 5_000)])
        #expect(long.count < 700 && long.hasSuffix("…"))
    }

    /// A write error on --out is a file problem (exit 8), and a device or a link given as --out is
    /// written through, never replaced by a plain file.
    @Test func outputThatCannotBeWrittenIsExit8AndDevicesStayDevices() throws {
        let lectern = try seeded()
        for command in [["export", "interactions", "--out", "/dev/full"], ["report", "all", "--format", "html", "--out", "/dev/full"],
                        ["report", "sales", "--out", "/dev/full"]] {
            let result = try lectern.run(command)
            #expect(result.status == 8 && result.errorLines.count == 1 && result.stderr.contains("cannot write '/dev/full'"),
                    "\(command): \(result.stderr)")
        }
        var info = stat()
        #expect(lstat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR, "/dev/full is still a device")
        // A link is written through: the file it names gets the export, the link stays.
        let target = lectern.path("target.csv")
        try lectern.write("target.csv", "")
        try FileManager.default.createSymbolicLink(atPath: lectern.path("link.csv"), withDestinationPath: target)
        try lectern.ok(["export", "creators", "--out", lectern.path("link.csv")])
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("name,revenue_share"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: lectern.path("link.csv")) == target)
    }

    /// Messages a newcomer meets: a negative price as written (`--price -5`), a database in a folder
    /// that does not exist, an export into one; unused tags are hidden.
    @Test func messagesSayWhatIsWrong() throws {
        let lectern = try seeded()
        let price = try lectern.fails(["course", "add", "neg-1", "--title", "T", "--domain", "d", "--price", "-5", "--creator", "1"])
        #expect(price.contains("cannot be negative"), "\(price)")
        let amount = try lectern.fails(["record", "refund", "--user", "u1", "--course", "py-101", "--amount", "-5"])
        #expect(amount.contains("cannot be negative"), "\(amount)")
        let folder = lectern.path("no/such/folder")
        let initLine = try lectern.fails(["init"], database: folder + "/x.db")
        #expect(initLine.contains("the folder '\(folder)' does not exist"), "\(initLine)")
        let export = try lectern.fails(["export", "users", "--out", folder + "/users.csv"])
        #expect(export.contains("the folder '\(folder)' does not exist"), "\(export)")
        try lectern.ok(["course", "untag", "py-101", "beginner"])
        #expect(!(try lectern.ok(["tag", "list"])).contains("beginner"))
        #expect(try lectern.ok(["tag", "list", "--include-unused"]).contains("beginner"))
    }

    /// An idempotency key has one limit, 200 characters, on the command line and in imports (and HTTP).
    @Test func anIdempotencyKeyIsAtMost200Bytes() throws {
        let lectern = try seeded()
        let before = try lectern.snapshot()
        let key = String(repeating: "k", count: 201)
        let result = try lectern.run(["record", "view", "--user", "u1", "--course", "py-101", "--key", key])
        #expect(result.status == 4 && result.stderr.contains("at most 200 characters"), "\(result.stderr)")
        let file = try lectern.write("keys.csv", "user,course,kind,occurred_at,key\nu1,py-101,view,2025-03-01,\(key)\n")
        let imported = try lectern.run(["import", "interactions", file])
        #expect(imported.status == 4 && imported.stderr.contains("line 2") && imported.stderr.contains("200 characters"), "\(imported.stderr)")
        #expect(try lectern.snapshot() == before)
        try lectern.ok(["record", "view", "--user", "u1", "--course", "py-101", "--key", String(repeating: "k", count: 200)])
    }

    /// Only `init` or `--create` makes a database: a mistyped `--db` is an error, and no file appears.
    @Test(arguments: [["stats"], ["course", "list"], ["record", "view", "--user", "u1", "--course", "x"],
                      ["import", "users", "users.csv"], ["db", "migrate"], ["db", "status"], ["serve", "--port", "0"],
                      ["train"], ["report", "sales"]])
    func aMissingDatabaseIsNeverCreatedByMistake(arguments: [String]) throws {
        let lectern = try Lectern(initialized: false)
        try lectern.write("users.csv", "external_id\nu1\n")
        let typo = lectern.path("shop.dbb")
        let result = try lectern.run(arguments, database: typo)
        #expect(result.status == 8, "\(arguments): \(result.stderr)")
        #expect(result.errorLines == ["error: no database at '\(typo)': check the path, or create one with `lectern init --db \(typo)` (or --create)"])
        #expect(!FileManager.default.fileExists(atPath: typo))
    }

    @Test func initAndCreateMakeADatabase() throws {
        let lectern = try Lectern(initialized: false)
        try lectern.write("users.csv", "external_id\nu1\n")
        let created = lectern.path("new.db")
        #expect(try lectern.run(["import", "users", "users.csv", "--create"], database: created).status == 0)
        #expect(try lectern.run(["user", "show", "u1"], database: created).status == 0)
        try lectern.ok(["init"])
        #expect(FileManager.default.fileExists(atPath: lectern.databasePath))
    }
}
