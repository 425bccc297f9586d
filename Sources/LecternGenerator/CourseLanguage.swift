/// The language a course is taught in, and the language a learner prefers.
enum CourseLanguage: String, CaseIterable, Sendable {
    case english = "en"
    case chinese = "zh"
    case spanish = "es"
    case german = "de"
}
