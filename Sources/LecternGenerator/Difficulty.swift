/// How much a course asks of a learner; prerequisites always point to an easier course.
enum Difficulty: Int, CaseIterable, Sendable, Comparable {
    case beginner = 0
    case intermediate = 1
    case advanced = 2

    /// The name written to the files.
    var name: String {
        switch self {
        case .beginner: "beginner"
        case .intermediate: "intermediate"
        case .advanced: "advanced"
        }
    }

    /// Whether `lhs` is easier than `rhs`.
    static func < (lhs: Difficulty, rhs: Difficulty) -> Bool { lhs.rawValue < rhs.rawValue }
}
