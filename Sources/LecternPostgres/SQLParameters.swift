/// Parameter markers in SQL text, found outside quoted text (`'...'`, `"..."`) and `--` comments.
public enum SQLParameters {
    /// `sql` with every `marker` outside quotes and comments, and the ASCII digits right after it
    /// (possibly none), replaced by what `replace` returns for those digits, given the text written
    /// so far. Quoted text and comments are copied as they are.
    /// - Complexity: O(length of `sql`).
    public static func rewrite(_ sql: String, marker: Character, _ replace: (_ digits: String, _ before: String) -> String) -> String {
        var output = ""
        output.reserveCapacity(sql.utf8.count + 16)
        var quote: Character?
        var inComment = false
        var index = sql.startIndex
        while index < sql.endIndex {
            let character = sql[index]
            index = sql.index(after: index)
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if character == open { quote = nil }  // a doubled quote reopens at once
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "-", index < sql.endIndex, sql[index] == "-" {
                inComment = true
            } else if character == marker {
                var digits = ""
                while index < sql.endIndex, sql[index].isASCII, sql[index].isNumber {
                    digits.append(sql[index])
                    index = sql.index(after: index)
                }
                output += replace(digits, output)
                continue
            }
            output.append(character)
        }
        return output
    }
}
