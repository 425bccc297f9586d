/// What a course teaches inside its domain, such as Python or Options Pricing.
struct CourseSubject: Sendable {
    /// The English name used in titles.
    let title: String
    /// The tag every course on the subject carries; only `[a-z0-9+#.-]`.
    let tag: String
    /// The Chinese name used in titles of courses taught in Chinese.
    let chineseTitle: String

    /// Creates a subject; without a Chinese name, the English one serves.
    init(_ title: String, tag: String, chinese: String? = nil) {
        self.title = title
        self.tag = tag
        chineseTitle = chinese ?? title
    }
}
