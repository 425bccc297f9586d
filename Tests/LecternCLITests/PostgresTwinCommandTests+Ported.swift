import Foundation
import Testing

/// The commands ported to PostgreSQL after the first twins (issue 16): evaluation, tuning,
/// experiments, the recommendation, experiment and campaign reports (and so `report all`),
/// marketing, audiences, learning paths, tag suggestions and cleaning.
extension PostgresTwinCommandTests {
    /// `masked`, and the database named in an evaluation or a report's page (the SQLite file's path or
    /// name; PostgreSQL's `user@host:port/database`) as `<db>`.
    static func maskedDatabase(_ text: String) -> String {
        masked(text).replacingOccurrences(of: "\\S*test\\.db", with: "<db>", options: .regularExpression)
            .replacingOccurrences(of: "\\S+@\\S+/lectern_test_[0-9a-f]{16}", with: "<db>", options: .regularExpression)
    }

    /// `maskedDatabase`, and numbers with two decimals (training and trial seconds) as `<s>`.
    static func maskedDatabaseAndSeconds(_ text: String) -> String {
        maskedScores(maskedDatabase(text))
    }

    static let importRecommendationFiles: [[String]] = [
        ["import", "creators", "creators.csv"], ["import", "courses", "courses.csv"], ["import", "courses", "more-courses.csv"],
        ["import", "users", "users.csv"], ["import", "users", "more-users.csv"],
        ["import", "interactions", "interactions.csv"], ["import", "interactions", "more-interactions.csv"],
        ["record", "dismiss", "--user", "u2", "--course", "ml-1", "--reason", "too-expensive", "--at", "2025-03-10T09:00:00Z"],
        ["record", "dismiss", "--user", "u6", "--course", "web-1", "--at", "2025-03-11T09:00:00Z"],
        ["record", "dismiss", "--user", "u4", "--course", "web-1", "--reason", "not-relevant", "--at", "2025-03-20T10:00:00Z"],
    ]

    /// An experiment between two trained models, impressions logged by `recommend`, then a view, a
    /// purchase and a dismissal of what was shown (at "now", inside the window).
    static let experiment: [[String]] = [
        ["experiment", "create", "spring", "--variant", "A=itemknn", "--variant", "B=popular", "--traffic", "50/50"],
        ["experiment", "create", "spring", "--variant", "A=itemknn", "--variant", "B=popular"],
        ["experiment", "create", "x", "--variant", "A=itemknn"], ["experiment", "create", "y", "--variant", "A=itemknn", "--variant", "B=als", "--traffic", "60/60"],
        ["experiment", "list"], ["experiment", "list", "--format", "json"],
        ["recommend", "--user", "u1"], ["recommend", "--user", "u2"], ["recommend", "--user", "u3", "--format", "json"],
        ["recommend", "--user", "u4"], ["recommend", "--user", "u5", "--format", "csv"],
        ["record", "view", "--user", "u1", "--course", "ml-1"], ["record", "purchase", "--user", "u2", "--course", "ml-1", "--amount", "12"],
        ["record", "dismiss", "--user", "u3", "--course", "web-1"], ["record", "enroll", "--user", "u5", "--course", "sql-1"],
    ]

    @Test("evaluate, tune and experiment: the same splits, metrics, trials and variants on both engines")
    func evaluationCommands() throws {
        let steps: [[String]] = Self.importRecommendationFiles + [
            ["evaluate", "--algorithm", "itemknn,popular,content", "--factors", "4", "--iterations", "2"],
            ["evaluate", "--algorithm", "itemknn,popular", "--format", "json"],
            ["evaluate", "--algorithm", "popular", "--split", "random", "--format", "csv"],
            ["evaluate", "--split", "leave-last", "--algorithm", "itemknn,als", "--factors", "4", "--iterations", "2", "--k", "3,5"],
            ["evaluate", "--split", "kfold", "--folds", "3", "--algorithm", "itemknn"],
            ["evaluate", "--dismissals", "--algorithm", "itemknn,popular", "--factors", "4", "--iterations", "2"],
            ["evaluate", "--dismissals", "--algorithm", "itemknn", "--format", "json"],
            ["evaluate", "--task", "audience", "--audience-size", "3"], ["evaluate", "--task", "audience", "--format", "csv"],
            ["tune", "--algorithm", "itemknn", "--trials", "3"], ["tune", "--algorithm", "popular", "--trials", "2", "--format", "json"],
            ["tune", "--all", "--trials", "2", "--format", "csv"], ["tune", "--algorithm", "itemknn", "--metric", "nope@3"],
            ["train"], ["models"],
        ] + Self.experiment + [
            ["experiment", "report", "spring"], ["experiment", "report", "spring", "--format", "json"],
            ["experiment", "report", "spring", "--format", "csv"], ["experiment", "stop", "spring"], ["experiment", "stop", "spring"],
            ["experiment", "list", "--format", "csv"], ["experiment", "report", "nope"], ["recommend", "--user", "u1"],
        ]
        try Self.expectSameOutput(steps, files: Self.recommendationFiles, mask: Self.maskedDatabaseAndSeconds)
    }

    /// A campaign to py-201's audience (learners opted in first), half held out, and enrolments after it.
    static let campaign: [[String]] = [
        ["user", "update", "u1", "--marketing-opt-in"], ["user", "update", "u2", "--marketing-opt-in"],
        ["user", "update", "u5", "--marketing-opt-in"], ["user", "update", "u6", "--marketing-opt-in"],
        ["audience", "--course", "py-201", "--campaign", "spring-launch", "--holdout", "50%", "--export", "campaign.csv"],
        ["audience", "--course", "py-201", "--campaign", "spring-launch", "--export", "again.csv"],
        ["audience", "--course", "ml-1", "--campaign", "ml-push", "--export", "ml.json", "--seed", "7"],
        ["record", "enroll", "--user", "u1", "--course", "py-201"], ["record", "purchase", "--user", "u6", "--course", "py-201"],
        ["record", "enroll", "--user", "u2", "--course", "py-201"],
    ]

    @Test("report recommendations, experiments, campaigns and all, in every format")
    func recommendationReports() throws {
        var reports: [[String]] = []
        for kind in ["recommendations", "experiments", "campaigns"] {
            for format in ["table", "json", "csv", "md", "html"] { reports.append(["report", kind, "--format", format]) }
        }
        for format in ["table", "json", "md", "html"] { reports.append(["report", "all", "--format", format]) }
        reports += [
            ["report", "recommendations", "--since", "2025-01-01", "--until", "2025-03-21"],
            ["report", "campaigns", "--campaign", "ml-push", "--format", "json"], ["report", "campaigns", "--campaign", "nope"],
        ]
        let steps: [[String]] = Self.importRecommendationFiles + [
            ["report", "recommendations"], ["report", "experiments", "--format", "json"], ["report", "campaigns"],
            ["evaluate", "--algorithm", "itemknn,popular,content"], ["train"],
        ] + Self.experiment + Self.campaign + reports
        try Self.expectSameOutput(steps, files: Self.recommendationFiles, mask: Self.maskedDatabaseAndSeconds)
    }

    @Test("bundles, partners, audience, profile, segments, path, tag suggestions and clean on both engines")
    func marketingAndCatalogCommands() throws {
        let steps: [[String]] = Self.importRecommendationFiles + [
            ["bundles", "--min-learners", "1"], ["bundles", "--min-learners", "2", "--format", "json"],
            ["bundles", "--min-learners", "1", "--cross-domain", "--format", "csv"],
            ["bundles", "--min-learners", "1", "--course", "py-101", "--discount", "20"], ["bundles", "--course", "nope"],
            ["partners", "--min-shared", "1"], ["partners", "--min-shared", "1", "--format", "json"],
            ["partners", "--min-shared", "1", "--creator", "Ada Lovelace", "--format", "csv"],
            ["audience", "--course", "py-201"], ["audience", "--course", "ml-1", "--format", "json", "--include-personal-data"],
            ["audience", "--course", "web-1", "--method", "content", "--format", "csv"], ["audience", "--course", "py-201", "--method", "als"],
            ["audience", "--course", "nope"], ["audience", "--course", "py-201", "--export", "audience.json", "--include-personal-data"],
            ["user", "profile", "u3"], ["user", "profile", "u4", "--format", "json"], ["user", "profile", "ghost"],
            ["segments", "build", "--k", "2"], ["segments", "list"], ["segments", "list", "--format", "json"], ["user", "profile", "u3"],
            ["segments", "build", "--k", "3", "--format", "csv"], ["segments", "list", "--format", "csv"],
            ["path", "--user", "u1", "--goal", "ml-1"], ["path", "--user", "u2", "--domain", "data-science", "--format", "json"],
            ["path", "--user", "u6", "--goal", "ml-1", "--format", "csv"], ["path", "--user", "ghost", "--goal", "ml-1"],
            ["tag", "suggest", "--all"], ["tag", "suggest", "--course", "py-101", "--format", "json"],
            ["tag", "suggest", "--all", "--apply", "--min-courses", "1", "--format", "csv"], ["tag", "list", "--include-unused"],
            ["course", "show", "py-101", "--format", "json"], ["tag", "accept", "--course", "py-101"],
            ["tag", "drop", "--course", "sql-1", "--tag", "sql"], ["tag", "drop", "--course", "py-201", "--tag", "nonsense"],
            ["tag", "suggest", "--course", "py-201", "--format", "json"], ["tag", "suggest", "--evaluate"],
            ["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-03-22T10:00:00Z"],
            ["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-03-22T10:00:30Z"],
            ["record", "purchase", "--user", "u4", "--course", "web-1", "--at", "2025-03-22T10:00:00Z"],
            ["record", "purchase", "--user", "u4", "--course", "web-1", "--at", "2025-03-22T10:00:10Z", "--key", "again"],
            ["clean", "--dry-run"], ["clean", "--dry-run", "--format", "json"], ["clean", "--format", "csv"],
            ["clean", "--include-money"], ["clean", "--burst-limit", "0"], ["stats"], ["activity", "--user", "u1"],
        ]
        try Self.expectSameOutput(steps, files: Self.recommendationFiles, mask: Self.maskedDatabase)
    }

    /// SeedData's platform (220 courses, 2,400 learners, 120,000 events), where bundles, partners,
    /// audiences, segments, suggestions and the cleaning rules all find something.
    @Test("bundles, partners, audience, segments, tag suggest and clean on the seed platform")
    func seedPlatformCommands() throws {
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("SeedData")
        let imports = ["creators", "courses", "users", "interactions"].map { ["import", $0, seed.appendingPathComponent("\($0).csv").path] }
        let course = "introduction-to-digital-twins"
        let steps: [[String]] = imports + [
            ["bundles"], ["bundles", "--format", "json", "--discount", "15", "--limit", "5"], ["bundles", "--cross-domain", "--format", "csv"],
            ["bundles", "--course", course, "--min-learners", "3"], ["partners"], ["partners", "--format", "csv", "--min-shared", "20"],
            ["audience", "--course", course, "--limit", "8"], ["audience", "--course", course, "--method", "content", "--format", "csv"],
            ["audience", "--course", "spanish-for-beginners", "--limit", "5", "--format", "json", "--include-personal-data"],
            ["segments", "build"], ["segments", "list", "--format", "csv"],
            ["tag", "suggest", "--all", "--limit", "2", "--format", "csv"], ["tag", "suggest", "--evaluate", "--format", "json"],
            ["evaluate", "--task", "audience", "--audience-size", "20", "--format", "csv"],
            ["clean", "--dry-run", "--format", "json", "--sample", "3"], ["clean", "--daily-limit", "20", "--format", "csv"], ["stats"],
        ]
        try Self.expectSameOutput(steps, mask: Self.maskedDatabase)
    }
}
