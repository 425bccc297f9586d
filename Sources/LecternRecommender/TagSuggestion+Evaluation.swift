/// How well suggested tags find editors' tags that were hidden from the extractor.
///
/// Each course with at least two editors' tags hides a seeded random share of them (at least one,
/// and at least one stays); the extractor then reads the catalog with the tags left and suggests
/// `k` keywords per course. A suggestion is a hit when it names a hidden tag (both normalised,
/// `Neural Networks` = `neural-network`). Tags a course's text never mentions (`career`) cannot be
/// found, so recall has a ceiling well below 1.
public struct TagEvaluation: Sendable, Equatable {
    /// The number of keywords asked for per course.
    public var k: Int
    /// Courses with at least two editors' tags, which were scored.
    public var courses: Int
    /// Courses given at least one suggestion.
    public var suggestedCourses: Int
    /// Keywords suggested, over all scored courses.
    public var suggestions: Int
    /// Suggestions that named a hidden tag.
    public var hits: Int
    /// Tags hidden, over all scored courses.
    public var hidden: Int
    /// Mean over the courses given suggestions of hits / suggestions (at most `k`).
    public var precision: Double
    /// Mean over the scored courses of hits / hidden tags.
    public var recall: Double

    /// Hides tags, suggests, and counts.
    ///
    /// - Parameters:
    ///   - hiddenShare: The share of each course's tags hidden, rounded, in 0...1.
    ///   - seed: The same catalog and seed hide the same tags.
    /// - Throws: `RecommenderError` for bad options, `k` below 1 or a share outside 0...1.
    /// - Complexity: O(total text length + courses x terms per course x log).
    public static func measure(documents: [CourseDocument], options: KeywordExtractor.Options = .init(), k: Int = 5,
                               hiddenShare: Double = 0.5, seed: UInt64 = 13) throws -> TagEvaluation {
        guard k >= 1 else { throw RecommenderError("k must be at least 1, got \(k)") }
        guard (0...1).contains(hiddenShare) else {
            throw RecommenderError("the hidden share must be between 0 and 1, got \(hiddenShare)")
        }
        var visible = documents
        var hiddenTags: [Int64: Set<String>] = [:]
        for index in visible.indices {
            var tags = Array(Set(visible[index].tags.map(KeywordExtractor.normalizedTag))).sorted()
            guard tags.count >= 2 else { continue }
            var random = SeededGenerator(seed: seed, stream: UInt64(bitPattern: visible[index].id))
            tags.shuffle(using: &random)
            let count = min(tags.count - 1, max(1, Int((hiddenShare * Double(tags.count)).rounded())))
            hiddenTags[visible[index].id] = Set(tags.prefix(count))
            visible[index].tags = Array(tags.dropFirst(count))
        }
        let extractor = try KeywordExtractor(documents: visible, options: options)
        var result = TagEvaluation(k: k, courses: hiddenTags.count, suggestedCourses: 0, suggestions: 0, hits: 0,
                                   hidden: 0, precision: 0, recall: 0)
        var precisionSum = 0.0, recallSum = 0.0
        for document in visible {
            guard let hidden = hiddenTags[document.id] else { continue }
            let keywords = try extractor.keywords(for: document.id, limit: k)
            let hits = keywords.filter { hidden.contains($0.tag) }.count
            result.suggestions += keywords.count
            result.hits += hits
            result.hidden += hidden.count
            recallSum += Double(hits) / Double(hidden.count)
            if !keywords.isEmpty {
                result.suggestedCourses += 1
                precisionSum += Double(hits) / Double(keywords.count)
            }
        }
        result.precision = result.suggestedCourses > 0 ? precisionSum / Double(result.suggestedCourses) : 0
        result.recall = result.courses > 0 ? recallSum / Double(result.courses) : 0
        return result
    }
}
