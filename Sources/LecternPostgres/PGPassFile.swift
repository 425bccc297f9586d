import Foundation

/// A libpq password file (`~/.pgpass`): lines of `hostname:port:database:username:password`, where
/// any of the first four fields may be `*`, `\:` and `\\` stand for `:` and `\`, and `#` starts a
/// comment line. The first line that matches gives the password
/// (https://www.postgresql.org/docs/current/libpq-pgpass.html).
///
/// As libpq does, a file that its group or others may read or write is ignored (libpq prints a
/// warning; a library that prints nothing skips it), and so is anything but a regular file.
struct PGPassFile {
    /// The entries: four patterns and a password each.
    let entries: [(patterns: [String], password: String)]

    /// Reads `path`; nil when it is missing, unreadable, not a regular file, or too open.
    init?(path: String) {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              attributes[.type] as? FileAttributeType == .typeRegular,
              let permissions = attributes[.posixPermissions] as? Int,
              permissions & 0o077 == 0,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        self.init(text: text)
    }

    init(text: String) {
        entries = text.split(whereSeparator: \.isNewline).compactMap { line in
            if line.hasPrefix("#") { return nil }
            let fields = Self.fields(of: String(line))
            guard fields.count >= 5 else { return nil }
            return (Array(fields[0..<4]), fields[4])  // libpq stops the password at an unescaped colon
        }
    }

    /// The password of the first entry matching the connection, or nil.
    func password(host: String, port: Int, database: String, user: String) -> String? {
        let actual = [host, String(port), database, user]
        for entry in entries where zip(entry.patterns, actual).allSatisfy({ $0 == "*" || $0 == $1 }) {
            return entry.password
        }
        return nil
    }

    /// Splits a line at unescaped colons, turning `\:` into `:` and `\\` into `\`.
    static func fields(of line: String) -> [String] {
        var fields: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        fields.append(current)
        return fields
    }
}
