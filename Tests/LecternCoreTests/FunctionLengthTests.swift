import Foundation
import Testing

/// No function in Sources is longer than 80 lines (issue 15): a longer one does several things,
/// and each belongs in a function of its own with a name. Data tables are `let`s, not functions,
/// so the measure leaves them alone.
///
/// It reads the source files, so it lives here rather than beside any one module: the package's
/// test targets cannot share code, and this one measures every module.
@Suite("Functions in Sources stay short")
struct FunctionLengthTests {
    static let limit = 80

    static var sources: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources")
    }

    /// A declaration with a body: a function or operator, an initializer, a subscript or a deinit,
    /// after any attributes and modifiers. Group 1 is its indentation.
    static let declaration =
        #"^(\s*)(?:@\w+(?:\([^)]*\))?\s+)*"#
            + #"(?:(?:public|private|fileprivate|internal|package|open|static|class|mutating|nonmutating|override|final|nonisolated|convenience|required|consuming|borrowing|dynamic)(?:\(set\))?\s+)*"#
            + #"(?:func\s+\S+?\s*[(<]|init[?!]?\s*[(<]|subscript\s*[(<]|deinit\s*\{)"#

    /// Each function, initializer, subscript or deinit of `source` with its first line (1-based)
    /// and its length in lines, from its declaration to the brace that closes it at the
    /// declaration's indentation (how every file here is formatted).
    /// - Complexity: O(lines x declarations) at worst; each declaration scans to its closing brace.
    static func functions(in source: String) -> [(line: Int, name: String, length: Int)] {
        let lines = source.components(separatedBy: "\n")
        let declaration = try! Regex(Self.declaration)
        var found: [(line: Int, name: String, length: Int)] = []
        for (index, line) in lines.enumerated() {
            guard let match = line.firstMatch(of: declaration) else { continue }
            let indent = String(match.output[1].substring ?? "")
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasSuffix("}") && trimmed.filter({ $0 == "{" }).count == trimmed.filter({ $0 == "}" }).count {
                found.append((line: index + 1, name: trimmed, length: 1))
                continue
            }
            guard let end = lines[(index + 1)...].firstIndex(where: { $0 == indent + "}" }) else { continue }
            found.append((line: index + 1, name: trimmed, length: end - index + 1))
        }
        return found
    }

    /// Every Swift file under Sources, as (path below Sources, text), in path order.
    static func sourceFiles() throws -> [(path: String, text: String)] {
        guard let walker = FileManager.default.enumerator(atPath: sources.path) else { return [] }
        var files: [(path: String, text: String)] = []
        for case let path as String in walker where path.hasSuffix(".swift") {
            files.append((path, try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)))
        }
        return files.sorted { $0.path < $1.path }
    }

    @Test func noFunctionInSourcesIsLongerThan80Lines() throws {
        let files = try Self.sourceFiles()
        #expect(files.count > 100)
        #expect(files.contains { $0.path.hasPrefix("LecternServer/") })
        var measured = 0
        for file in files {
            for function in Self.functions(in: file.text) {
                measured += 1
                #expect(function.length <= Self.limit,
                        "Sources/\(file.path):\(function.line) is \(function.length) lines: \(function.name)")
            }
        }
        #expect(measured > 1000)
    }

    /// The measure itself: a function of 81 lines is caught, one-liners and nested braces are not
    /// mistaken for ends.
    @Test func theMeasureCountsFromDeclarationToItsClosingBrace() {
        let long = "    func long() {\n" + String(repeating: "        if x { y() }\n", count: 79) + "    }\n"
        let source = "struct S {\n" + long + "    func short() { 1 }\n    private static func make<T>(\n        _ t: T\n    ) -> T {\n        t\n    }\n}\n"
        let measured = Self.functions(in: source)
        #expect(measured.map(\.length) == [81, 1, 5])
        #expect(measured.map(\.line) == [2, 83, 84])
    }

    /// Attributes with arguments, operators, convenience initializers, subscripts and deinits are
    /// declarations too; properties, calls and comments are not.
    @Test func theMeasureFindsEveryKindOfDeclaration() {
        let source = """
            final class C {
                @inline(__always) static func fast(_ x: Int) -> Int {
                    x
                }
                public static func == (a: C, b: C) -> Bool { true }
                convenience init(name: String) {
                    self.init()
                }
                public subscript(index: Int) -> Int {
                    index
                }
                deinit {
                    close()
                }
                let table = [1, 2, 3]
                var computed: Int { fast(1) }
                // func commented() {
            }
            """
        let measured = Self.functions(in: source)
        #expect(measured.map(\.line) == [2, 5, 6, 9, 12])
        #expect(measured.map(\.length) == [3, 1, 3, 3, 3])
    }
}
