import Foundation
import LecternStore
import Testing
import LecternTestSupport

/// PostgreSQL imports interactions with COPY, judging each batch in memory (`PostgresInteractionLoad`);
/// SQLite inserts row by row through `InteractionWriter`. The two must agree on every row: these tests
/// import the same hostile files on both engines and compare what each kept, counted and refused.
@Suite("interactions import: COPY on PostgreSQL keeps exactly what SQLite keeps")
struct InteractionLoadTwinTests {
    /// What an import left: its summary (or error) and the interactions exported after it.
    struct Outcome: Equatable {
        var summaries: [String]
        var exported: String
    }

    /// Five learners and three courses, so that rows meet often: repeats of earlier rows (with and
    /// without their key), refunds with and without amounts (some before any purchase, some twice),
    /// dismissals close to other events, purchases without amounts by a licensed member, ratings
    /// out of range, and keys reused for other events. 6,000 rows: three batches, with repeats and
    /// refunds whose purchase lies in an earlier batch.
    static func hostileEvents(rows: Int = 6_000, seed: UInt64 = 7) -> String {
        var random = SplitMix(seed)
        let users = ["u1", "u2", "u3", "u4", "u5"], courses = ["c1", "c2", "c3"]
        let kinds = ["view", "wishlist", "enroll", "purchase", "purchase", "refund", "complete", "rate", "dismiss"]
        var lines: [String] = []
        for index in 0..<rows {
            if index > 10, random.next(100) < 12 {
                // A repeat of an earlier row, sometimes with its key dropped or changed.
                var fields = lines[Int(random.next(UInt64(lines.count)))].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                switch random.next(3) {
                case 0: fields[6] = ""
                case 1: fields[6] = "k\(random.next(400))"
                default: break
                }
                lines.append(fields.joined(separator: ","))
                continue
            }
            let kind = kinds[Int(random.next(UInt64(kinds.count)))]
            var value = ""
            switch kind {
            case "rate": value = String(random.next(7))  // 0 and 6 are out of range
            case "purchase", "refund": value = random.next(2) == 0 ? "" : String(random.next(3_000))
            default: break
            }
            let time = 1_735_689_600 + Int(random.next(5_000)) * 60
            let key = random.next(4) == 0 ? "k\(random.next(400))" : ""
            lines.append([users[Int(random.next(5))], courses[Int(random.next(3))], kind, value, "web", String(time), key]
                .joined(separator: ","))
        }
        return "user,course,kind,value,channel,occurred_at,key\n" + lines.joined(separator: "\n") + "\n"
    }

    /// A small deterministic generator (the test's files must be the same on every run).
    struct SplitMix {
        var state: UInt64
        init(_ seed: UInt64) { state = seed }
        mutating func next(_ bound: UInt64) -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (z ^ (z >> 31)) % bound
        }
    }

    /// Imports `files` one after the other (skipping invalid rows when `skipInvalid`) on `engine`.
    static func importing(_ files: [String], skipInvalid: Bool, on engine: TestEngine) throws -> Outcome {
        var outcome = Outcome(summaries: [], exported: "")
        try withDatabase(on: engine) { db in
            let creator = try makeCreator(in: db)
            try makeCourse(in: db, slug: "c1", creator: creator, domain: "data", priceMinor: 1_900)
            try makeCourse(in: db, slug: "c2", creator: creator, domain: "data", priceMinor: 4_900)
            try makeCourse(in: db, slug: "c3", creator: creator, domain: "design", priceMinor: 0)
            for user in ["u1", "u2", "u3", "u4", "u5"] { try makeLearner(in: db, externalID: user) }
            // u2's organisation licenses the data courses: u2's purchases without amounts cost nothing.
            let organisations = OrganisationRepository(db)
            _ = try organisations.create(Organisation(slug: "acme", name: "Acme", seats: 3, createdAt: newYear2025))
            _ = try organisations.addMember(OrgMember(externalID: "u2", team: "data"), to: "acme", at: newYear2025)
            try organisations.license("acme", domains: ["data"], courses: [])
            let directory = try TemporaryDirectory()
            for (index, text) in files.enumerated() {
                let path = try directory.write("events-\(index).csv", text)
                do {
                    let summary = try Importer(db).importInteractions(from: path, options: ImportOptions(skipInvalid: skipInvalid))
                    outcome.summaries.append("\(summary.imported) imported, \(summary.duplicates) repeated, skipped "
                                             + summary.skipped.map { "\($0.line): \($0.reason)" }.joined(separator: "; "))
                } catch let error as StoreError {
                    outcome.summaries.append("error \(error.code): \(error.message)")
                }
            }
            let exported = directory.path("exported.csv")
            _ = try Exporter(db).exportInteractions(to: exported, format: .csv)
            outcome.exported = try String(contentsOfFile: exported, encoding: .utf8)
        }
        return outcome
    }

    static func expectSame(_ files: [String], skipInvalid: Bool) throws {
        let sqlite = try importing(files, skipInvalid: skipInvalid, on: .sqlite)
        guard TestPostgres.isEnabled else {
            try withDatabase(on: .postgresql) { _ in }  // records the skip, or fails when PostgreSQL is required
            return
        }
        let postgres = try importing(files, skipInvalid: skipInvalid, on: .postgresql)
        #expect(postgres.summaries == sqlite.summaries)
        #expect(postgres.exported == sqlite.exported)
        if postgres.exported != sqlite.exported {
            let (a, b) = (sqlite.exported.split(separator: "\n"), postgres.exported.split(separator: "\n"))
            if let first = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                Issue.record("first difference at exported line \(first.offset + 1): SQLite \(first.element.0) / PostgreSQL \(first.element.1)")
            }
        }
    }

    @Test("a hostile file with --skip-invalid, then the same file again: the same rows kept, repeats counted, lines skipped")
    func hostileFileSkippingInvalid() throws {
        let events = Self.hostileEvents()
        let sqlite = try Self.importing([events], skipInvalid: true, on: .sqlite)
        // The file exercises what it claims to: rows kept, repeats found and rows refused.
        let parts = sqlite.summaries[0].split(separator: " ")
        #expect(Int(parts[0])! > 2_000)
        #expect(Int(parts[2])! > 300)
        #expect(sqlite.summaries[0].contains("the purchase was already refunded"))
        #expect(sqlite.summaries[0].contains("a refund needs a purchase"))
        try Self.expectSame([events, events], skipInvalid: true)
    }

    @Test("without --skip-invalid: the same refusal, naming the same line, and nothing kept")
    func hostileFileAllOrNothing() throws {
        try Self.expectSame([Self.hostileEvents()], skipInvalid: false)
    }

    @Test("files that differ in their seeds agree too", arguments: [11, 23, 42] as [UInt64])
    func otherSeeds(seed: UInt64) throws {
        try Self.expectSame([Self.hostileEvents(rows: 2_500, seed: seed), Self.hostileEvents(rows: 2_500, seed: seed + 1)], skipInvalid: true)
    }
}
