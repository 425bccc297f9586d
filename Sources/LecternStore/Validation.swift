import Foundation
/// Checks shared by the repositories, so a bad value is refused with a sentence, not a constraint name.
enum Validation {
    static func isSlug(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 120 && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }

    /// 1 to 60 characters of `a-z 0-9 - + # .` or CJK (ideographs, kana, hangul), as migration 15's
    /// CHECK says: automatic tags of Chinese courses are words such as `深度学习`.
    static func isTagName(_ text: String) -> Bool {
        !text.isEmpty && text.unicodeScalars.count <= 60 && text.unicodeScalars.allSatisfy {
            switch $0.value {
            case 97...122, 48...57, 45, 43, 35, 46: true
            case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x3040...0x30FF, 0xAC00...0xD7AF, 0xF900...0xFAFF: true
            default: false
            }
        }
    }

    /// White space as JSON Schema's (ECMAScript's) `\s` has it: spaces, line breaks and the BOM.
    static let blanks = CharacterSet.whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}"))

    static func isChannel(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95 }
    }

    static func requireSlug(_ text: String, what: String = "slug") throws {
        guard isSlug(text) else {
            throw StoreError.invalid("invalid \(what) '\(text)': use lowercase letters, digits and dashes (at most 120)")
        }
    }

    /// Normalises a tag name (trimmed, lowercased) and checks it.
    static func tagName(_ text: String) throws -> String {
        let name = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard isTagName(name) else {
            throw StoreError.invalid("invalid tag '\(text)': use lowercase letters, digits, - + # . or CJK characters (at most 60)")
        }
        return name
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}

extension Set where Element == Character {
    static let whitespaces: Set<Character> = [" ", "\t", "\n", "\r"]
}

/// `LIKE` pattern matching `text` anywhere, with `%`, `_` and `\` escaped (use `ESCAPE '\'`).
func likePattern(_ text: String) -> String {
    var out = "%"
    for character in text {
        if character == "%" || character == "_" || character == "\\" { out.append("\\") }
        out.append(character)
    }
    return out + "%"
}
