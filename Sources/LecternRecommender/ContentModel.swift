#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a course says about itself, for content similarity.
public struct CourseContent: Sendable, Equatable {
    public var title: String
    public var description: String
    public var tags: [String]
    public var domain: String
    public var format: String

    public init(title: String, description: String = "", tags: [String] = [], domain: String, format: String = "") {
        self.title = title
        self.description = description
        self.tags = tags
        self.domain = domain
        self.format = format
    }
}

/// Courses as TF-IDF vectors over the words of their title and description, their tags, domain and
/// format; compares courses with each other and with a learner's tastes. Works for courses nobody
/// has touched yet (cold start).
public struct ContentModel: Sendable {
    /// Terms: plain words, `tag:NAME`, `domain:NAME`, `format:NAME`.
    public let vocabulary: [String]
    /// Unit-length TF-IDF vector of each course (course x term).
    public let vectors: SparseMatrix
    /// The transpose of `vectors` (term x course): the courses that hold each term.
    public let postings: SparseMatrix
    let termIndex: [String: Int32]
    /// Whether each term is a `tag:` or `domain:` term (the ones a reason can name).
    let namedTerm: [Bool]
    /// The name a reason shows for each named term (the tag or domain, without its prefix); made once
    /// so that every learner's list shares the strings.
    let termLabels: [String]
    /// Each course's squared vector length: 1, or 0 for a course with no terms.
    let selfSimilarity: [Float]

    /// Tags and domains weigh more than a word of the description.
    static let tagBoost: Float = 3, domainBoost: Float = 2, formatBoost: Float = 0.5, titleBoost: Float = 2

    public init(courses: [CourseContent]) {
        var termIndex: [String: Int32] = [:]
        var vocabulary: [String] = []
        var entries: [(row: Int32, column: Int32, value: Float)] = []
        func term(_ text: String) -> Int32 {
            if let index = termIndex[text] { return index }
            let index = Int32(vocabulary.count)
            vocabulary.append(text)
            termIndex[text] = index
            return index
        }
        for (row, course) in courses.enumerated() {
            var counts: [Int32: Float] = [:]
            for word in Self.words(course.title) { counts[term(word), default: 0] += Self.titleBoost }
            for word in Self.words(course.description) { counts[term(word), default: 0] += 1 }
            for tag in course.tags { counts[term("tag:" + tag.lowercased()), default: 0] += Self.tagBoost }
            if !course.domain.isEmpty { counts[term("domain:" + course.domain.lowercased()), default: 0] += Self.domainBoost }
            if !course.format.isEmpty { counts[term("format:" + course.format.lowercased()), default: 0] += Self.formatBoost }
            for (column, count) in counts { entries.append((Int32(row), column, 1 + log(count))) }
        }
        let counts = SparseMatrix(rowCount: courses.count, columnCount: vocabulary.count, entries: entries)
        // Smooth IDF, as scikit-learn's TfidfVectorizer: log((1 + n) / (1 + df)) + 1.
        var documentFrequency = [Int](repeating: 0, count: vocabulary.count)
        for column in counts.columnIndices { documentFrequency[Int(column)] += 1 }
        let n = Double(courses.count)
        let idf = documentFrequency.map { Float(log((1 + n) / (1 + Double($0))) + 1) }
        var weighted = counts.mapValues { _, column, value in value * idf[column] }
        weighted = Self.normalized(weighted)
        self.vocabulary = vocabulary
        self.vectors = weighted
        self.postings = weighted.transposed()
        self.termIndex = termIndex
        self.namedTerm = vocabulary.map { $0.hasPrefix("tag:") || $0.hasPrefix("domain:") }
        self.termLabels = vocabulary.map { String($0.drop(while: { $0 != ":" }).dropFirst()) }
        self.selfSimilarity = (0..<weighted.rowCount).map { row in
            weighted.row(row).values.reduce(0) { $0 + $1 * $1 }
        }
    }

    /// Lowercased words of two or more letters, without common English words; CJK text as
    /// character bigrams.
    static func words(_ text: String) -> [String] {
        runs(text).flatMap(\.terms)
    }

    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x3040...0x30FF, 0xAC00...0xD7AF, 0xF900...0xFAFF: true
        default: false
        }
    }

    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in", "into", "is", "it", "its", "of",
        "on", "or", "that", "the", "this", "to", "with", "you", "your", "we", "our", "will", "can", "all", "what",
        "who", "why", "when", "learn", "course", "about", "using", "use", "up", "more", "out", "get", "than", "then",
    ]

    static func normalized(_ matrix: SparseMatrix) -> SparseMatrix {
        var norms = [Float](repeating: 0, count: matrix.rowCount)
        for r in 0..<matrix.rowCount {
            var sum: Float = 0
            for k in matrix.rowStarts[r]..<matrix.rowStarts[r + 1] { sum += matrix.values[k] * matrix.values[k] }
            norms[r] = sum.squareRoot()
        }
        return matrix.mapValues { row, _, value in norms[row] > 0 ? value / norms[row] : 0 }
    }

    /// A learner's taste as a term vector: the courses they touched (weighted) and their declared
    /// interests (each a tag or domain name).
    public func profile(history: [(item: Int32, weight: Float)], interests: [String]) -> [Int32: Float] {
        var profile: [Int32: Float] = [:]
        let total = max(history.reduce(0) { $0 + $1.weight }, 1e-6)
        for (item, weight) in history where Int(item) < vectors.rowCount {
            let row = vectors.row(Int(item))
            for (column, value) in zip(row.columns, row.values) { profile[column, default: 0] += value * weight / total }
        }
        for interest in interests {
            let name = interest.lowercased()
            for key in ["tag:" + name, "domain:" + name] {
                if let column = termIndex[key] { profile[column, default: 0] += 1 }
            }
        }
        return profile
    }

    /// Courses by cosine similarity to `profile`, each with the tag or domain term that matched most.
    ///
    /// The exhaustive path: training and fold-in use `recommend(history:interests:excluding:count:neighbors:scratch:)`,
    /// which reaches the same courses through neighbour lists; tests compare the two.
    /// - Complexity: O(courses x profile terms).
    public func rank(profile: [Int32: Float], excluding: Set<Int32>, count: Int) -> [(item: Int32, score: Float, term: String?)] {
        guard !profile.isEmpty else { return [] }
        var norm: Float = 0
        for value in profile.values { norm += value * value }
        norm = norm.squareRoot()
        var top = TopK(capacity: count)
        var bestTerm: [Int32: Int32] = [:]
        for item in 0..<vectors.rowCount where !excluding.contains(Int32(item)) {
            var dot: Float = 0
            var strongest: (Int32, Float)? = nil
            for k in vectors.rowStarts[item]..<vectors.rowStarts[item + 1] {
                let column = vectors.columnIndices[k]
                guard let weight = profile[column] else { continue }
                let contribution = weight * vectors.values[k]
                dot += contribution
                if namedTerm[Int(column)], contribution > (strongest?.1 ?? 0) {
                    strongest = (column, contribution)
                }
            }
            guard dot > 0 else { continue }
            top.insert(Int32(item), Double(dot / norm))
            if let strongest { bestTerm[Int32(item)] = strongest.0 }
        }
        return top.sortedDescending().map { entry in
            let term = bestTerm[entry.index].map { vocabulary[Int($0)] }
            return (entry.index, Float(entry.score), term.map { String($0.drop(while: { $0 != ":" }).dropFirst()) })
        }
    }
}
