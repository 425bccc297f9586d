/// A course, audio lesson or e-book on sale in the catalog.
public struct Course: Sendable, Equatable, Codable {
    public enum Difficulty: String, Sendable, Codable, CaseIterable {
        case beginner, intermediate, advanced
    }

    public enum Format: String, Sendable, Codable, CaseIterable {
        case video, audio, ebook, live, article
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case draft, published, archived
    }

    public var id: Int64
    /// The unique, URL-safe name: lowercase letters, digits and dashes.
    public var slug: String
    public var title: String
    public var description: String
    /// The subject area, such as `data-science` or `finance-for-engineers`.
    public var domain: String
    public var difficulty: Difficulty
    public var format: Format
    public var language: String
    /// The price in the currency's minor unit (cents for USD).
    public var priceMinor: Int64
    public var currency: String
    public var creatorID: Int64
    public var hours: Double
    public var status: Status
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The family this course is one run of (a module offered each term, a book's editions), or nil.
    public var family: String?

    public init(id: Int64 = 0, slug: String, title: String, description: String = "", domain: String,
                difficulty: Difficulty = .beginner, format: Format = .video, language: String = "en",
                priceMinor: Int64 = 0, currency: String = "USD", creatorID: Int64, hours: Double = 0,
                status: Status = .draft, createdAt: Int64 = 0, updatedAt: Int64 = 0, family: String? = nil) {
        self.family = family
        self.id = id
        self.slug = slug
        self.title = title
        self.description = description
        self.domain = domain
        self.difficulty = difficulty
        self.format = format
        self.language = language
        self.priceMinor = priceMinor
        self.currency = currency
        self.creatorID = creatorID
        self.hours = hours
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A course with what a page about it shows: its creator, tags and prerequisites.
public struct CourseDetails: Sendable, Equatable {
    public var course: Course
    public var creatorName: String
    /// Every tag's name, an editor's and suggested ones alike, by name.
    public var tags: [String]
    /// The tags that `lectern tag suggest --apply` added and nobody has accepted yet, by name.
    public var autoTags: [String]
    /// Slugs of the courses this one requires.
    public var prerequisites: [String]
}

/// Which courses a listing shows; nil means no filter.
public struct CourseFilter: Sendable, Equatable {
    public var domain: String?
    public var tag: String?
    public var difficulty: Course.Difficulty?
    public var format: Course.Format?
    public var status: Course.Status?
    public var creatorID: Int64?
    public var minPriceMinor: Int64?
    public var maxPriceMinor: Int64?
    /// Words that must all appear in the title or the description (case-insensitive).
    public var text: String?
    public var limit: Int?
    public var offset: Int = 0

    public init(domain: String? = nil, tag: String? = nil, difficulty: Course.Difficulty? = nil,
                format: Course.Format? = nil, status: Course.Status? = nil, creatorID: Int64? = nil,
                minPriceMinor: Int64? = nil, maxPriceMinor: Int64? = nil, text: String? = nil,
                limit: Int? = nil, offset: Int = 0) {
        self.domain = domain
        self.tag = tag
        self.difficulty = difficulty
        self.format = format
        self.status = status
        self.creatorID = creatorID
        self.minPriceMinor = minPriceMinor
        self.maxPriceMinor = maxPriceMinor
        self.text = text
        self.limit = limit
        self.offset = offset
    }
}
