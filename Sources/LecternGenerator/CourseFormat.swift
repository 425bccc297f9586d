/// How a course is delivered.
enum CourseFormat: String, CaseIterable, Sendable {
    case video
    case audio
    case ebook
    case live
    case article

    /// The range of a course's length in hours, before a difficulty adjustment.
    var hourRange: ClosedRange<Double> {
        switch self {
        case .video: 2...30
        case .audio: 2...12
        case .ebook: 3...15
        case .live: 6...24
        case .article: 0.5...3
        }
    }
}
