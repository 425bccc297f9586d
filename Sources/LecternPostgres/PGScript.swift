/// Splits a script of many statements (a migration) into single statements.
///
/// postgres-nio speaks only the extended query protocol, which runs one statement per message, so
/// a script is cut at each `;` outside a string (`'...'`), a quoted name (`"..."`), a dollar-quoted
/// body (`$$...$$`, `$tag$...$tag$`, as PL/pgSQL functions are written) and a comment (`--`, `/* */`)
/// (https://www.postgresql.org/docs/current/sql-syntax-lexical.html). Statements that are only
/// comments and blanks are dropped.
public enum PGScript {
    /// - Complexity: O(n) in the script's length.
    public static func statements(in script: String) -> [String] {
        let scalars = Array(script.unicodeScalars)
        var statements: [String] = []
        var start = 0
        var hasCode = false
        var i = 0
        func at(_ k: Int) -> Unicode.Scalar? { k < scalars.count ? scalars[k] : nil }
        func finish(upTo end: Int) {
            if hasCode {
                var text = String.UnicodeScalarView()
                text.append(contentsOf: scalars[start..<end])
                statements.append(String(text).trimmingWhitespace())
            }
            hasCode = false
        }
        while i < scalars.count {
            let c = scalars[i]
            if c == "-" && at(i + 1) == "-" {
                while i < scalars.count && scalars[i] != "\n" { i += 1 }
                continue
            }
            if c == "/" && at(i + 1) == "*" {
                i = skipBlockComment(scalars, from: i)
                continue
            }
            if c == ";" {
                finish(upTo: i)
                i += 1
                start = i
                continue
            }
            if !c.properties.isWhitespace { hasCode = true }
            if c == "'" || c == "\"" {
                i = skipQuoted(scalars, from: i, quote: c)
            } else if c == "$", let tag = dollarTag(scalars, at: i) {
                i = skipDollarQuoted(scalars, from: i, tag: tag)
            } else {
                i += 1
            }
        }
        finish(upTo: scalars.count)
        return statements
    }

    /// The index after a quoted string or name, where a doubled quote stands for itself.
    private static func skipQuoted(_ s: [Unicode.Scalar], from start: Int, quote: Unicode.Scalar) -> Int {
        var i = start + 1
        while i < s.count {
            if s[i] == quote {
                if i + 1 < s.count && s[i + 1] == quote { i += 2; continue }
                return i + 1
            }
            i += 1
        }
        return i
    }

    /// The index after a block comment; they nest in PostgreSQL.
    private static func skipBlockComment(_ s: [Unicode.Scalar], from start: Int) -> Int {
        var depth = 0
        var i = start
        while i < s.count {
            if s[i] == "/" && i + 1 < s.count && s[i + 1] == "*" { depth += 1; i += 2; continue }
            if s[i] == "*" && i + 1 < s.count && s[i + 1] == "/" {
                depth -= 1
                i += 2
                if depth == 0 { return i }
                continue
            }
            i += 1
        }
        return i
    }

    /// `$$` or `$tag$` starting at `i` (a tag is letters, digits and `_`, not starting with a digit),
    /// or nil when the `$` is something else (a parameter such as `$1`).
    private static func dollarTag(_ s: [Unicode.Scalar], at i: Int) -> [Unicode.Scalar]? {
        var j = i + 1
        while j < s.count, s[j] == "_" || s[j].properties.isAlphabetic || (j > i + 1 && ("0"..."9").contains(s[j])) {
            j += 1
        }
        guard j < s.count, s[j] == "$" else { return nil }
        return Array(s[i...j])
    }

    private static func skipDollarQuoted(_ s: [Unicode.Scalar], from start: Int, tag: [Unicode.Scalar]) -> Int {
        var i = start + tag.count
        while i + tag.count <= s.count {
            if s[i] == "$" && Array(s[i..<(i + tag.count)]) == tag { return i + tag.count }
            i += 1
        }
        return s.count
    }
}

extension String {
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
