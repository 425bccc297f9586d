import Foundation
import Testing

/// Issue 15's "one door to the data": only LecternStore reaches SQLite, and (issue 16) PostgreSQL.
/// These tests read the sources, so a module that imports an engine's layer or carries SQL fails the
/// build's tests.
@Suite("One door to the data")
struct OneDoorTests {
    /// The modules allowed to hold SQL and to see an engine.
    static let doors: Set<String> = ["CSQLite", "LecternSQLite", "LecternPostgres", "LecternStore"]
    /// The engines' layers: only the store may import or depend on them.
    static let engines = ["LecternSQLite", "CSQLite", "LecternPostgres"]

    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
    }

    /// Every Swift file of every module outside the doors, as (module/file, text).
    static func outsideFiles() throws -> [(name: String, text: String)] {
        let modules = try FileManager.default.contentsOfDirectory(atPath: sources.path).filter { !doors.contains($0) }
        var files: [(String, String)] = []
        for module in modules.sorted() {
            let folder = sources.appendingPathComponent(module)
            guard let walker = FileManager.default.enumerator(atPath: folder.path) else { continue }
            for case let path as String in walker where path.hasSuffix(".swift") {
                files.append(("\(module)/\(path)", try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)))
            }
        }
        return files
    }

    /// The contents of the string literals in Swift source, comments left out (a small scanner:
    /// enough for this code base's "…" and \"\"\"…\"\"\" literals).
    static func stringLiterals(in text: String) -> [String] {
        var literals: [String] = []
        let chars = Array(text.unicodeScalars)
        var i = 0
        func at(_ k: Int) -> Unicode.Scalar? { k < chars.count ? chars[k] : nil }
        while i < chars.count {
            if chars[i] == "/" && at(i + 1) == "/" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
            } else if chars[i] == "/" && at(i + 1) == "*" {
                i += 2
                while i < chars.count && !(chars[i] == "*" && at(i + 1) == "/") { i += 1 }
                i += 2
            } else if chars[i] == "\"" {
                let multiline = at(i + 1) == "\"" && at(i + 2) == "\""
                i += multiline ? 3 : 1
                var literal = String.UnicodeScalarView()
                while i < chars.count {
                    if chars[i] == "\\" { literal.append(chars[i]); if let next = at(i + 1) { literal.append(next) }; i += 2; continue }
                    if multiline ? (chars[i] == "\"" && at(i + 1) == "\"" && at(i + 2) == "\"") : (chars[i] == "\"" || chars[i] == "\n") {
                        i += multiline ? 3 : 1
                        break
                    }
                    literal.append(chars[i])
                    i += 1
                }
                literals.append(String(literal))
            } else {
                i += 1
            }
        }
        return literals
    }

    /// SQL as this code base writes it: upper-case keywords in a statement's shape.
    nonisolated(unsafe) static let sql = try! Regex(#"\b(SELECT\s+[\w*(]|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX|VIEW|TRIGGER)|DROP\s+(TABLE|INDEX|VIEW|TRIGGER)|ALTER\s+TABLE|PRAGMA\s+\w|BEGIN\s+(IMMEDIATE|DEFERRED|EXCLUSIVE|TRANSACTION)|WITH\s+RECURSIVE)"#)

    /// `import LecternSQLite`, `internal import LecternPostgres`, ... of one of `engines`.
    static var engineImport: Regex<AnyRegexOutput> {
        try! Regex(#"(?m)^\s*(@\w+\s+)*((public|package|internal|fileprivate|private)\s+)?import\s+("# + engines.joined(separator: "|") + #")\b"#)
    }

    @Test("no module but the store imports an engine's layer (SQLite or PostgreSQL)")
    func onlyTheStoreImportsEngines() throws {
        let offenders = try Self.outsideFiles().filter { $0.text.contains(Self.engineImport) }.map(\.name)
        #expect(offenders.isEmpty, "these files import an engine's layer: \(offenders)")
    }

    @Test("Package.swift gives the engines' layers to the store alone")
    func onlyTheStoreDependsOnEngines() throws {
        let manifest = try String(contentsOf: Self.sources.deletingLastPathComponent().appendingPathComponent("Package.swift"), encoding: .utf8)
        // Each target's declaration up to the next one: a source target other than the store must not name LecternSQLite.
        let targets = manifest.components(separatedBy: ".target(").dropFirst() + manifest.components(separatedBy: ".executableTarget(").dropFirst()
        for target in targets {
            let declaration = target.components(separatedBy: ".testTarget(")[0].components(separatedBy: ".target(")[0]
            guard let name = declaration.firstMatch(of: try Regex(#"name:\s*"([^"]+)""#))?.output[1].substring else { continue }
            // A test-support target (under Tests/) makes test databases on both engines, as the tests do.
            if Self.doors.contains(String(name)) || declaration.contains("path: \"Tests/") { continue }
            for engine in Self.engines where engine != "CSQLite" {
                #expect(!declaration.contains("\"\(engine)\""), "\(name) depends on \(engine)")
            }
        }
    }

    @Test("no module but the store holds SQL in a string literal")
    func onlyTheStoreHoldsSQL() throws {
        var offenders: [String] = []
        for file in try Self.outsideFiles() {
            for literal in Self.stringLiterals(in: file.text) where literal.contains(Self.sql) {
                offenders.append("\(file.name): \(literal.prefix(60))")
            }
        }
        #expect(offenders.isEmpty, "SQL outside LecternStore: \(offenders)")
    }

    @Test("the store imports the engines' layers internally, so its API never shows their types")
    func theStoreHidesEngines() throws {
        let folder = Self.sources.appendingPathComponent("LecternStore")
        let walker = try #require(FileManager.default.enumerator(atPath: folder.path))
        var exposed: [String] = []
        for case let path as String in walker where path.hasSuffix(".swift") {
            let text = try String(contentsOf: folder.appendingPathComponent(path), encoding: .utf8)
            if text.contains(try Regex(#"(?m)^(public\s+)?import\s+(LecternSQLite|LecternPostgres)\b"#)) { exposed.append(path) }
        }
        #expect(exposed.isEmpty, "these store files import an engine's layer publicly: \(exposed)")
    }

    @Test("the checks catch what they look for")
    func theChecksCanFail() throws {
        let source = """
            import Foundation
            // SELECT x FROM y in a comment is fine
            let a = "SELECT max(run_id) FROM active_models"
            let b = \"\"\"
                DELETE FROM users WHERE id = ?
                \"\"\"
            let c = "Select a course"
            """
        let literals = Self.stringLiterals(in: source)
        #expect(literals.filter { $0.contains(Self.sql) }.count == 2)
        #expect(!literals.contains { $0.contains("in a comment") })
        #expect("internal import LecternPostgres\n".contains(Self.engineImport))
        #expect("@preconcurrency import CSQLite".contains(Self.engineImport))
        #expect(!"import LecternPostgresKit".contains(Self.engineImport))
    }
}
