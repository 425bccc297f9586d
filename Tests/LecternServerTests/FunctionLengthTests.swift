import Foundation
import Testing

/// No function of the server is longer than 80 lines (issue 15): a longer one does several things,
/// and each belongs in a function of its own with a name.
@Suite("LecternServer's functions stay short")
struct FunctionLengthTests {
    static let limit = 80

    /// Each function or initializer of `source` with its first line (1-based) and its length in
    /// lines, from its declaration to the brace that closes it at the declaration's indentation
    /// (how every file here is formatted).
    static func functions(in source: String) -> [(line: Int, name: String, length: Int)] {
        let lines = source.components(separatedBy: "\n")
        let declaration = try! Regex(#"^(\s*)(?:@\w+\s+)*(?:(?:public|private|fileprivate|internal|package|static|mutating|override|final|nonisolated)\s+)*(?:func\s+\S+?\(|func\s+\S+?<|init[?]?[(<])"#)
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

    @Test func noFunctionOfTheServerIsLongerThan80Lines() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/LecternServer")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.count > 10)
        var measured = 0
        for file in files {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for function in Self.functions(in: source) {
                measured += 1
                #expect(function.length <= Self.limit, "\(file):\(function.line) \(function.name) is \(function.length) lines")
            }
        }
        #expect(measured > 50)
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
}
