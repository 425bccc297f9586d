import Foundation
import Testing

/// Hostile and careless input against the real binary, seeded so every run tries the same cases:
/// mutated SeedData files (CSV and JSON Lines), extreme values and malformed arguments. Every case
/// must end in success or in exactly one `error:` line with a documented exit code, never a trap,
/// and a refused command must leave the database as it was. With `--skip-invalid`, what is kept
/// must be exactly the rows the importer did not list (checked by importing those rows alone).
@Suite("fuzz: hostile input", .serialized)
struct FuzzTests {
    /// The exit codes the README documents for a refusal (1 is only `health`; 6 and 7 need another
    /// database or a lock, which these cases do not make).
    static let documented: Set<Int32> = [3, 4, 5, 8, 64]

    /// SplitMix64: small, fast, and the same sequence on every machine.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
    }

    /// Values that have broken parsers before: extreme numbers and times, bad encodings, quotes.
    static let hostile: [[UInt8]] = [
        "-9223372036854775808", "9223372036854775807", "-9223372036854775000", "4611686018427387904", "1e308", "NaN",
        "-0", "", "0", "-1", "9999-12-31T23:59:60Z", "2025-02-30", "0000-00-00", "2025-03-01T09:00:00+99:99",
        "1969-12-31", "10000-01-01", String(repeating: "9", count: 40), "\"", "a\"b", "\"\"\"", "ü€😀", "rate", "refund",
        "purchase", "u999999", "no-such-course", ";;;", "\\", "{\"a\":1}", "[1,2]", "null", "true", " ", "\t",
    ].map { Array($0.utf8) } + [[0], [0xFF, 0xFE], [0xC3], [0xED, 0xA0, 0x80], [0x1B, 0x5B, 0x33, 0x31, 0x6D]]

    /// The SeedData catalog imported once; each case works on a copy.
    static let base: (lectern: Lectern, seed: URL) = {
        let lectern = try! Lectern()
        let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../SeedData").standardizedFileURL
        for entity in ["creators", "courses", "users"] {
            let result = try! lectern.run(["import", entity, seed.appendingPathComponent("\(entity).csv").path])
            precondition(result.status == 0, result.stderr)
        }
        return (lectern, seed)
    }()

    /// A fresh copy of the base database, named `name`.
    func copy(_ name: String) throws -> String {
        let lectern = Self.base.lectern
        let path = lectern.path(name)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        try FileManager.default.copyItem(atPath: lectern.databasePath, toPath: path)
        return path
    }

    /// The first `count` data lines of a SeedData file, with its header.
    static func seedLines(_ file: String, count: Int) throws -> (header: [UInt8], lines: [[UInt8]]) {
        let text = try String(contentsOf: base.seed.appendingPathComponent(file), encoding: .utf8)
        var rows = text.split(separator: "\n", omittingEmptySubsequences: true).map { Array($0.utf8) }
        let header = rows.removeFirst()
        return (header, Array(rows.prefix(count)))
    }

    /// One to three mutations of random lines: a hostile value in a field, a byte dropped or added,
    /// a line cut, doubled, or given an extra field, two fields swapped.
    static func mutate(_ lines: [[UInt8]], _ random: inout Random, separator: UInt8 = UInt8(ascii: ",")) -> [[UInt8]] {
        var lines = lines
        for _ in 0...random.below(3) {
            let i = random.below(lines.count)
            var fields = lines[i].split(separator: separator, omittingEmptySubsequences: false).map(Array.init)
            switch random.below(7) {
            case 0: fields[random.below(fields.count)] = random.pick(hostile)
            case 1:
                if !lines[i].isEmpty { lines[i].remove(at: random.below(lines[i].count)) }
                continue
            case 2:
                let bytes: [UInt8] = [44, 34, 10, 13, 9, 92, 123, 125, 0]
                lines[i].insert(random.pick(bytes), at: random.below(lines[i].count + 1))
                continue
            case 3:
                lines.insert(lines[i], at: i)
                continue
            case 4:
                lines[i] = Array(lines[i].prefix(random.below(lines[i].count + 1)))
                continue
            case 5: fields.append(Array("x".utf8))
            default:
                let (a, b) = (random.below(fields.count), random.below(fields.count))
                fields.swapAt(a, b)
            }
            lines[i] = Array(fields.joined(separator: [separator]))
        }
        return lines
    }

    static func file(_ header: [UInt8]?, _ lines: [[UInt8]]) -> Data {
        var bytes = Data()
        if let header { bytes.append(contentsOf: header + [10]) }
        for line in lines { bytes.append(contentsOf: line + [10]) }
        return bytes
    }

    /// What every case must hold: no trap; success, or one `error:` line with a documented code and
    /// the database unchanged.
    func expectClean(_ result: RunResult, _ what: String, before: String, after: () throws -> String) throws {
        #expect(!result.signaled, "\(what) trapped: \(result.stderr.prefix(300))")
        guard result.status != 0 else { return }
        #expect(Self.documented.contains(result.status), "\(what): exit \(result.status): \(result.stderr.prefix(300))")
        #expect(result.errorLines.count == 1 && result.stderr.hasPrefix("error: "), "\(what): \(result.stderr.prefix(300))")
        #expect(try after() == before, "\(what) changed the database although it failed")
    }

    @Test func mutatedInteractionFilesAreImportedWholeOrRefusedWhole() throws {
        let lectern = Self.base.lectern
        let (header, lines) = try Self.seedLines("interactions.csv", count: 300)
        var random = Random(state: 11)
        let database = try copy("csv.db")
        let before = try lectern.snapshot(database: database)
        var refused = 0
        for round in 0..<200 {
            let path = lectern.path("mutated-\(round).csv")
            try Self.file(header, Self.mutate(lines, &random)).write(to: URL(fileURLWithPath: path))
            let scratch = try copy("csv-\(round % 2).db")
            let result = try lectern.run(["import", "interactions", path], database: scratch)
            try expectClean(result, "import of mutated-\(round).csv", before: before) { try lectern.snapshot(database: scratch) }
            if result.status != 0 { refused += 1 }
        }
        #expect(refused > 40, "the mutations should break many files, broke \(refused)")
    }

    @Test func skipInvalidKeepsExactlyTheRowsItDidNotList() throws {
        let lectern = Self.base.lectern
        let (_, csvLines) = try Self.seedLines("interactions.csv", count: 200)
        // The same events as JSON Lines: one record a line, so the listed lines can be taken out.
        let names = ["user", "course", "kind", "value", "channel", "occurred_at", "key"]
        let lines: [[UInt8]] = csvLines.map { line in
            let fields = String(decoding: line, as: UTF8.self).split(separator: ",", omittingEmptySubsequences: false)
            let pairs = zip(names, fields).compactMap { name, value -> String? in
                guard !value.isEmpty else { return nil }
                return name == "value" ? "\"\(name)\": \(value)" : "\"\(name)\": \"\(value)\""
            }
            return Array(("{" + pairs.joined(separator: ", ") + "}").utf8)
        }
        var random = Random(state: 23)
        var skippedLines = 0
        for round in 0..<60 {
            let mutated = Self.mutate(lines, &random).flatMap { line in
                line.split(separator: 10, omittingEmptySubsequences: false).map(Array.init)  // an inserted line break makes two lines
            }
            let path = lectern.path("mutated-\(round).jsonl")
            try Self.file(nil, mutated).write(to: URL(fileURLWithPath: path))
            let kept = try copy("kept.db")
            let result = try lectern.run(["import", "interactions", path, "--skip-invalid"], database: kept)
            #expect(!result.signaled && result.status == 0, "round \(round): \(result.stderr.prefix(300))")
            // The listed lines ("line N: reason"), taken out; what is left must import whole and give the same rows.
            let listed = Set(result.stdout.split(separator: "\n").compactMap { row -> Int? in
                guard let range = row.range(of: "line ") else { return nil }
                return Int(row[range.upperBound...].prefix { $0.isNumber })
            })
            skippedLines += listed.count
            let good = mutated.enumerated().filter { !listed.contains($0.offset + 1) }.map(\.element)
            let goodPath = lectern.path("good-\(round).jsonl")
            try Self.file(nil, good).write(to: URL(fileURLWithPath: goodPath))
            let alone = try copy("alone.db")
            let again = try lectern.run(["import", "interactions", goodPath], database: alone)
            #expect(again.status == 0, "round \(round): the rows not listed do not import alone: \(again.stderr.prefix(300))")
            #expect(try lectern.snapshot(database: kept) == lectern.snapshot(database: alone), "round \(round): kept rows differ")
        }
        #expect(skippedLines > 30, "the mutations should break many rows, broke \(skippedLines)")
    }

    @Test func mutatedCatalogAndLearnerFilesAreImportedWholeOrRefusedWhole() throws {
        let lectern = Self.base.lectern
        var random = Random(state: 37)
        for (file, entity) in [("courses.csv", "courses"), ("users.csv", "users"), ("creators.csv", "creators")] {
            let (header, lines) = try Self.seedLines(file, count: 40)
            for round in 0..<25 {
                // Renamed so that rows do not collide with the base catalog, then mutated.
                let renamed = lines.map { Array(String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "u0", with: "z0")
                    .replacingOccurrences(of: "introduction", with: "intro-fz").utf8) }
                let path = lectern.path("mutated-\(entity)-\(round).csv")
                try Self.file(header, Self.mutate(renamed, &random)).write(to: URL(fileURLWithPath: path))
                let scratch = try copy("catalog.db")
                let before = try lectern.snapshot(database: scratch)
                let result = try lectern.run(["import", entity, path], database: scratch)
                try expectClean(result, "import of mutated \(file) (\(round))", before: before) { try lectern.snapshot(database: scratch) }
            }
        }
    }

    @Test func hostileArgumentsAreRefusedWithOneLine() throws {
        let lectern = Self.base.lectern
        var random = Random(state: 41)
        let scratch = try copy("arguments.db")
        let course = "introduction-to-design-systems"
        for round in 0..<60 {
            let value = String(decoding: Self.hostile[round % Self.hostile.count].filter { $0 != 0 }, as: UTF8.self)
            let command: [String]
            switch random.below(6) {
            case 0: command = ["record", "view", "--user", "u000001", "--course", course, "--at=\(value)"]
            case 1: command = ["record", "purchase", "--user", "u000002", "--course", course, "--amount=\(value)"]
            case 2: command = ["record", "rate", "--user", "u000003", "--course", course, "--rating=\(value)"]
            case 3: command = ["course", "add", "fz-\(round)", "--title", "T", "--domain", "d", "--price=\(value)", "--creator", "1"]
            case 4: command = ["activity", "--since=\(value)", "--limit", "3"]
            default: command = ["user", "show", value]
            }
            let before = try lectern.snapshot(database: scratch)
            let result = try lectern.run(command, database: scratch)
            try expectClean(result, "lectern \(command.joined(separator: " "))", before: before) { try lectern.snapshot(database: scratch) }
        }
    }
}
