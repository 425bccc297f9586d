/// A course as written to the courses file.
struct Course: Sendable {
    /// The unique slug; only `[a-z0-9-]`.
    var slug: String
    /// The title, in the course's language.
    let title: String
    /// One or two sentences about the course.
    let description: String
    /// The index of the course's domain in the catalog's domains.
    let domain: Int
    /// The index of the course's subject in its domain's subjects.
    let subject: Int
    /// How much the course asks of a learner.
    let difficulty: Difficulty
    /// How the course is delivered.
    let format: CourseFormat
    /// The language the course is taught in.
    let language: CourseLanguage
    /// The price in US cents; 0 for a free course.
    let priceMinor: Int
    /// The index of the course's creator in the catalog's creators.
    var creator: Int
    /// The length in tenths of an hour.
    let hoursTenths: Int
    /// Whether the course is a draft, published, or archived.
    let status: CourseStatus
    /// The tag names, 2 to 5, distinct.
    let tags: [String]
    /// The indices of the courses this one requires; all earlier in the catalog and easier.
    var prerequisites: [Int]
    /// When the course was created, in Unix seconds.
    let createdAt: Int64
    /// When an archived course stopped taking learners; nil for the others.
    let archivedAt: Int64?
}
