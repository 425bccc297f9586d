import Hummingbird
import LecternCore
import LecternRecommender
import LecternService
import LecternStore

/// Cross-over marketing over HTTP: a course's audience (keys of the marketing scope alone) and a
/// learner's marketing consent.
extension LecternAPI {
    /// `GET /v1/courses/{id}/audience?limit=&method=`: the opted-in learners most likely to take the
    /// course who have not, by external id, with a score and a reason. Learners who did not opt in
    /// are never sent: this list is for telling people.
    func audience(_ request: Request, _ context: APIRequestContext) async throws -> AudienceBody {
        let reference = try id(context)
        let limit = try integer(request, "limit", default: 50, in: 1...1000)
        let method = try request.uri.queryParameters.get("method").map { text -> AudienceMethod in
            guard let method = AudienceMethod(rawValue: text) else {
                throw APIError.badRequest("method must be one of \(AudienceMethod.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            return method
        }
        if context.caller.orgID != nil {
            throw APIError(.forbidden, "insufficient_scope", "a key scoped to an organisation cannot read audiences")
        }
        try notOnPostgresYet("course audiences")
        return try await pool.read { db in
            let result = try AudienceService(db).audience(course: reference, limit: limit, method: method, optedInOnly: true)
            return AudienceBody(course: result.course.slug, method: result.method.rawValue, takers: result.takers,
                                learners: result.entries.enumerated().map { rank, entry in
                                    AudienceLearnerBody(rank: rank + 1, externalID: entry.contact.externalID,
                                                        score: entry.score, reason: entry.reason)
                                })
        }
    }

    /// `PUT /v1/users/{id}/marketing-consent`: records (or withdraws) a learner's marketing opt-in.
    func setMarketingConsent(_ request: Request, _ context: APIRequestContext) async throws -> LearnerBody {
        let user = try id(context)
        let input = try await request.decode(as: MarketingConsentInput.self, context: context)
        if context.caller.orgID != nil {
            throw APIError(.forbidden, "insufficient_scope", "a key scoped to an organisation cannot change a learner's consent")
        }
        return try await pool.write { db in
            let learners = LearnerRepository(db)
            var learner = try learners.resolve(user)
            learner.marketingOptIn = input.marketingOptIn
            try learners.update(learner)
            return LearnerBody(learner)
        }
    }
}

/// The body of `PUT /v1/users/{id}/marketing-consent`.
struct MarketingConsentInput: Decodable, Sendable {
    var marketingOptIn: Bool

    /// CaseIterable: the contract test compares them with the document's request schema.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case marketingOptIn = "marketing_opt_in"
    }

    init(from decoder: any Decoder) throws {
        // A field the document does not name is refused, as its `additionalProperties: false` says.
        if let unknown = try decoder.container(keyedBy: AnyKey.self).allKeys.first(where: { CodingKeys(stringValue: $0.stringValue) == nil }) {
            throw DecodingError.dataCorrupted(.init(codingPath: [unknown], debugDescription: "consent has no field '\(unknown.stringValue)'"))
        }
        marketingOptIn = try decoder.container(keyedBy: CodingKeys.self).decode(Bool.self, forKey: .marketingOptIn)
    }
}

struct AudienceLearnerBody: Encodable, Sendable {
    var rank: Int
    var externalID: String
    var score: Double
    var reason: String
}

struct AudienceBody: ResponseEncodable, Sendable {
    var course: String
    var method: String
    /// Learners who took the course (never returned it).
    var takers: Int
    var learners: [AudienceLearnerBody]
}
