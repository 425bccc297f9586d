import Foundation
import Testing

/// Issue 16's audit, "every SQLite test has a PostgreSQL twin, or a documented reason it cannot",
/// kept honest: docs/test-twins.md classifies every test file of the modules that touch a database,
/// so a new file must be classified there and a deleted one removed. Needs no database.
@Suite("The test-twins audit names every test file")
struct TestTwinsAuditTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let document = root.appendingPathComponent("docs/test-twins.md")

    /// The test modules that touch a database, each with a `## <module>` table in the document.
    static let modules = ["LecternSQLiteTests", "LecternStoreTests", "LecternServiceTests", "LecternReportsTests",
                          "LecternServerTests", "LecternCLITests", "LecternClientTests"]

    /// What the "on PostgreSQL" column may say.
    static let verdicts: Set<String> = ["both", "twin", "partly", "SQLite only", "PostgreSQL only", "no database", "gap"]

    /// One row of a module's table: the file and what it says about PostgreSQL.
    struct Row: Equatable {
        let file: String
        let verdict: String
    }

    /// The rows of every `## <module>` table, by module, and the summary's counts by verdict.
    static func parse(_ text: String) -> (rows: [String: [Row]], summary: [String: Int]) {
        var rows: [String: [Row]] = [:]
        var summary: [String: Int] = [:]
        var section = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("## ") {
                section = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard line.hasPrefix("|") else { continue }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).dropFirst()
                .map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            if section == "Summary" {
                let verdict = cells[0].replacingOccurrences(of: " (with reason)", with: "")
                if let count = Int(cells[1]) { summary[verdict] = count }
            } else if cells[0].hasPrefix("`"), cells[0].hasSuffix(".swift`") {
                rows[section, default: []].append(Row(file: cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`")),
                                                      verdict: cells[1]))
            }
        }
        return (rows, summary)
    }

    /// The `*.swift` files under `Tests/<module>` (subfolders too), by path relative to that folder.
    static func swiftFiles(of module: String) throws -> Set<String> {
        let folder = root.appendingPathComponent("Tests/\(module)")
        let base = folder.standardizedFileURL.path + "/"
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { return [] }
        var files: Set<String> = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            files.insert(url.standardizedFileURL.path.replacingOccurrences(of: base, with: ""))
        }
        return files
    }

    /// What differs between the files on disk and the files the document names, one line each.
    static func problems(module: String, onDisk: Set<String>, documented: [Row]) -> [String] {
        let named = documented.map(\.file)
        var problems: [String] = []
        for file in onDisk.subtracting(named).sorted() {
            problems.append("\(module)/\(file) is not classified in docs/test-twins.md")
        }
        for file in Set(named).subtracting(onDisk).sorted() {
            problems.append("docs/test-twins.md names \(module)/\(file), which does not exist")
        }
        for file in Set(named.filter { name in named.filter { $0 == name }.count > 1 }).sorted() {
            problems.append("docs/test-twins.md names \(module)/\(file) more than once")
        }
        for row in documented where !verdicts.contains(row.verdict) {
            problems.append("\(module)/\(row.file): '\(row.verdict)' is not one of \(verdicts.sorted())")
        }
        return problems
    }

    @Test("every test file of the database modules has a row, and every row names a file that exists")
    func everyFileIsClassified() throws {
        let (rows, _) = Self.parse(try String(contentsOf: Self.document, encoding: .utf8))
        for module in Self.modules {
            let onDisk = try Self.swiftFiles(of: module)
            #expect(!onDisk.isEmpty, "no Swift files found under Tests/\(module)")
            #expect(rows[module] != nil, "docs/test-twins.md has no '## \(module)' table")
            let problems = Self.problems(module: module, onDisk: onDisk, documented: rows[module] ?? [])
            #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        }
        let unknown = Set(rows.keys).subtracting(Self.modules)
        #expect(unknown.isEmpty, "tables for modules this test does not list: \(unknown.sorted())")
    }

    @Test("the summary counts the rows")
    func theSummaryAddsUp() throws {
        let (rows, summary) = Self.parse(try String(contentsOf: Self.document, encoding: .utf8))
        var counted: [String: Int] = [:]
        for row in rows.values.joined() { counted[row.verdict, default: 0] += 1 }
        counted["total"] = rows.values.map(\.count).reduce(0, +)
        #expect(summary.filter { $0.value > 0 } == counted, "summary \(summary) but the tables hold \(counted)")
    }

    @Test("the checks catch a file without a row, a row without a file, a repeated row and an unknown verdict")
    func theChecksCatchWhatTheyLookFor() {
        let rows = [Row(file: "A.swift", verdict: "both"), Row(file: "Gone.swift", verdict: "gap"),
                    Row(file: "A.swift", verdict: "both"), Row(file: "B.swift", verdict: "maybe")]
        let problems = Self.problems(module: "M", onDisk: ["A.swift", "B.swift", "New.swift"], documented: rows)
        #expect(problems == [
            "M/New.swift is not classified in docs/test-twins.md",
            "docs/test-twins.md names M/Gone.swift, which does not exist",
            "docs/test-twins.md names M/A.swift more than once",
            "M/B.swift: 'maybe' is not one of \(Self.verdicts.sorted())",
        ])
        let (parsed, summary) = Self.parse("## Summary\n| gap | 2 |\n## M\n| file | on PostgreSQL | why |\n|---|---|---|\n| `A.swift` | twin | x |\n")
        #expect(parsed == ["M": [Row(file: "A.swift", verdict: "twin")]])
        #expect(summary == ["gap": 2])
    }
}
