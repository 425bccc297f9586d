/// How much a course expects of a learner, as the catalog's `difficulty` column spells it.
public enum CourseDifficulty: String, Sendable, Equatable, Hashable, CaseIterable, Comparable {
    case beginner, intermediate, advanced

    /// Beginner before intermediate before advanced.
    public static func < (lhs: CourseDifficulty, rhs: CourseDifficulty) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .beginner: 0
        case .intermediate: 1
        case .advanced: 2
        }
    }
}
