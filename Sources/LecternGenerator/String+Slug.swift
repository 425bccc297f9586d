extension String {
    /// The string as a URL slug: lowercase ASCII letters and digits joined by single hyphens.
    ///
    /// Accented Latin letters lose their accents, `+` becomes `p` and `#` becomes `sharp`, so "C++" and "C#"
    /// keep distinct slugs (`cpp`, `csharp`); apostrophes vanish and other characters separate words.
    ///
    /// - Complexity: O(*n*) in the length of the string.
    var slug: String {
        var result = ""
        var pendingHyphen = false
        func add(_ text: String) {
            if pendingHyphen && !result.isEmpty { result.append("-") }
            pendingHyphen = false
            result += text
        }
        for scalar in unicodeScalars {
            switch scalar {
            case "a"..."z", "0"..."9":
                add(String(scalar))
            case "A"..."Z":
                add(String(Unicode.Scalar(scalar.value + 32)!))
            case "+":
                add("p")
            case "#":
                add("sharp")
            case "'":
                continue
            default:
                let folded = scalar.isASCII ? "" : String(scalar).asciiFolded
                if folded.isEmpty { pendingHyphen = true } else { add(folded) }
            }
        }
        return result
    }
}
