import Foundation
import LecternCore

extension PlatformGenerator {
    /// The columns of the creators file.
    static let creatorColumns = ["name", "revenue_share", "contact"]
    /// The columns of the courses file.
    static let courseColumns = [
        "slug", "title", "description", "domain", "difficulty", "format", "language", "price_minor", "currency",
        "creator", "hours", "status", "tags", "prerequisites", "created_at",
    ]

    /// Writes the creators file.
    ///
    /// - Complexity: O(*n*) in the number of creators.
    func writeCreators(
        _ catalog: Catalog, to url: URL, format: PlatformFileFormat,
        progress: (@Sendable (PhaseProgress) -> Void)?
    ) throws {
        let total = catalog.creators.count
        progress?(PhaseProgress(phase: "creators", done: 0, total: total))
        let writer = try RecordFormatter(url: url, format: format, columns: Self.creatorColumns)
        for creator in catalog.creators {
            writer.text(creator.name)
            writer.decimal(units: Int64(creator.revenueSharePercent), scale: 2)
            writer.optionalText(creator.contact)
            writer.endRecord()
        }
        try writer.close()
        progress?(PhaseProgress(phase: "creators", done: total, total: total))
    }

    /// Writes the courses file.
    ///
    /// - Complexity: O(*c*) in the number of courses.
    func writeCourses(
        _ catalog: Catalog, to url: URL, format: PlatformFileFormat,
        progress: (@Sendable (PhaseProgress) -> Void)?
    ) throws {
        let total = catalog.courses.count
        progress?(PhaseProgress(phase: "courses", done: 0, total: total))
        let writer = try RecordFormatter(url: url, format: format, columns: Self.courseColumns)
        let currency = Array("USD".utf8)
        for course in catalog.courses {
            writer.token(Array(course.slug.utf8))
            writer.text(course.title)
            writer.text(course.description)
            writer.token(Array(catalog.domains[course.domain].name.utf8))
            writer.token(Array(course.difficulty.name.utf8))
            writer.token(Array(course.format.rawValue.utf8))
            writer.token(Array(course.language.rawValue.utf8))
            writer.integer(Int64(course.priceMinor))
            writer.token(currency)
            writer.text(catalog.creators[course.creator].name)
            writer.decimal(units: Int64(course.hoursTenths), scale: 1)
            writer.token(Array(course.status.rawValue.utf8))
            writer.list(course.tags)
            writer.list(course.prerequisites.map { catalog.courses[$0].slug })
            writer.timestamp(course.createdAt)
            writer.endRecord()
        }
        try writer.close()
        progress?(PhaseProgress(phase: "courses", done: total, total: total))
    }
}
