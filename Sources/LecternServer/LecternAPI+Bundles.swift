import Hummingbird
import LecternCore
import LecternRecommender
import LecternService
import LecternStore

/// Courses taken together, over HTTP: a course page's "often taken together" and the catalog's bundles.
extension LecternAPI {
    /// `GET /v1/courses/{id}/together?limit=&min_learners=`: the published courses most often taken by
    /// the learners who took this one, beyond chance. "Most often": the most learners who took both
    /// (the largest share of this course's takers), not the highest lift, which favours courses a
    /// handful took. "Beyond chance": a lift whose 95% lower bound is above 1, so popularity alone does
    /// not put a course here. Reads only this course's takers and their courses.
    func together(_ request: Request, _ context: APIRequestContext) async throws -> TogetherBody {
        let reference = try id(context)
        let limit = try integer(request, "limit", default: 10, in: 1...100)
        let minimum = try integer(request, "min_learners", default: 5, in: 1...1_000_000)
        try notOnPostgresYet("courses taken together")
        return try await pool.read { db in
            let course = try CourseRepository(db).resolve(reference)
            let counts = try AudienceStore(db).takenWith(course.id, minimumBoth: minimum)
            let ranked = counts.others.map { other in
                (other, Association(both: other.both, first: counts.takers, second: other.takers, total: counts.learners))
            }.filter { $0.1.liftLowerBound() > 1 }.sorted { ($0.0.both, $1.0.courseID) > ($1.0.both, $0.0.courseID) }
            var items: [TogetherItemBody] = []
            let courses = CourseRepository(db)
            for (other, association) in ranked where items.count < limit {
                guard let found = try courses.find(id: other.courseID), found.status == .published else { continue }
                items.append(TogetherItemBody(rank: items.count + 1, courseID: found.id, slug: found.slug, title: found.title,
                                              learners: other.both, confidence: association.confidenceForward,
                                              lift: association.lift, liftLowerBound: association.liftLowerBound()))
            }
            return TogetherBody(course: course.slug, takers: counts.takers, items: items)
        }
    }

    /// `GET /v1/bundles?limit=&min_learners=&cross_domain=&course=`: pairs and triples of published
    /// courses taken together beyond chance (as `lectern bundles`), strongest lower bound first.
    func bundles(_ request: Request, _ context: APIRequestContext) async throws -> BundleListBody {
        var options = BundleOptions()
        options.limit = try integer(request, "limit", default: 20, in: 1...200)
        options.minLearners = try integer(request, "min_learners", default: 10, in: 1...1_000_000)
        options.crossDomain = try flag(request, "cross_domain")
        let course = request.uri.queryParameters.get("course")
        let asked = options
        return try await pool.read { db in
            var options = asked
            if let course { options.courseID = try CourseRepository(db).resolve(course).id }
            let result = try MarketingService(db).bundles(options)
            return BundleListBody(learners: result.learners, items: result.rows.map(BundleBody.init))
        }
    }
}

struct TogetherItemBody: Encodable, Sendable {
    var rank: Int
    var courseID: Int64
    var slug: String
    var title: String
    /// Learners who took both.
    var learners: Int
    /// Of this course's takers, the share who took the other.
    var confidence: Double
    var lift: Double
    var liftLowerBound: Double
}

struct TogetherBody: ResponseEncodable, Sendable {
    var course: String
    var takers: Int
    var items: [TogetherItemBody]
}

struct BundleBody: Encodable, Sendable {
    var courses: [String]
    var domains: [String]
    var learners: Int
    var support: Double
    var confidenceForward: Double
    var confidenceBackward: Double
    var lift: Double
    var liftLowerBound: Double
    /// Every two of its courses are in one prerequisite chain.
    var path: Bool

    init(_ row: BundleRow) {
        courses = row.courses.map(\.slug)
        domains = row.courses.map(\.domain)
        learners = row.association.both
        support = row.association.support
        confidenceForward = row.association.confidenceForward
        confidenceBackward = row.association.confidenceBackward
        lift = row.association.lift
        liftLowerBound = row.liftLowerBound
        path = row.isPath
    }
}

struct BundleListBody: ResponseEncodable, Sendable {
    /// Learners counted.
    var learners: Int
    var items: [BundleBody]
}
