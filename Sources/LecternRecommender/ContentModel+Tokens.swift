extension ContentModel {
    /// A stretch of text whose terms stand next to each other: Latin words not parted by a stop
    /// word or punctuation, or the character bigrams of one run of CJK characters.
    struct TextRun: Equatable {
        var terms: [String]
        var isCJK: Bool
    }

    /// The runs of `text`, lowercased: words of two or more letters (digits, `+` and `#` count as
    /// letters), without stop words, which like punctuation end a run; spaces and hyphens keep a
    /// run going. A run of CJK characters becomes its overlapping character bigrams (a lone
    /// character stays itself), since Chinese and Japanese text has no spaces to split on.
    ///
    /// Phrase finders read adjacent terms of a run; `words(_:)` is all the terms in order.
    /// - Complexity: O(characters).
    static func runs(_ text: String) -> [TextRun] {
        var out: [TextRun] = []
        var run: [String] = []
        var current = ""
        var cjk: [Character] = []
        func endRun() {
            if !run.isEmpty { out.append(TextRun(terms: run, isCJK: false)) }
            run.removeAll()
        }
        func flushWord() {
            guard !current.isEmpty else { return }
            if current.count >= 2 && !stopWords.contains(current) {
                run.append(current)
            } else {
                endRun()
            }
            current = ""
        }
        func flushCJK() {
            guard !cjk.isEmpty else { return }
            var terms: [String] = []
            if cjk.count == 1 { terms.append(String(cjk)) }
            for i in 0..<max(0, cjk.count - 1) { terms.append(String(cjk[i...i + 1])) }
            out.append(TextRun(terms: terms, isCJK: true))
            cjk.removeAll()
        }
        for character in text.lowercased() {
            if let scalar = character.unicodeScalars.first, isCJK(scalar) {
                flushWord()
                endRun()
                cjk.append(character)
            } else if character.isLetter || character.isNumber || character == "+" || character == "#" {
                flushCJK()
                current.append(character)
            } else if character.isWhitespace || character == "-" {
                flushWord()
                flushCJK()
            } else {
                flushWord()
                endRun()
                flushCJK()
            }
        }
        flushWord()
        endRun()
        flushCJK()
        return out
    }
}
