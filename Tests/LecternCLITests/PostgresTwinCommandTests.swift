import Foundation
import LecternTestSupport
import Testing

/// The commands that run on PostgreSQL, through the built binary: the same steps on an SQLite file
/// and on a fresh PostgreSQL database must print the same thing and exit alike (issue 16: "every
/// command works on both with the same output"). Times of "now" are masked, as the two runs are
/// seconds apart. Skipped without LECTERN_TEST_PG; under LECTERN_REQUIRE_PG=1 (CI) they run.
@Suite("Commands on PostgreSQL give SQLite's output", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct PostgresTwinCommandTests {
    /// Runs `steps` on an SQLite file and on a PostgreSQL database, and compares every result after
    /// `mask` (`masked` unless told).
    static func expectSameOutput(_ steps: [[String]], files: [String: String] = [:],
                                 mask: (String) -> String = masked,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lectern = try Lectern()
        for (name, text) in files { try lectern.write(name, text) }
        try TestPostgres.withDatabase { url in
            let created = try lectern.run(["init"], database: url)
            #expect(created.status == 0, "\(created.stderr)", sourceLocation: sourceLocation)
            for step in steps {
                let onSQLite = try lectern.run(step)
                let onPostgres = try lectern.run(step, database: url)
                let command = "lectern " + step.joined(separator: " ")
                #expect(!onSQLite.signaled && !onPostgres.signaled, "\(command) crashed", sourceLocation: sourceLocation)
                #expect(onPostgres.status == onSQLite.status, "\(command): \(onPostgres.stderr)", sourceLocation: sourceLocation)
                #expect(mask(onPostgres.stdout) == mask(onSQLite.stdout), "\(command)", sourceLocation: sourceLocation)
                #expect(mask(onPostgres.stderr) == mask(onSQLite.stderr), "\(command)", sourceLocation: sourceLocation)
            }
        }
    }

    /// `text` with every ISO 8601 time of today replaced by `<now>`, an import's timing by `<t>`, and
    /// learners' pseudonyms by `L-<p>` (each database makes its own secret pseudonym key).
    static func masked(_ text: String) -> String {
        let today = ISO8601DateFormatter().string(from: Date()).prefix(10)
        return text.replacingOccurrences(of: "\(today)T[0-9:]{8}Z", with: "<now>", options: .regularExpression)
            .replacingOccurrences(of: " in [0-9.]+s( \\([0-9]+ rows/s\\))?", with: " in <t>", options: .regularExpression)
            .replacingOccurrences(of: "L-[0-9a-f]{12}", with: "L-<p>", options: .regularExpression)
    }

    static let catalog: [[String]] = [
        ["creator", "add", "Grace Hopper", "--share", "0.7", "--contact", "grace@example.com"],
        ["creator", "add", "Ada Lovelace", "--share", "0.55"],
        ["creator", "add", "Grace Hopper", "--share", "0.1"],
        ["creator", "add", "Greedy", "--share", "1.5"],
        ["course", "add", "py-101", "--title", "Python basics", "--domain", "programming", "--price", "49.90",
         "--creator", "Grace Hopper", "--status", "published", "--tags", "python,Beginners", "--hours", "3.5"],
        ["course", "add", "py-201", "--title", "Python further", "--description", "More PYTHON", "--domain", "programming",
         "--price", "79", "--creator", "1", "--status", "published", "--requires", "py-101", "--difficulty", "intermediate"],
        ["course", "add", "stats-1", "--title", "Statistics", "--domain", "data-science", "--price", "30", "--currency", "eur",
         "--creator", "Ada Lovelace", "--status", "published", "--family", "stats"],
        ["course", "add", "draft-1", "--title", "A draft", "--domain", "programming", "--price", "10", "--creator", "Ada Lovelace"],
        ["course", "add", "py-101", "--title", "Again", "--domain", "programming", "--price", "1", "--creator", "Ada Lovelace"],
        ["course", "add", "orphan", "--title", "No creator", "--domain", "programming", "--price", "1", "--creator", "Nobody"],
        ["course", "prereq", "py-101", "--add", "py-201"],
        ["course", "prereq", "py-101", "--add", "py-101"],
        ["course", "prereq", "stats-1", "--set", "py-101,py-201"],
        ["course", "prereq", "stats-1", "--clear"],
        ["course", "tag", "stats-1", "statistics", "maths"],
        ["course", "untag", "stats-1", "maths"],
        ["course", "untag", "stats-1", "maths"],
        ["course", "update", "draft-1", "--title", "Still a draft", "--price", "12.50"],
        ["course", "archive", "draft-1"],
        ["course", "show", "py-201"], ["course", "show", "stats-1", "--format", "json"],
        ["course", "list"], ["course", "list", "--format", "csv", "--domain", "programming"],
        ["course", "list", "--search", "python", "--format", "json"], ["course", "list", "--tag", "python"],
        ["course", "list", "--min-price", "20", "--max-price", "60", "--limit", "1"], ["course", "list", "--offset", "1"],
        ["creator", "list"], ["creator", "list", "--format", "json", "--limit", "1"], ["creator", "show", "Grace Hopper"],
        ["creator", "show", "9"], ["tag", "list"], ["tag", "list", "--include-unused", "--format", "csv"],
        ["tag", "list", "--limit", "1", "--format", "json"],
    ]

    static let learners: [[String]] = [
        ["user", "add", "u1", "--name", "Uma", "--email", "uma@example.com", "--country", "de", "--interests", "python,stats",
         "--channel", "search", "--campaign", "spring", "--at", "2025-01-02"],
        ["user", "add", "u2", "--name", "Vic", "--at", "2025-01-03", "--marketing-opt-in"],
        ["user", "add", "u2", "--at", "2025-01-03"],
        ["user", "add", "u3", "--email", "not-an-email"],
        ["user", "update", "u2", "--country", "fr", "--interests", "maths", "--no-marketing-opt-in"],
        ["user", "list"], ["user", "list", "--search", "UMA", "--format", "json"], ["user", "list", "--country", "FR", "--format", "csv"],
        ["user", "show", "u1"],
    ]

    static let activity: [[String]] = [
        ["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-02-01T10:00:00Z"],
        ["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-02-01T10:00:00Z"],
        ["record", "purchase", "--user", "u1", "--course", "py-101", "--at", "2025-02-02", "--key", "order-1"],
        ["record", "purchase", "--user", "u1", "--course", "py-101", "--at", "2025-02-03", "--key", "order-1"],
        ["record", "purchase", "--user", "u2", "--course", "stats-1", "--at", "2025-02-03", "--amount", "25.50", "--channel", "app"],
        ["record", "purchase", "--user", "u2", "--course", "draft-1", "--at", "2025-02-03"],
        ["record", "rate", "--user", "u1", "--course", "py-101", "--rating", "5", "--at", "2025-02-04"],
        ["record", "rate", "--user", "u1", "--course", "py-101", "--rating", "9", "--at", "2025-02-04"],
        ["record", "refund", "--user", "u1", "--course", "py-101", "--at", "2025-02-05"],
        ["record", "refund", "--user", "u1", "--course", "py-101", "--at", "2025-02-06"],
        ["record", "refund", "--user", "u2", "--course", "py-201", "--at", "2025-02-06"],
        ["record", "dismiss", "--user", "u2", "--course", "py-201", "--reason", "too_expensive", "--at", "2025-02-07"],
        ["record", "dismiss", "--user", "u2", "--course", "py-201", "--reason", "too-expensive", "--at", "2025-02-07"],
        ["record", "dismiss", "--user", "u2", "--course", "py-201", "--at", "2025-02-08"],
        ["record", "view", "--user", "ghost", "--course", "py-101"],
        ["activity"], ["activity", "--user", "u1", "--format", "json"], ["activity", "--kind", "purchase", "--format", "csv"],
        ["activity", "--since", "2025-02-03", "--until", "2025-02-06", "--limit", "2"],
        ["stats"], ["stats", "--format", "json"], ["user", "show", "u1", "--format", "json"], ["course", "show", "py-101"],
        ["user", "forget", "u1"], ["user", "forget", "u1"], ["stats", "--format", "csv"], ["activity"],
    ]

    @Test("creator and course commands: adds, refusals, tags, prerequisites, listings")
    func catalogCommands() throws {
        try Self.expectSameOutput(Self.catalog)
    }

    @Test("user commands, then record, activity, stats and forget: kinds, money, refunds, idempotency")
    func learnerAndActivityCommands() throws {
        try Self.expectSameOutput(Self.catalog + Self.learners + Self.activity)
    }

    /// A refused import rolls back on both engines, but a PostgreSQL sequence keeps the ids it gave out
    /// (docs/engines.md): the refused imports come after the listings that show ids, and `stats` and
    /// `export` (which show none) check that nothing was kept.
    static let transfers: [[String]] = [
        ["import", "creators", "creators.csv"], ["import", "courses", "courses.csv"], ["import", "users", "users.csv"],
        ["import", "interactions", "interactions.csv"], ["import", "interactions", "interactions.csv"],
        ["import", "interactions", "bad.csv", "--skip-invalid"],
        ["export", "creators"], ["export", "courses", "--format", "jsonl"], ["export", "users", "--format", "tsv"],
        ["export", "interactions"], ["export", "interactions", "--format", "jsonl"],
        ["course", "show", "py-201"], ["stats"], ["activity"],
        ["import", "interactions", "bad.csv"], ["import", "users", "users.csv"], ["import", "users", "users.csv", "--skip-invalid"],
        ["stats", "--format", "json"], ["export", "interactions"], ["export", "users"],
    ]

    @Test("import and export of creators, courses, users and interactions: all or nothing, duplicates, skipped rows")
    func transferCommands() throws {
        let bad = """
            user,course,kind,value,channel,occurred_at,key
            u2,py-101,view,,web,2025-04-01T10:00:00Z,
            ghost,py-101,view,,web,2025-04-01T10:00:00Z,
            u2,py-101,rate,9,web,2025-04-02T10:00:00Z,

            """
        try Self.expectSameOutput(Self.transfers, files: [
            "creators.csv": TransferCommandTests.creators, "courses.csv": TransferCommandTests.courses,
            "users.csv": TransferCommandTests.users, "interactions.csv": TransferCommandTests.interactions, "bad.csv": bad,
        ])
    }

    /// Organisations end to end (issue 19 on both engines): seats, members, licences, skills, assignments
    /// and their statuses, moves, files in and out, the org report, and a forgotten member.
    static let organisations: [[String]] = [
        ["import", "creators", "creators.csv"], ["import", "courses", "courses.csv"], ["import", "users", "users.csv"],
        ["import", "interactions", "interactions.csv"],
        ["user", "add", "u3"], ["user", "add", "u4"], ["user", "add", "u5"],
        ["org", "add", "acme", "--name", "Acme Corp", "--seats", "2", "--seat-price", "240"],
        ["org", "add", "acme", "--name", "Again", "--seats", "1"],
        ["org", "add", "beta", "--name", "Beta", "--seats", "5", "--seat-price", "99.5", "--currency", "EUR"],
        ["org", "member", "add", "acme", "--user", "u1", "--team", "data", "--manager"],
        ["org", "member", "add", "acme", "--user", "u2", "--team", "data", "--role", "analyst"],
        ["org", "member", "add", "acme", "--user", "u3", "--team", "data"],
        ["org", "member", "add", "acme", "--user", "ghost", "--team", "data"],
        ["org", "update", "acme", "--seats", "1"],
        ["org", "update", "acme", "--seats", "4"],
        ["org", "member", "add", "acme", "--user", "u3", "--team", "sales"],
        ["org", "show", "acme"], ["org", "show", "acme", "--format", "json"], ["org", "list", "--format", "csv"],
        ["org", "licence", "acme", "--domain", "software-engineering", "--course", "py-201"],
        ["org", "licence", "acme", "--course", "nope"],
        ["org", "skills", "acme", "--team", "data", "--tags", "python,pandas"],
        ["org", "skills", "acme", "--team", "sales", "--tags", "cobol"],
        ["org", "member", "list", "acme"], ["org", "member", "list", "acme", "--team", "data", "--format", "json"],
        ["assign", "--org", "acme", "--team", "data", "--course", "py-201", "--due", "2099-01-31"],
        ["assign", "--org", "acme", "--team", "data", "--course", "py-201", "--due", "2099-01-31"],
        ["assign", "--org", "acme", "--team", "data", "--course", "py-201", "--due", "2099-03-31"],
        ["assign", "--org", "acme", "--user", "u3", "--skills", "cobol", "--due", "2099-02-01"],
        ["assign", "--org", "acme", "--user", "u3", "--path-goal", "py-201", "--due", "2099-03-01"],
        ["assign", "--org", "acme", "--user", "u3", "--course", "cobol-1", "--due", "2020-01-01"],
        ["assign", "--org", "acme", "--user", "u5", "--course", "cobol-1", "--due", "2099-01-01"],
        ["record", "enroll", "--user", "u2", "--course", "py-201", "--at", "2025-04-01"],
        ["record", "complete", "--user", "u1", "--course", "py-201", "--at", "2025-04-02"],
        ["assignments", "--org", "acme"], ["assignments", "--org", "acme", "--format", "json"],
        ["assignments", "--org", "acme", "--status", "started", "--format", "csv"], ["assignments", "--org", "acme", "--user", "u1"],
        ["report", "org", "--org", "acme", "--include-personal-data"],
        ["report", "org", "--org", "acme", "--format", "json", "--include-personal-data"],
        ["report", "org", "--org", "beta", "--format", "csv"], ["report", "org", "--org", "nope"],
        ["org", "member", "add", "beta", "--user", "u2", "--team", "ops"],
        ["assignments", "--org", "acme", "--all", "--format", "csv"],
        ["org", "member", "remove", "acme", "--user", "u5"],
        ["import", "members", "twice.csv"], ["import", "members", "members.jsonl"],
        ["import", "organisations", "organisations.csv"], ["import", "assignments", "assignments.csv"],
        ["export", "organisations"], ["export", "members", "--format", "jsonl"], ["export", "assignments", "--format", "tsv"],
        ["user", "forget", "u1"],
        ["assignments", "--org", "acme", "--all"], ["report", "org", "--org", "acme", "--format", "csv", "--include-personal-data"],
        ["org", "list"],
    ]

    @Test("organisations: seats, members, licences, skills, assignments, files, the org report and forgetting")
    func organisationCommands() throws {
        try Self.expectSameOutput(Self.organisations, files: [
            "creators.csv": TransferCommandTests.creators, "courses.csv": TransferCommandTests.courses,
            "users.csv": TransferCommandTests.users, "interactions.csv": TransferCommandTests.interactions,
            "twice.csv": "org,user,team\nbeta,u4,ops\nacme,u4,data\n",
            "members.jsonl": "{\"org\": \"beta\", \"user\": \"u4\", \"team\": \"ops\", \"manager\": true}\n",
            "organisations.csv": "slug,name,seats,seat_price_minor,currency,created_at,domains,courses,skills\n"
                + "gamma,Gamma,3,1000,USD,2025-02-01T00:00:00Z,data-science,cobol-1,ops:python;ops:sql\n",
            "assignments.csv": "org,user,course,source,step,due_at,assigned_at,retired_at\n"
                + "beta,u4,py-101,course,,2025-05-01T00:00:00Z,2025-04-01T00:00:00Z,\n"
                + "beta,u4,cobol-1,course,,2025-05-01T00:00:00Z,2025-04-01T00:00:00Z,2025-04-15T00:00:00Z\n",
        ])
    }

    /// The fixtures plus purchases and refunds in USD and EUR over day, month and year edges (some
    /// recorded after the first report's rollup refresh, so read raw above its watermark), a dismissal,
    /// and seats bought in both currencies.
    static let shop: [[String]] = [
        ["import", "creators", "creators.csv"], ["import", "courses", "courses.csv"], ["import", "users", "users.csv"],
        ["import", "interactions", "interactions.csv"],
        ["course", "add", "eu-1", "--title", "Statistik", "--domain", "data-science", "--price", "30", "--currency", "eur",
         "--creator", "Ada Lovelace", "--status", "published"],
        ["course", "add", "eu-2", "--title", "Finanzen", "--domain", "finance", "--price", "19.99", "--currency", "eur",
         "--creator", "Grace Hopper, PhD", "--status", "published"],
        ["user", "add", "u3", "--channel", "search", "--campaign", "spring", "--at", "2024-12-30"],
        ["user", "add", "u4", "--channel", "search", "--at", "2025-03-15"],
        ["user", "add", "u5", "--channel", "search", "--campaign", "Autumn", "--at", "2025-03-16"],
        ["record", "purchase", "--user", "u2", "--course", "eu-1", "--at", "2024-12-31T23:59:59Z"],
        ["record", "purchase", "--user", "u3", "--course", "eu-1", "--at", "2025-01-01T00:00:00Z", "--amount", "27.35"],
        ["record", "purchase", "--user", "u3", "--course", "py-101", "--at", "2025-02-10T12:00:00Z"],
        ["record", "purchase", "--user", "u3", "--course", "eu-2", "--at", "2025-03-05"],
        ["record", "refund", "--user", "u3", "--course", "eu-2", "--at", "2025-03-07", "--amount", "9.99"],
        ["record", "complete", "--user", "u3", "--course", "eu-1", "--at", "2025-02-15"],
        ["record", "view", "--user", "u4", "--course", "eu-2", "--at", "2025-03-16"],
        ["record", "enroll", "--user", "u4", "--course", "eu-2", "--at", "2025-03-17"],
        ["record", "dismiss", "--user", "u4", "--course", "cobol-1", "--reason", "too-expensive", "--at", "2025-03-18"],
        ["record", "dismiss", "--user", "u5", "--course", "cobol-1", "--at", "2025-03-18"],
        ["org", "add", "acme", "--name", "Acme", "--seats", "2", "--seat-price", "240"],
        ["org", "add", "beta", "--name", "Beta", "--seats", "3", "--seat-price", "99.5", "--currency", "EUR"],
        ["org", "member", "add", "acme", "--user", "u4", "--team", "data"],
        ["record", "enroll", "--user", "u4", "--course", "py-101"],
    ]

    /// Every report that runs on PostgreSQL, in table, JSON and CSV (and Markdown for one).
    static let reports: [[String]] = {
        let kinds: [[String]] = [
            ["sales"], ["sales", "--by", "day"], ["sales", "--by", "week"], ["sales", "--by", "course"], ["sales", "--by", "domain"],
            ["sales", "--by", "creator"], ["sales", "--since", "2025-01-01", "--until", "2025-03-06"],
            ["sales", "--domain", "data-science"], ["sales", "--creator", "Ada Lovelace"], ["sales", "--channel", "search"],
            ["creators"], ["creators", "--since", "2025-01-01"], ["creators", "--creator", "Grace Hopper, PhD"],
            ["funnel"], ["funnel", "--by", "course"], ["funnel", "--by", "channel"], ["channels"], ["cohorts"],
            ["cohorts", "--measure", "purchase"], ["catalog"], ["catalog", "--limit", "1"], ["learners"],
            ["learners", "--include-personal-data", "--limit", "2"], ["crossover"], ["segments"],
        ]
        return kinds.flatMap { kind in ["table", "json", "csv"].map { ["report"] + kind + ["--format", $0] } } + [["report", "sales", "--format", "md"]]
    }()

    @Test("reports: sales, creators, funnel, channels, cohorts, catalog, learners, crossover, segments in every format")
    func reportCommands() throws {
        let later: [[String]] = [
            ["record", "purchase", "--user", "u5", "--course", "eu-1", "--at", "2025-03-20T08:00:00Z"],
            ["record", "refund", "--user", "u2", "--course", "eu-1", "--at", "2025-03-21"],
            ["report", "sales", "--by", "day", "--format", "csv"], ["report", "creators"], ["report", "cohorts"],
            ["user", "forget", "u3"], ["report", "sales", "--by", "course"], ["report", "learners"], ["report", "channels"],
            ["report", "sales", "--by", "year"], ["report", "sales", "--creator", "Nobody"], ["report", "learners", "--segment", "nope"],
            ["report", "crossover", "--domain", "finance"], ["report", "sales", "--since", "2025-03-01", "--until", "2025-02-01"],
        ]
        try Self.expectSameOutput(Self.shop + Self.reports + later, files: [
            "creators.csv": TransferCommandTests.creators, "courses.csv": TransferCommandTests.courses,
            "users.csv": TransferCommandTests.users, "interactions.csv": TransferCommandTests.interactions,
        ])
    }

    /// Training and serving on both engines: every standard model trained, lists read from the cache
    /// and folded in after new activity, similar courses, runs pruned past the kept three.
    static let recommendations: [[String]] = [
        ["import", "creators", "creators.csv"], ["import", "courses", "courses.csv"], ["import", "courses", "more-courses.csv"],
        ["import", "users", "users.csv"], ["import", "users", "more-users.csv"],
        ["import", "interactions", "interactions.csv"], ["import", "interactions", "more-interactions.csv"],
        ["recommend", "--user", "u1"], ["models"],
        ["train"], ["models"],
        ["recommend", "--user", "u1"], ["recommend", "--user", "u1", "--format", "json"],
        ["recommend", "--user", "u3", "--explain"], ["recommend", "--user", "u4", "--algorithm", "itemknn", "--format", "csv"],
        ["recommend", "--user", "u5", "--algorithm", "als", "--limit", "3"], ["recommend", "--user", "u2", "--algorithm", "popular"],
        ["recommend", "--user", "u6", "--algorithm", "content", "--explain"], ["recommend", "--user", "ghost"],
        ["recommend", "--user", "u1", "--algorithm", "ease"], ["recommend", "--user", "u1", "--limit", "0"],
        ["similar", "--course", "py-101"], ["similar", "--course", "sql-1", "--format", "json"],
        ["similar", "--course", "cobol-1", "--algorithm", "content"], ["similar", "--course", "nope"],
        ["record", "view", "--user", "u3", "--course", "ml-1", "--at", "2025-04-01T10:00:00Z"],
        ["recommend", "--user", "u3", "--explain"],
        ["train", "--algorithm", "popular"], ["train", "--algorithm", "popular"], ["train", "--algorithm", "popular", "--top", "2"],
        ["models"], ["recommend", "--user", "u2", "--algorithm", "popular", "--format", "json"],
        ["train", "--algorithm", "itemknn", "--k", "0"],
    ]

    @Test("train, recommend, similar and models: the same models, lists and runs on both engines")
    func recommendationCommands() throws {
        try Self.expectSameOutput(Self.recommendations, files: Self.recommendationFiles, mask: Self.maskedScores)
    }

    /// `masked`, and numbers with two decimals (scores, seconds) as `<s>`.
    static func maskedScores(_ text: String) -> String {
        masked(text).replacingOccurrences(of: "\\b[0-9]+\\.[0-9]{2}\\b", with: "<s>", options: .regularExpression)
    }

    /// The fixtures plus three courses, four learners and their views and enrolments in March 2025.
    static let recommendationFiles: [String: String] = {
        let moreCourses = """
            slug,title,description,domain,difficulty,format,language,price_minor,currency,creator,hours,status,tags,prerequisites,created_at
            sql-1,SQL Basics,Tables and joins,data-science,beginner,video,en,2900,USD,Ada Lovelace,4,published,sql;data,,2025-01-06T00:00:00Z
            ml-1,Machine Learning,Models from data,data-science,advanced,video,en,9900,USD,Ada Lovelace,20,published,python;ml,py-201,2025-01-07T00:00:00Z
            web-1,Web Pages,HTML and CSS,software-engineering,beginner,ebook,en,1900,USD,"Grace Hopper, PhD",5,published,web,,2025-01-08T00:00:00Z

            """
        let moreUsers = """
            external_id,display_name,email,country,interests,channel,campaign,created_at
            u3,Di,,FR,sql,search,,2025-01-12T08:00:00Z
            u4,Ed,,US,python,search,,2025-01-12T09:00:00Z
            u5,Fa,,US,web,referral,,2025-01-13T08:00:00Z
            u6,Gu,,,data-science,,,2025-01-14T08:00:00Z

            """
        var events = ["user,course,kind,value,channel,occurred_at,key"]
        let taken: [(String, [String])] = [
            ("u2", ["web-1", "py-101"]), ("u3", ["sql-1", "py-101", "py-201"]), ("u4", ["py-101", "py-201", "ml-1"]),
            ("u5", ["web-1", "cobol-1", "py-101"]), ("u6", ["sql-1", "ml-1"]), ("u1", ["sql-1"]),
        ]
        for (day, (user, courses)) in taken.enumerated() {
            for (hour, course) in courses.enumerated() {
                events.append("\(user),\(course),view,,web,2025-03-\(10 + day)T1\(hour):00:00Z,")
                events.append("\(user),\(course),enroll,,web,2025-03-\(10 + day)T1\(hour):30:00Z,")
            }
        }
        return [
            "creators.csv": TransferCommandTests.creators, "courses.csv": TransferCommandTests.courses,
            "more-courses.csv": moreCourses, "users.csv": TransferCommandTests.users, "more-users.csv": moreUsers,
            "interactions.csv": TransferCommandTests.interactions, "more-interactions.csv": events.joined(separator: "\n") + "\n",
        ]
    }()
}
