import Foundation
import Hummingbird
import LecternService
import LecternStore

// What the API sends and takes. Handlers return the response bodies, which the context's encoder
// writes with snake_case keys (`courseID` is `course_id`); request bodies name their keys explicitly.

/// A course as the API shows it. The detail fields are left out of listings.
struct CourseBody: ResponseEncodable, Sendable {
    var id: Int64
    var slug: String
    var title: String
    var description: String
    var domain: String
    var difficulty: String
    var format: String
    var language: String
    /// The price as a decimal string (`49.90`), exact.
    /// The price in major units as a JSON number (exact: a Decimal), beside the integer minor units.
    var price: Decimal
    var priceMinor: Int64
    var currency: String
    var creatorID: Int64
    var hours: Double
    var status: String
    var createdAt: String
    var updatedAt: String
    var creatorName: String?
    var tags: [String]?
    var prerequisites: [String]?

    init(_ course: Course, details: CourseDetails? = nil) {
        id = course.id
        slug = course.slug
        title = course.title
        description = course.description
        domain = course.domain
        difficulty = course.difficulty.rawValue
        format = course.format.rawValue
        language = course.language
        price = Decimal(course.priceMinor) / 100
        priceMinor = course.priceMinor
        currency = course.currency
        creatorID = course.creatorID
        hours = course.hours
        status = course.status.rawValue
        createdAt = Timestamp.format(course.createdAt)
        updatedAt = Timestamp.format(course.updatedAt)
        creatorName = details?.creatorName
        tags = details?.tags
        prerequisites = details?.prerequisites
    }
}

struct CourseListBody: ResponseEncodable, Sendable {
    var courses: [CourseBody]
    var limit: Int
    var offset: Int
    /// The offset of the next page, or absent on the last page.
    var nextOffset: Int?
}

struct LearnerBody: ResponseEncodable, Sendable {
    var id: Int64
    var externalID: String
    var name: String
    var email: String?
    var country: String?
    var interests: [String]
    var channel: String
    var campaign: String?
    var createdAt: String
    var marketingOptIn: Bool

    init(_ learner: Learner) {
        id = learner.id
        externalID = learner.externalID
        name = learner.displayName
        email = learner.email
        country = learner.country
        interests = learner.interests
        channel = learner.channel
        campaign = learner.campaign
        createdAt = Timestamp.format(learner.createdAt)
        marketingOptIn = learner.marketingOptIn
    }
}

struct RecommendationItemBody: Encodable, Sendable {
    var rank: Int
    var courseID: Int64
    var slug: String
    var title: String
    var score: Double
    var reason: String?
}

struct RecommendationsBody: ResponseEncodable, Sendable {
    var user: String
    var algorithm: String
    var runID: Int64
    var trainedAt: String
    /// True when computed now because the learner is new or acted since training.
    var foldedIn: Bool
    /// The experiment variant served, while an experiment runs and no algorithm was asked for.
    var variant: String?
    var items: [RecommendationItemBody]

    init(_ list: RecommendationList, variant: String?, explain: Bool) {
        user = list.learner.externalID
        algorithm = list.algorithm.rawValue
        runID = list.run.id
        trainedAt = Timestamp.format(list.run.finishedAt)
        foldedIn = list.foldedIn
        self.variant = variant
        items = list.items.map {
            RecommendationItemBody(rank: $0.rank, courseID: $0.courseID, slug: $0.slug, title: $0.title,
                                   score: $0.score, reason: explain ? $0.reason : nil)
        }
    }
}

struct SimilarItemBody: Encodable, Sendable {
    var rank: Int
    var courseID: Int64
    var slug: String
    var title: String
    var score: Double
}

struct SimilarBody: ResponseEncodable, Sendable {
    var course: String
    var algorithm: String
    var items: [SimilarItemBody]
}

struct InteractionResultBody: Encodable, Sendable {
    var index: Int
    /// `recorded` or `duplicate`.
    var status: String
    var id: Int64?
    var idempotencyKey: String?
}

struct InteractionsBody: ResponseEncodable, Sendable {
    var recorded: Int
    var duplicates: Int
    var results: [InteractionResultBody]
}

struct StatusBody: ResponseEncodable, Sendable {
    var status: String
}

struct ModelBody: Encodable, Sendable {
    var algorithm: String
    var runID: Int64
    var trainedAt: String
    var ageSeconds: Int64
}

struct ReadyBody: ResponseEncodable, Sendable {
    var status: String
    var models: [ModelBody]
}

/// `POST /v1/users`.
struct NewLearnerInput: Decodable, Sendable {
    var externalID: String
    var name: String?
    var email: String?
    var country: String?
    var interests: [String]?
    var channel: String?
    var campaign: String?
    var marketingOptIn: Bool?

    /// CaseIterable: the contract test compares them with the document's request schema.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case externalID = "external_id", name, email, country, interests, channel, campaign
        case marketingOptIn = "marketing_opt_in"
    }
}

/// The body of `POST /v1/interactions`: one event (an object) or a batch (an array).
struct EventBatch: Decodable, Sendable {
    var events: [EventBody]
    var isBatch: Bool

    init(from decoder: any Decoder) throws {
        if (try? decoder.unkeyedContainer()) != nil {
            events = try [EventBody](from: decoder)
            isBatch = true
        } else {
            events = [try EventBody(from: decoder)]
            isBatch = false
        }
    }
}

/// One event of `POST /v1/interactions`.
struct EventBody: Decodable, Sendable {
    var user: String
    /// The course's slug or id.
    var course: String
    var kind: String
    /// ISO 8601 or Unix seconds; default now.
    var at: String?
    var channel: String?
    var amountMinor: Int64?
    var rating: Int64?
    /// Why, for a dismiss.
    var reason: String?
    var idempotencyKey: String?

    /// CaseIterable: the contract test compares them with the document's request schema.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case user, course, kind, at, channel, amountMinor = "amount_minor", rating, reason, idempotencyKey = "idempotency_key"
    }

    init(from decoder: any Decoder) throws {
        // A field the document does not name is refused, as its `additionalProperties: false` says.
        if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.first(where: { CodingKeys(stringValue: $0.stringValue) == nil }) {
            throw DecodingError.dataCorrupted(.init(codingPath: [unknown], debugDescription: "an event has no field '\(unknown.stringValue)'"))
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        user = try container.decode(String.self, forKey: .user)
        course = try Self.stringOrInteger(container, .course)
        kind = try container.decode(String.self, forKey: .kind)
        at = try container.contains(.at) ? Self.stringOrInteger(container, .at) : nil
        channel = try container.decodeIfPresent(String.self, forKey: .channel)
        amountMinor = try container.decodeIfPresent(Int64.self, forKey: .amountMinor)
        rating = try container.decodeIfPresent(Int64.self, forKey: .rating)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        idempotencyKey = try container.decodeIfPresent(String.self, forKey: .idempotencyKey)
    }

    /// A course may be named by slug or by numeric id, a time by ISO text or Unix seconds.
    private static func stringOrInteger(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> String {
        if let number = try? container.decode(Int64.self, forKey: key) { return String(number) }
        return try container.decode(String.self, forKey: key)
    }
}


/// Any JSON object key, to see the fields a body holds beyond those a type reads.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
