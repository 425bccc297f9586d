/// Where a course is in its life: only published courses take new learners.
enum CourseStatus: String, Sendable {
    case draft
    case published
    case archived
}
