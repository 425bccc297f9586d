extension String {
    /// The string in lowercase ASCII: accented Latin letters lose their accents, other characters are dropped.
    ///
    /// - Complexity: O(*n*) in the length of the string.
    var asciiFolded: String {
        var result = ""
        for scalar in unicodeScalars {
            if scalar.isASCII {
                let lower = ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
                result.unicodeScalars.append(lower)
            } else if let folded = Self.foldings[scalar] ?? Self.foldings[Self.lowercase(scalar)] {
                result += folded
            }
        }
        return result
    }

    /// The lowercase form of a single non-ASCII letter, or the letter itself.
    private static func lowercase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        let lower = scalar.properties.lowercaseMapping.unicodeScalars
        return lower.count == 1 ? lower.first! : scalar
    }

    /// ASCII spellings of the lowercase non-ASCII letters the name pools use.
    private static let foldings: [Unicode.Scalar: String] = {
        let pairs: [(String, String)] = [
            ("áàâäãå", "a"), ("éèêë", "e"), ("íìîï", "i"), ("óòôöõ", "o"), ("úùûü", "u"), ("ñ", "n"),
            ("ç", "c"), ("ø", "o"), ("ß", "ss"), ("æ", "ae"), ("ł", "l"), ("ś", "s"), ("ą", "a"),
            ("ę", "e"), ("ń", "n"), ("ż", "z"), ("ź", "z"), ("ć", "c"), ("ı", "i"), ("ş", "s"), ("ğ", "g"),
        ]
        var table: [Unicode.Scalar: String] = [:]
        for (letters, folded) in pairs {
            for scalar in letters.unicodeScalars { table[scalar] = folded }
        }
        return table
    }()
}
