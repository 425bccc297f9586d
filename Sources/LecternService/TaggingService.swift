import LecternRecommender
import LecternStore

/// What tag suggestion proposes for one course, and what applying it stored.
public struct CourseTagSuggestions: Sendable {
    public var course: TaggableCourse
    /// Keywords to tag the course with, best first: none an editor gave it, none dropped from it,
    /// no single word of an editor's tag or of the domain (`learning` of `machine-learning`).
    /// Automatic tags it already has are proposed again (so applying twice adds nothing new).
    public var keywords: [Keyword]
    /// The keywords stored as automatic tags (empty unless applying).
    public var applied: [String]
    /// The domain the courses most like it belong to; its own domain does not vote.
    public var domain: DomainGuess?
    /// Slugs of the courses that voted on the domain, most similar first.
    public var domainNeighbors: [String]
    /// Whether the guess became the course's domain (only for an uncategorized course).
    public var domainApplied: Bool
    public var difficulty: DifficultyGuess?

    /// Whether the course carries `keyword` as an automatic tag already.
    public func isAlreadyApplied(_ keyword: Keyword) -> Bool {
        course.autoTags.contains(keyword.tag)
    }

    /// Whether the course has a domain and the guess names another.
    public var domainDisagrees: Bool {
        guard let domain, !course.isUncategorized else { return false }
        return domain.domain != course.domain
    }

    /// Whether the guessed difficulty differs from the stored one.
    public var difficultyDisagrees: Bool {
        guard let difficulty else { return false }
        return difficulty.difficulty.rawValue != course.difficulty.rawValue
    }
}

/// Content tagging: TF-IDF keywords from the whole catalog's titles and descriptions (English and
/// Chinese) proposed as tags, with a domain and difficulty guess for each course, stored as
/// automatic tags on request and then accepted or dropped by an editor.
public struct TaggingService {
    let db: Database

    public init(_ db: Database) {
        self.db = db
    }

    /// An uncategorized course takes the guessed domain only when at least this share of its
    /// neighbours' similarity votes for it.
    public static let domainConfidenceToApply = 0.5

    /// Suggestions for the courses named (ids or slugs; every course when `courses` is empty), in
    /// the order named, else by id.
    ///
    /// Only editors' tags count as known: a course's automatic tags come from the same text, so they
    /// are ranked with the other keywords, and `limit` bounds the automatic tags a course gets.
    /// With `apply`, in one transaction: the keywords become automatic tags with their weights (an
    /// editor's tag is never touched, a dropped suggestion never added again), and an uncategorized
    /// course gets the guessed domain when its confidence is at least `domainConfidenceToApply`.
    /// - Throws: `StoreError.notFound` for a course that does not exist (nothing is stored then).
    /// - Complexity: O(text of the whole catalog), plus a neighbour search per course named.
    @discardableResult
    public func suggest(courses references: [String] = [], limit: Int = 5, minCourses: Int = 2,
                        apply: Bool = false) throws -> [CourseTagSuggestions] {
        guard limit >= 1 else { throw StoreError(.invalidInput, "the limit must be at least 1, got \(limit)") }
        guard minCourses >= 1 else { throw StoreError(.invalidInput, "a tag must describe at least 1 course, got \(minCourses)") }
        let work = { () throws -> [CourseTagSuggestions] in
            let store = TagSuggestionStore(db)
            let catalog = try store.catalog()
            var selected = catalog
            if !references.isEmpty {
                let byID = Dictionary(uniqueKeysWithValues: catalog.map { ($0.id, $0) })
                var seen: Set<Int64> = []
                selected = try references.compactMap { reference in
                    let id = try CourseRepository(db).resolve(reference).id
                    return seen.insert(id).inserted ? byID[id] : nil
                }
            }
            let slugs = Dictionary(uniqueKeysWithValues: catalog.map { ($0.id, $0.slug) })
            let extractor = try KeywordExtractor(documents: catalog.map(Self.document),
                                                 options: .init(minDocuments: minCourses))
            var suggestions: [CourseTagSuggestions] = []
            for course in selected {
                let dropped = Set(course.droppedTags).union(course.droppedTags.map(KeywordExtractor.normalizedTag))
                let covered = Self.wordsCovered(by: course)
                let keywords = try extractor.keywords(for: course.id, limit: limit + dropped.count + covered.count)
                    .filter { !dropped.contains($0.tag) && ($0.isPhrase || !covered.contains($0.tag)) }.prefix(limit)
                let domain = try extractor.domainGuess(for: course.id)
                var suggestion = CourseTagSuggestions(
                    course: course, keywords: Array(keywords), applied: [], domain: domain,
                    domainNeighbors: domain?.neighbors.compactMap { slugs[$0] } ?? [], domainApplied: false,
                    difficulty: try extractor.difficultyGuess(for: course.id))
                if apply {
                    suggestion.applied = try store.addSuggestedTags(courseID: course.id, keywords.map { (name: $0.tag, weight: $0.weight) })
                    if course.isUncategorized, let domain, domain.confidence >= Self.domainConfidenceToApply {
                        suggestion.domainApplied = try store.setSuggestedDomain(courseID: course.id, domain.domain)
                    }
                }
                suggestions.append(suggestion)
            }
            return suggestions
        }
        return apply ? try db.transaction { try work() } : try work()
    }

    /// How often suggestions find editors' tags hidden from the extractor, under the current rules
    /// (with `minCourses`) and under the rules before issue 13; see `TagEvaluation`. Stores nothing.
    /// - Throws: `StoreError.invalidInput` for a bad limit, share or `minCourses`.
    /// - Complexity: O(text of the whole catalog) twice, plus a keyword ranking per course.
    public func evaluate(limit: Int = 5, minCourses: Int = 2, hiddenShare: Double = 0.5,
                         seed: UInt64 = 13) throws -> (current: TagEvaluation, baseline: TagEvaluation) {
        let documents = try TagSuggestionStore(db).catalog().map(Self.document)
        do {
            return (try TagEvaluation.measure(documents: documents, options: .init(minDocuments: minCourses), k: limit,
                                              hiddenShare: hiddenShare, seed: seed),
                    try TagEvaluation.measure(documents: documents, options: .baseline, k: limit,
                                              hiddenShare: hiddenShare, seed: seed))
        } catch let error as RecommenderError {
            throw StoreError(.invalidInput, error.description)
        }
    }

    /// A course as the extractor reads it: only editors' tags are known.
    static func document(_ course: TaggableCourse) -> CourseDocument {
        CourseDocument(id: course.id, title: course.title, description: course.description, tags: course.editorTags,
                       domain: course.isUncategorized ? nil : course.domain,
                       difficulty: CourseDifficulty(rawValue: course.difficulty.rawValue))
    }

    /// The words of a course's editors' tags and domain that have more than one word (`machine`
    /// and `learning` of `machine-learning`): said already, so not proposed on their own.
    static func wordsCovered(by course: TaggableCourse) -> Set<String> {
        let names = course.editorTags + (course.isUncategorized ? [] : [course.domain])
        return Set(names.map(KeywordExtractor.normalizedTag).flatMap { name -> [String] in
            let words = name.split(separator: "-").map(String.init)
            return words.count > 1 ? words : []
        })
    }

    /// Makes a course's automatic tags editors' tags: the ones named, or all when `tags` is empty.
    /// - Returns: The course and the tags accepted.
    /// - Throws: `StoreError` for an unknown course, a tag the course lacks, an editor's tag.
    @discardableResult
    public func accept(course reference: String, tags: [String] = []) throws -> (course: Course, accepted: [String]) {
        let course = try CourseRepository(db).resolve(reference)
        return (course, try TagSuggestionStore(db).acceptSuggestedTags(of: course, names: tags))
    }

    /// Drops suggestions from a course for good, removing the ones it carries as automatic tags.
    /// - Throws: `StoreError` for an unknown course or an editor's tag.
    @discardableResult
    public func drop(course reference: String, tags: [String]) throws -> (course: Course, dropped: [DroppedTag]) {
        guard !tags.isEmpty else { throw StoreError(.invalidInput, "name at least one tag to drop") }
        let course = try CourseRepository(db).resolve(reference)
        return (course, try TagSuggestionStore(db).dropSuggestedTags(of: course, names: tags))
    }
}
