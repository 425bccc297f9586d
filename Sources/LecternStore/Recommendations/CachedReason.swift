/// Why a course is on a learner's list, as the cache stores it: a kind, the course it points to and a
/// term, turned into a sentence when read. Stored as three small columns rather than the sentence, a
/// cached row is a third of the size, so a training run writes three times fewer pages.
///
/// The sentences are written here once: `sentence(title:)` for lists computed in memory, and
/// `sentenceSQL` for the storefront query and the `current_recommendations` view.
public struct CachedReason: Sendable, Equatable {
    public enum Kind: Int, Sendable, CaseIterable {
        /// "because you bought <course>"
        case bought = 1
        /// "learners who took <course> also took this"
        case alsoTook = 2
        /// "you looked at this course before"
        case lookedAt = 3
        /// "popular in <domain>"
        case popularIn = 4
        /// "matches your interest in <tag or domain>"
        case interest = 5
        /// "learners like you branched out into <domain>"
        case crossDomain = 6
        /// "learners with tastes like yours took this"
        case similarTastes = 7

        /// The sentence around the course title or term: (before, after).
        var template: (String, String) {
            switch self {
            case .bought: ("because you bought ", "")
            case .alsoTook: ("learners who took ", " also took this")
            case .lookedAt: ("you looked at this course before", "")
            case .popularIn: ("popular in ", "")
            case .interest: ("matches your interest in ", "")
            case .crossDomain: ("learners like you branched out into ", "")
            case .similarTastes: ("learners with tastes like yours took this", "")
            }
        }

        /// Whether the sentence names a course (by `courseID`) rather than a term.
        var namesCourse: Bool { self == .bought || self == .alsoTook }
        var namesTerm: Bool { self == .popularIn || self == .interest || self == .crossDomain }
    }

    /// nil for a free-text reason (`text`).
    public var kind: Kind?
    public var courseID: Int64?
    public var term: String?
    /// The sentence itself, for reasons that are not one of the kinds.
    public var text: String

    public init(_ kind: Kind, courseID: Int64? = nil, term: String? = nil) {
        self.kind = kind
        self.courseID = kind.namesCourse ? courseID : nil
        self.term = kind.namesTerm ? term : nil
        self.text = ""
    }

    /// A reason given as a sentence.
    public init(text: String) {
        self.kind = nil
        self.text = text
    }

    /// The sentence shown beside the course; `title` is the title of `courseID`.
    public func sentence(title: String?) -> String {
        guard let kind else { return text }
        let (before, after) = kind.template
        if kind.namesCourse { return before + (title ?? "a course you took") + after }
        if kind.namesTerm { return before + (term ?? "") + after }
        return before + after
    }

    /// The sentence in SQL, from columns `reason_kind`, `reason_term`, `reason` of `row` and the
    /// title of the joined course `course` (LEFT JOINed on `reason_course`).
    static func sentenceSQL(row: String, course: String) -> String {
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
        var cases = ""
        for kind in Kind.allCases {
            let (before, after) = kind.template
            let middle = kind.namesCourse ? " || coalesce(\(course).title, 'a course you took') || "
                : kind.namesTerm ? " || coalesce(\(row).reason_term, '') || " : " || "
            cases += " WHEN \(kind.rawValue) THEN \(quoted(before))\(middle)\(quoted(after))"
        }
        return "CASE \(row).reason_kind\(cases) ELSE \(row).reason END"
    }
}
