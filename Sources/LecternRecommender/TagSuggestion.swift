#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A course as the keyword extractor reads it: its words, the tags it already has, and the domain
/// and difficulty when known.
public struct CourseDocument: Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var description: String
    public var tags: [String]
    /// Nil when the course has none yet; `KeywordExtractor.domainGuess(for:)` proposes one.
    public var domain: String?
    /// Nil when unknown; `KeywordExtractor.difficultyGuess(for:)` proposes one.
    public var difficulty: CourseDifficulty?

    public init(id: Int64, title: String, description: String = "", tags: [String] = [], domain: String? = nil,
                difficulty: CourseDifficulty? = nil) {
        self.id = id
        self.title = title
        self.description = description
        self.tags = tags
        self.domain = domain
        self.difficulty = difficulty
    }
}

/// A proposed tag for a course and how strongly its text points to it.
public struct Keyword: Sendable, Equatable {
    /// Slug-like: lowercase, the two words of a phrase joined by a hyphen (`machine-learning`),
    /// a CJK bigram as it is.
    public var tag: String
    /// The TF-IDF weight: (1 + ln tf) x idf, times `Options.phraseBoost` for a phrase.
    public var weight: Double
    /// Whether the keyword is a two-word phrase.
    public var isPhrase: Bool

    public init(tag: String, weight: Double, isPhrase: Bool) {
        self.tag = tag
        self.weight = weight
        self.isPhrase = isPhrase
    }
}

/// A proposed domain for a course, from the domains of the courses whose text is most like it.
public struct DomainGuess: Sendable, Equatable {
    public var domain: String
    /// The share of the neighbours' similarity that votes for `domain`, in 0...1.
    public var confidence: Double
    /// The courses that voted, most similar first.
    public var neighbors: [Int64]

    public init(domain: String, confidence: Double, neighbors: [Int64]) {
        self.domain = domain
        self.confidence = confidence
        self.neighbors = neighbors
    }
}

/// A proposed difficulty for a course, from cue words in its text and the difficulty of the
/// courses most like it.
public struct DifficultyGuess: Sendable, Equatable {
    public var difficulty: CourseDifficulty
    /// The share of all evidence (cue words and neighbours, each counting at most 1) that points
    /// to `difficulty`, in 0...1.
    public var confidence: Double
    /// The cue words found in the text (`introduction`, `advanced`, `入门`, ...), in the order of
    /// `CourseDifficulty`, then alphabetical.
    public var cues: [String]

    public init(difficulty: CourseDifficulty, confidence: Double, cues: [String]) {
        self.difficulty = difficulty
        self.confidence = confidence
        self.cues = cues
    }
}

/// Everything proposed for one course: keywords to tag it with, and a domain and difficulty when
/// the course has none.
public struct TagSuggestion: Sendable, Equatable {
    public var course: Int64
    public var keywords: [Keyword]
    public var domain: DomainGuess?
    public var difficulty: DifficultyGuess?

    public init(course: Int64, keywords: [Keyword], domain: DomainGuess?, difficulty: DifficultyGuess?) {
        self.course = course
        self.keywords = keywords
        self.domain = domain
        self.difficulty = difficulty
    }
}

/// Proposes tags, a domain and a difficulty for courses from the words of a whole catalog.
///
/// Text is read with `ContentModel`'s tokenizer (lowercase words without stop words; CJK text as
/// character bigrams), then English words lose a plural ending (`libraries` -> `library`,
/// `networks` -> `network`; words ending in `ss`, `us` or `is`, and subjects such as `statistics`,
/// keep theirs). A term's weight in a course is tf-idf: tf counts a title word `titleWeight` times
/// and a description word `descriptionWeight` times, and the weight is
/// (1 + ln tf) x (ln((1 + n) / (1 + df)) + 1), the smooth idf of scikit-learn and `ContentModel`. Two adjacent words form a phrase keyword when the
/// phrase occurs in at least `phraseMinDocuments` courses; its words are then not offered on their
/// own after it. A keyword must describe at least `minDocuments` courses (in their text or editors'
/// tags), and no generic word (`small`, `run`) is one, nor starts or ends a phrase that is not a
/// catalog tag. Stop words of every
/// catalog language (`stopWords`), difficulty cue words and tokens without a letter are never
/// keywords and part runs, so no phrase starts, ends or spans one.
///
/// Domains and difficulties are guessed by the k nearest courses (cosine of unit tf-idf vectors of
/// words and existing tags) whose domain or difficulty is known. Every output is deterministic:
/// ties go to the alphabetically first tag or domain, or the lower course id.
public struct KeywordExtractor: Sendable {
    public struct Options: Sendable, Equatable {
        /// How many times a title word counts.
        public var titleWeight: Double
        /// How many times a description word counts.
        public var descriptionWeight: Double
        /// A phrase's weight is multiplied by this.
        public var phraseBoost: Double
        /// A phrase must occur in this many courses to be a keyword (a one-off phrase is noise).
        public var phraseMinDocuments: Int
        /// A keyword, word or phrase, must describe this many courses (occur in their text or be
        /// one of their editors' tags): a tag that describes one course groups nothing. 2 by default.
        public var minDocuments: Int
        /// Words that are never a keyword nor part of a phrase: `KeywordExtractor.stopWords` by
        /// default (function words and course words of every catalog language).
        public var stopWords: Set<String>
        /// Words that are no keyword alone, nor the first or last word of a phrase unless the phrase
        /// is a tag in the catalog: `KeywordExtractor.genericWords` by default.
        public var genericWords: Set<String>
        /// How many nearest courses vote on a domain or difficulty.
        public var neighbors: Int
        /// Offer only keywords the `tags` table accepts (`[a-z0-9+#.-]` and CJK, 1 to 60
        /// characters), which leaves out accented words.
        public var storableTagsOnly: Bool

        public init(titleWeight: Double = 3, descriptionWeight: Double = 1, phraseBoost: Double = 1.5,
                    phraseMinDocuments: Int = 2, minDocuments: Int = 2, stopWords: Set<String> = KeywordExtractor.stopWords,
                    genericWords: Set<String> = KeywordExtractor.genericWords,
                    neighbors: Int = 5, storableTagsOnly: Bool = true) {
            self.titleWeight = titleWeight
            self.descriptionWeight = descriptionWeight
            self.phraseBoost = phraseBoost
            self.phraseMinDocuments = phraseMinDocuments
            self.minDocuments = minDocuments
            self.stopWords = stopWords
            self.genericWords = genericWords
            self.neighbors = neighbors
            self.storableTagsOnly = storableTagsOnly
        }

        public func validate() throws {
            for (name, value) in [("title weight", titleWeight), ("description weight", descriptionWeight),
                                  ("phrase boost", phraseBoost)] {
                guard value > 0, value.isFinite else {
                    throw RecommenderError("the \(name) must be a positive number, got \(value)")
                }
            }
            guard phraseMinDocuments >= 1 else {
                throw RecommenderError("a phrase must occur in at least 1 course, got \(phraseMinDocuments)")
            }
            guard minDocuments >= 1 else {
                throw RecommenderError("a keyword must occur in at least 1 course, got \(minDocuments)")
            }
            guard neighbors >= 1 else { throw RecommenderError("at least 1 neighbour must vote, got \(neighbors)") }
        }

        /// The rules before issue 13: English stop words only, and a single word may describe one
        /// course. `TagEvaluation` compares the defaults with these.
        public static let baseline = Options(minDocuments: 1, stopWords: KeywordExtractor.baselineStopWords, genericWords: [])
    }

    /// One course's text, counted.
    struct Analysis: Sendable {
        /// Word (or CJK bigram) -> weighted count.
        var words: [String: Double] = [:]
        /// Phrase slug (`a-b`) -> weighted count.
        var phrases: [String: Double] = [:]
        /// Cue word -> the level it points to and its weighted count.
        var cues: [String: (level: CourseDifficulty, count: Double)] = [:]
        /// Normalised tags and domain, which are never proposed again.
        var known: Set<String> = []
    }

    public let documents: [CourseDocument]
    public let options: Options
    private let positions: [Int64: Int]
    private let analyses: [Analysis]
    /// Term -> in how many courses it occurs (words, phrases, and `tag:NAME`).
    private let documentFrequency: [String: Int]
    /// Word or phrase -> how many courses have it in their text or as an editors' tag.
    private let describedCourses: [String: Int]
    /// Every editors' tag of the catalog, normalised.
    private let vocabulary: Set<String>
    /// CJK words spread over the catalog's domains (see `spreadWords`): never keywords.
    private let spreadCJKWords: Set<String>
    /// Unit tf-idf vector of each course over words and `tag:NAME` terms.
    private let vectors: [[String: Double]]
    /// Term -> (course position, weight) for every course with the term.
    private let postings: [String: [(position: Int, weight: Double)]]

    /// Reads the catalog.
    ///
    /// - Throws: `RecommenderError` for options out of range or two documents with the same id.
    /// - Complexity: O(total text length).
    public init(documents: [CourseDocument], options: Options = Options()) throws {
        try options.validate()
        var positions: [Int64: Int] = [:]
        for (position, document) in documents.enumerated() {
            guard positions.updateValue(position, forKey: document.id) == nil else {
                throw RecommenderError("course \(document.id) appears twice in the catalog")
            }
        }
        let lexicon = CJKLexicon(texts: documents.flatMap { [$0.title, $0.description] })
        let analyses = documents.map { Self.analyse($0, options: options, lexicon: lexicon) }
        var documentFrequency: [String: Int] = [:]
        var describedCourses: [String: Int] = [:]
        for (document, analysis) in zip(documents, analyses) {
            let text = Set(analysis.words.keys).union(analysis.phrases.keys)
            let tags = Set(document.tags.map(Self.normalizedTag))
            for term in text { documentFrequency[term, default: 0] += 1 }
            for tag in tags { documentFrequency["tag:" + tag, default: 0] += 1 }
            for term in text.union(tags) { describedCourses[term, default: 0] += 1 }
        }
        let count = Double(documents.count)
        func idf(_ term: String) -> Double {
            log((1 + count) / (1 + Double(documentFrequency[term] ?? 0))) + 1
        }
        var vectors: [[String: Double]] = []
        var postings: [String: [(position: Int, weight: Double)]] = [:]
        for (position, (document, analysis)) in zip(documents, analyses).enumerated() {
            var vector: [String: Double] = [:]
            for (word, tf) in analysis.words { vector[word] = (1 + log(tf)) * idf(word) }
            for tag in Set(document.tags.map(Self.normalizedTag)) {
                let term = "tag:" + tag
                vector[term] = (1 + log(options.titleWeight)) * idf(term)
            }
            // Summed in term order: a dictionary's order changes from run to run, and with it the last bits
            // of a sum, which decide between neighbours as similar as each other.
            let norm = vector.sorted { $0.key < $1.key }.reduce(0) { $0 + $1.value * $1.value }.squareRoot()
            if norm > 0 { vector = vector.mapValues { $0 / norm } }
            for (term, weight) in vector { postings[term, default: []].append((position, weight)) }
            vectors.append(vector)
        }
        self.documents = documents
        self.options = options
        self.positions = positions
        self.analyses = analyses
        self.documentFrequency = documentFrequency
        self.describedCourses = describedCourses
        self.vocabulary = Set(documents.flatMap { $0.tags.map(Self.normalizedTag) })
        self.spreadCJKWords = Self.spreadWords(documents: documents, analyses: analyses) {
            $0.unicodeScalars.contains(where: ContentModel.isCJK)
        }
        self.vectors = vectors
        self.postings = postings
    }

    /// The `limit` best keywords for course `id` that it is not tagged with yet, best first.
    ///
    /// - Throws: `RecommenderError` when no course has that id.
    /// - Complexity: O(terms of the course x log).
    public func keywords(for id: Int64, limit: Int = 5) throws -> [Keyword] {
        let position = try self.position(of: id)
        guard limit > 0 else { return [] }
        let analysis = analyses[position]
        let count = Double(documents.count)
        func idf(_ term: String) -> Double {
            log((1 + count) / (1 + Double(documentFrequency[term] ?? 0))) + 1
        }
        var candidates: [Keyword] = []
        for (word, tf) in analysis.words
        where (describedCourses[word] ?? 0) >= options.minDocuments && !options.genericWords.contains(word)
            && !spreadCJKWords.contains(word) && !Self.holdsCJKCue(word) {
            candidates.append(Keyword(tag: word, weight: (1 + log(tf)) * idf(word), isPhrase: false))
        }
        for (phrase, tf) in analysis.phrases
        where (documentFrequency[phrase] ?? 0) >= options.phraseMinDocuments && (describedCourses[phrase] ?? 0) >= options.minDocuments
            && (vocabulary.contains(phrase) || !phrase.split(separator: "-").contains { options.genericWords.contains(String($0)) }) {
            candidates.append(Keyword(tag: phrase, weight: (1 + log(tf)) * idf(phrase) * options.phraseBoost, isPhrase: true))
        }
        candidates.sort { $0.weight != $1.weight ? $0.weight > $1.weight : $0.tag < $1.tag }
        var chosen: [Keyword] = []
        // The words of a known tag of several words (`learning` of `machine-learning`) are said already.
        var covered = Set(analysis.known.flatMap { name -> [Substring] in
            let words = name.split(separator: "-")
            return words.count > 1 ? words : []
        })
        for candidate in candidates {
            guard !analysis.known.contains(candidate.tag) else { continue }
            guard !options.storableTagsOnly || Self.isStorableTagName(candidate.tag) else { continue }
            if candidate.isPhrase {
                covered.formUnion(candidate.tag.split(separator: "-"))
            } else if covered.contains(Substring(candidate.tag)) {
                continue
            }
            chosen.append(candidate)
            if chosen.count == limit { break }
        }
        return chosen
    }

    /// The domain most of the courses like course `id` belong to, or nil when no course with a
    /// known domain shares a term with it. The course's own domain does not vote.
    ///
    /// - Throws: `RecommenderError` when no course has that id.
    public func domainGuess(for id: Int64) throws -> DomainGuess? {
        let position = try self.position(of: id)
        let neighbors = nearest(to: position) { documents[$0].domain != nil }
        guard !neighbors.isEmpty else { return nil }
        var votes: [String: Double] = [:]
        for neighbor in neighbors { votes[documents[neighbor.position].domain!, default: 0] += neighbor.similarity }
        let total = votes.values.reduce(0, +)
        let best = votes.min { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }!
        return DomainGuess(domain: best.key, confidence: min(1, best.value / total),
                           neighbors: neighbors.map { documents[$0.position].id })
    }

    /// The difficulty that cue words in course `id`'s text and the courses most like it point to,
    /// or nil when there is neither a cue nor a neighbour with a known difficulty.
    ///
    /// The cue words' share (a title cue counts `titleWeight` times) and the neighbours'
    /// similarity-weighted share are added, each at most 1; the confidence is the winner's part of
    /// that sum. Equal evidence goes to the easier level.
    /// - Throws: `RecommenderError` when no course has that id.
    public func difficultyGuess(for id: Int64) throws -> DifficultyGuess? {
        let position = try self.position(of: id)
        var evidence: [CourseDifficulty: Double] = [:]
        var sources = 0.0
        let cues = analyses[position].cues
        let cueTotal = cues.values.reduce(0) { $0 + $1.count }
        if cueTotal > 0 {
            for cue in cues.values { evidence[cue.level, default: 0] += cue.count / cueTotal }
            sources += 1
        }
        let neighbors = nearest(to: position) { documents[$0].difficulty != nil }
        let similarityTotal = neighbors.reduce(0) { $0 + $1.similarity }
        if similarityTotal > 0 {
            for neighbor in neighbors {
                evidence[documents[neighbor.position].difficulty!, default: 0] += neighbor.similarity / similarityTotal
            }
            sources += 1
        }
        guard sources > 0 else { return nil }
        let best = CourseDifficulty.allCases.min { a, b in
            let (evidenceA, evidenceB) = (evidence[a] ?? 0, evidence[b] ?? 0)
            return evidenceA != evidenceB ? evidenceA > evidenceB : a < b
        }!
        let cueWords = cues.sorted { $0.value.level != $1.value.level ? $0.value.level < $1.value.level : $0.key < $1.key }.map(\.key)
        return DifficultyGuess(difficulty: best, confidence: min(1, (evidence[best] ?? 0) / sources), cues: cueWords)
    }

    /// Keywords for course `id`, and a domain and difficulty guess for whichever of the two the
    /// course lacks.
    ///
    /// - Throws: `RecommenderError` when no course has that id.
    public func suggestion(for id: Int64, limit: Int = 5) throws -> TagSuggestion {
        let document = documents[try position(of: id)]
        return TagSuggestion(course: id, keywords: try keywords(for: id, limit: limit),
                             domain: document.domain == nil ? try domainGuess(for: id) : nil,
                             difficulty: document.difficulty == nil ? try difficultyGuess(for: id) : nil)
    }

    /// Whether `name` fits the `tags` table: 1 to 60 of `a-z 0-9 + # . -` and CJK characters
    /// (migration 15).
    public static func isStorableTagName(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.count <= 60 && name.unicodeScalars.allSatisfy { scalar in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || "+#.-".unicodeScalars.contains(scalar)
                || ContentModel.isCJK(scalar)
        }
    }

    /// A tag as the extractor compares it: lowercase, each hyphen-, space- or underscore-separated
    /// word without its plural ending, joined by hyphens (`Neural Networks` -> `neural-network`).
    public static func normalizedTag(_ tag: String) -> String {
        tag.lowercased().split { $0 == "-" || $0 == " " || $0 == "_" }.map { normalizedWord(String($0)) }.joined(separator: "-")
    }

    /// An English word without a plural ending, by a few suffix rules; a CJK term as it is.
    static func normalizedWord(_ word: String) -> String {
        guard word.count > 3, word.unicodeScalars.allSatisfy(\.isASCII), !pluralExceptions.contains(word) else { return word }
        if word.hasSuffix("ies") && word.count > 4 { return String(word.dropLast(3)) + "y" }
        if word.hasSuffix("zzes") { return String(word.dropLast(3)) }
        if word.hasSuffix("sses") || word.hasSuffix("ches") || word.hasSuffix("shes") || word.hasSuffix("xes") {
            return String(word.dropLast(2))
        }
        if word.hasSuffix("s") && !word.hasSuffix("ss") && !word.hasSuffix("us") && !word.hasSuffix("is") {
            return String(word.dropLast())
        }
        return word
    }

    static let pluralExceptions: Set<String> = [
        "series", "species", "news", "pandas", "kubernetes", "windows", "macos", "sales", "always", "perhaps",
        "towards", "whereas", "bias", "canvas", "atlas", "alias", "yes", "physics", "mathematics", "statistics",
        "economics", "analytics", "graphics", "ethics", "robotics", "genetics", "linguistics", "electronics",
        "politics", "logistics", "dynamics", "mechanics", "optics", "semantics", "informatics", "bioinformatics",
        "aesthetics", "acoustics", "athletics", "econometrics", "photonics", "thermodynamics",
    ]

    /// Words that tell a course's difficulty, after plural stripping, with CJK cue bigrams.
    static let difficultyCues: [String: CourseDifficulty] = [
        "introduction": .beginner, "intro": .beginner, "introductory": .beginner, "beginner": .beginner,
        "basic": .beginner, "basics": .beginner, "fundamental": .beginner, "101": .beginner, "starter": .beginner, "primer": .beginner,
        "入门": .beginner, "基础": .beginner, "初级": .beginner, "初学": .beginner,
        "intermediate": .intermediate, "进阶": .intermediate, "中级": .intermediate,
        "advanced": .advanced, "expert": .advanced, "mastery": .advanced, "masterclass": .advanced,
        "高级": .advanced, "精通": .advanced,
    ]

    /// Counts a course's words, phrases and cues.
    static func analyse(_ document: CourseDocument, options: Options, lexicon: CJKLexicon) -> Analysis {
        var analysis = Analysis()
        analysis.known = Set(document.tags.map(normalizedTag))
        if let domain = document.domain { analysis.known.insert(normalizedTag(domain)) }
        for (text, weight) in [(document.title, options.titleWeight), (document.description, options.descriptionWeight)] {
            for run in ContentModel.runs(text) {
                // Words that are no keyword part the run, so no phrase spans them.
                var segment: [String] = []
                func endSegment() {
                    for (first, second) in zip(segment, segment.dropFirst()) {
                        analysis.phrases[first + "-" + second, default: 0] += weight
                    }
                    segment.removeAll()
                }
                for term in run.isCJK ? lexicon.terms(of: Self.characters(of: run)) : run.terms {
                    let word = run.isCJK ? term : normalizedWord(term)
                    if let level = difficultyCues[word] {
                        analysis.cues[word, default: (level, 0)].count += weight
                        endSegment()
                    } else if isStopWord(term, normalized: word, stopWords: options.stopWords, chinese: run.isCJK)
                                || !word.contains(where: \.isLetter) {
                        endSegment()
                    } else {
                        analysis.words[word, default: 0] += weight
                        if !run.isCJK { segment.append(word) }
                    }
                }
                endSegment()
            }
        }
        return analysis
    }

    /// Words of courses in three or more domains, none of which holds 60% of them: the catalog's
    /// boilerplate (SeedData's Chinese copy says 零开始学习 and 通过真实项目 in every domain), not a
    /// subject. Applied to CJK words, whose stop list cannot name every run the n-grams find.
    static func spreadWords(documents: [CourseDocument], analyses: [Analysis], where include: (String) -> Bool) -> Set<String> {
        var domains: [String: [String: Int]] = [:]
        for (document, analysis) in zip(documents, analyses) {
            guard let domain = document.domain else { continue }
            for word in analysis.words.keys where include(word) { domains[word, default: [:]][domain, default: 0] += 1 }
        }
        return Set(domains.compactMap { word, counts in
            let total = counts.values.reduce(0, +)
            return counts.count >= 3 && Double(counts.values.max() ?? 0) < 0.6 * Double(total) ? word : nil
        })
    }

    /// Whether a CJK word holds a difficulty cue (`进阶指南`, `零基础学`): it tells the level, not the subject.
    static func holdsCJKCue(_ word: String) -> Bool {
        word.unicodeScalars.contains(where: ContentModel.isCJK) && chineseCues.contains { word.contains($0) }
    }

    static let chineseCues = difficultyCues.keys.filter { $0.unicodeScalars.contains(where: ContentModel.isCJK) }

    /// The text of a CJK run again, from its overlapping bigrams (or its one character).
    static func characters(of run: ContentModel.TextRun) -> String {
        guard let last = run.terms.last?.last, run.terms.count > 1 || run.terms[0].count > 1 else { return run.terms.first ?? "" }
        return String(run.terms.compactMap(\.first)) + String(last)
    }

    private func position(of id: Int64) throws -> Int {
        guard let position = positions[id] else { throw RecommenderError("no course \(id) in the catalog") }
        return position
    }

    /// The `options.neighbors` courses most similar to course `position` (cosine above zero) that
    /// pass `eligible`, most similar first, ties to the lower id.
    private func nearest(to position: Int, where eligible: (Int) -> Bool) -> [(position: Int, similarity: Double)] {
        var similarity: [Int: Double] = [:]
        for (term, weight) in vectors[position].sorted(by: { $0.key < $1.key }) {
            for posting in postings[term] ?? [] where posting.position != position {
                similarity[posting.position, default: 0] += weight * posting.weight
            }
        }
        return similarity
            .filter { $0.value > 1e-12 && eligible($0.key) }
            .map { (position: $0.key, similarity: $0.value) }
            .sorted { $0.similarity != $1.similarity ? $0.similarity > $1.similarity : documents[$0.position].id < documents[$1.position].id }
            .prefix(options.neighbors)
            .map { $0 }
    }
}
