/// Words of Chinese (and Japanese, Korean) text, learned from the catalog itself.
///
/// CJK text has no spaces, and Foundation's word boundaries (ICU's `.byWords`) are not available on
/// Linux, and no maintained dictionary segmenter is among this project's packages. So the words are
/// the catalog's frequent longest character n-grams: an n-gram of 2 to `maxLength` characters that
/// occurs at least twice in the catalog is a word, unless a longer n-gram holds every one of its
/// occurrences (`深度学` always sits in `深度学习`). Runs are first cut at function characters (`的`, `从`,
/// `和`...), which never belong to a word. A run is then read by forward maximum matching: at each
/// place the longest word that starts there; characters no word covers are read as bigrams, as the
/// content model reads them.
///
/// Measured on the twelve-course catalog of `TagSuggestionTests` (several domains, terms recurring as
/// they do in a real catalog): `深度学习实战` with a description about 深度学习, 神经网络 and 自然语言处理
/// gives exactly those three words; the bigrams gave `深度` (a stop word), `度学`, `神经`, `经网`...
struct CJKLexicon: Sendable {
    static let maxLength = 6

    let words: Set<String>

    /// Learns the words of `texts` (every title and description of the catalog).
    init(texts: [String]) {
        var counts: [String: Int] = [:]
        for text in texts {
            for piece in Self.pieces(of: text) where piece.count >= 2 {
                for length in 2...min(Self.maxLength, piece.count) {
                    for start in 0...(piece.count - length) {
                        counts[String(piece[start..<start + length]), default: 0] += 1
                    }
                }
            }
        }
        // An n-gram is held by a longer one when that one, a character longer, occurs as often.
        // The most frequent one-character extension on each side is kept for the rule below.
        var held = Set<String>()
        var bestLeft: [String: Int] = [:], bestRight: [String: Int] = [:]
        for (gram, count) in counts where gram.count >= 3 {
            let characters = Array(gram)
            let prefix = String(characters.dropLast()), suffix = String(characters.dropFirst())
            if counts[prefix] == count { held.insert(prefix) }
            if counts[suffix] == count { held.insert(suffix) }
            bestRight[prefix] = max(bestRight[prefix] ?? 0, count)
            bestLeft[suffix] = max(bestLeft[suffix] ?? 0, count)
        }
        // An edge character that belongs to the next word: `效沟通` (of 高效沟通 and 有效沟通) is dropped
        // because 沟通 is more frequent without the 效, and no one character before 效 recurs.
        func looseEdge(_ gram: String, _ count: Int) -> Bool {
            let characters = Array(gram)
            guard characters.count >= 3 else { return false }
            let withoutFirst = String(characters.dropFirst()), withoutLast = String(characters.dropLast())
            return (counts[withoutFirst] ?? 0) > count && (bestLeft[gram] ?? 0) <= 1
                || (counts[withoutLast] ?? 0) > count && (bestRight[gram] ?? 0) <= 1
        }
        let words = Set(counts.compactMap { gram, count in
            count >= 2 && !held.contains(gram) && !looseEdge(gram, count) ? gram : nil
        })
        self.words = words
    }

    /// The runs of CJK characters in `text`, cut at function characters.
    static func pieces(of text: String) -> [[Character]] {
        var pieces: [[Character]] = []
        var current: [Character] = []
        for character in text {
            if let scalar = character.unicodeScalars.first, ContentModel.isCJK(scalar),
               !KeywordExtractor.chineseStopCharacters.contains(character) {
                current.append(character)
            } else if !current.isEmpty {
                pieces.append(current)
                current.removeAll()
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// The terms of one run of CJK characters: the longest word at each place, else a bigram.
    func segment(_ run: [Character]) -> [String] {
        if run.count == 1 { return [String(run)] }
        var terms: [String] = []
        var start = 0
        var uncovered: [Character] = []
        func flushUncovered() {
            for i in 0..<max(0, uncovered.count - 1) { terms.append(String(uncovered[i...i + 1])) }
            uncovered.removeAll()
        }
        while start < run.count {
            var matched = 0
            for length in stride(from: min(Self.maxLength, run.count - start), through: 2, by: -1)
            where words.contains(String(run[start..<start + length])) {
                matched = length
                break
            }
            if matched > 0 {
                flushUncovered()
                terms.append(String(run[start..<start + matched]))
                start += matched
            } else {
                uncovered.append(run[start])
                start += 1
            }
        }
        flushUncovered()
        return terms
    }

    /// The CJK text's terms, run by run (each run cut at function characters).
    func terms(of text: String) -> [String] {
        Self.pieces(of: text).flatMap { segment($0) }
    }
}
