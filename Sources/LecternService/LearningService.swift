import Foundation
import LecternRecommender
import LecternStore

/// A learner as personalisation sees them: what they care about, what they did and spent, and their segment.
public struct LearnerOverview: Sendable {
    public var learner: Learner
    /// Domains and tags weighted by behaviour with time decay, plus declared interests.
    public var interests: InterestProfile
    /// Events by kind.
    public var counts: [Interaction.Kind: Int]
    /// Paid minus refunded, per currency (in currency order; none when nothing was bought).
    public var netSpend: [Money.Amount]
    /// Courses completed of those enrolled in or bought (nil when none).
    public var completionRate: Double?
    /// Distinct courses enrolled in or bought.
    public var coursesTaken: Int
    public var coursesCompleted: Int
    public var lastActive: Int64?
    public var segment: String?
}

/// What `segments build` made.
public struct SegmentSummary: Sendable, Equatable {
    public var name: String
    public var learners: Int
    /// The centroid's strongest dimensions (`domain:x` or `tag:y`) and their weights.
    public var top: [(String, Double)]

    public static func == (a: SegmentSummary, b: SegmentSummary) -> Bool {
        a.name == b.name && a.learners == b.learners && a.top.map(\.0) == b.top.map(\.0)
    }
}

/// One course on a learning path.
public struct PathStep: Sendable, Equatable {
    public var course: LearningQueries.CourseFacts
    public var stage: Course.Difficulty
    /// The course this one is a prerequisite of, when it is on the path only for that.
    public var requiredBy: String?
    /// The learner's recommendation score, when the course is in their list.
    public var score: Double?
}

/// Learner profiles, segments and learning paths, read through the store and computed by the recommender module.
public struct LearningService {
    let db: Database

    public init(_ db: Database) {
        self.db = db
    }

    /// Default half-life of behaviour in interest profiles: what a learner did 90 days ago counts half.
    public static let defaultHalfLifeDays = 90.0

    public func profile(externalID: String, now: Int64 = currentUnixTime(),
                        halfLifeDays: Double? = LearningService.defaultHalfLifeDays) throws -> LearnerOverview {
        let learner = try LearnerRepository(db).resolve(externalID)
        let queries = LearningQueries(db)
        let courses = try queries.courses()
        let tags = try queries.courseTags()
        let events = try queries.events(ofUser: learner.id)
        let interests = try InterestProfile(
            events: events.map(Self.learnerEvent), courseDomains: courses.mapValues(\.domain), courseTags: tags,
            declaredInterests: learner.interests, now: now, halfLifeDays: halfLifeDays)
        var counts: [Interaction.Kind: Int] = [:]
        for event in events { counts[event.kind, default: 0] += 1 }
        let taken = Set(events.filter { $0.kind == .enroll || $0.kind == .purchase }.map(\.courseID))
        let completed = Set(events.filter { $0.kind == .complete }.map(\.courseID))
        return LearnerOverview(
            learner: learner, interests: interests, counts: counts,
            netSpend: try ActivityQueries(db).netSpend(userID: learner.id),
            completionRate: taken.isEmpty ? nil : Double(completed.intersection(taken).count) / Double(taken.count),
            coursesTaken: taken.count, coursesCompleted: completed.count, lastActive: events.map(\.time).max(),
            segment: try SegmentStore(db).segment(ofUser: learner.id))
    }

    /// Clusters learners with seeded k-means on their domain and tag affinities, names each cluster by
    /// its top domains, and stores segments and assignments (replacing the previous ones) atomically.
    /// Learners with neither activity nor declared interests are left unassigned.
    public func buildSegments(k: Int, seed: UInt64 = 42, now: Int64 = currentUnixTime(),
                              halfLifeDays: Double? = LearningService.defaultHalfLifeDays, tagDimensions: Int = 30) throws -> [SegmentSummary] {
        let queries = LearningQueries(db)
        let courses = try queries.courses()
        let tags = try queries.courseTags()
        let events = try queries.eventsByLearner()
        let interests = try queries.interestsByLearner()
        var learners: [Int64] = []
        var profiles: [InterestProfile] = []
        for id in try queries.learnerIDs() {
            let profile = try InterestProfile(
                events: (events[id] ?? []).map(Self.learnerEvent), courseDomains: courses.mapValues(\.domain), courseTags: tags,
                declaredInterests: interests[id] ?? [], now: now, halfLifeDays: halfLifeDays)
            guard !profile.domains.isEmpty || !profile.tags.isEmpty else { continue }
            learners.append(id)
            profiles.append(profile)
        }
        guard !learners.isEmpty else { throw StoreError(.invalidInput, "no learner has activity or interests to segment by") }
        guard (1...min(50, learners.count)).contains(k) else {
            throw StoreError(.invalidInput, "--k must be 1 to \(min(50, learners.count)) (\(learners.count) learners to segment), got \(k)")
        }
        let (domains, tagOrder) = InterestProfile.dimensions(of: profiles, tagLimit: tagDimensions)
        let rows = profiles.map { $0.affinityVector(domainOrder: domains, tagOrder: tagOrder) }
        let result = try KMeans(clusterCount: k, seed: seed).fit(rows)
        // Named by the top domains only (the first `domains.count` dimensions), as people think of them.
        let domainCentroids = result.centroids.map { Array($0.prefix(domains.count)) }
        let names = domains.isEmpty
            ? (0..<k).map { "segment \($0 + 1)" }
            : try KMeans.clusterNames(centroids: domainCentroids, labels: domains, labelCount: 2)
        let labels = domains.map { "domain:\($0)" } + tagOrder.map { "tag:\($0)" }
        var summaries: [SegmentSummary] = []
        for (index, centroid) in result.centroids.enumerated() {
            let weighted: [(String, Double)] = zip(labels, centroid).filter { $0.1 > 0 }
            let top = weighted.sorted { (a: (String, Double), b: (String, Double)) -> Bool in a.1 != b.1 ? a.1 > b.1 : a.0 < b.0 }
            summaries.append(SegmentSummary(name: names[index], learners: result.sizes[index], top: Array(top.prefix(5))))
        }
        // Empty clusters (fewer distinct learners than k) are not stored.
        let kept = summaries.indices.filter { summaries[$0].learners > 0 }
        let position = Dictionary(uniqueKeysWithValues: kept.enumerated().map { ($1, $0) })
        try SegmentStore(db).replace(
            segments: kept.map { index in
                let profile = "[" + summaries[index].top.map { "[\"\($0.0)\", \(String(format: "%.4f", $0.1))]" }.joined(separator: ", ") + "]"
                return (summaries[index].name, summaries[index].learners, profile)
            },
            assignments: zip(learners, result.assignments).map { ($0, position[$1]!) }, at: now)
        return kept.map { summaries[$0] }
    }

    /// The courses a learner still needs to take `goal`, prerequisites first (completed ones skipped,
    /// courses free at the same time ordered by the learner's recommendation scores).
    public func path(externalID: String, goal reference: String) throws -> [PathStep] {
        let learner = try LearnerRepository(db).resolve(externalID)
        let goal = try CourseRepository(db).resolve(reference)
        let context = try PathContext(db, learner: learner)
        guard goal.status == .published else {
            throw StoreError(.invalidInput, "course '\(goal.slug)' is \(goal.status.rawValue), not published: it cannot be a goal")
        }
        let slugs = try LearningPath.courses(toReach: goal.slug, prerequisites: context.prerequisitesBySlug,
                                             completed: context.completedSlugs, available: context.publishedSlugs,
                                             scores: context.scoresBySlug)
        return slugs.map { slug in
            let course = context.bySlug[slug]!
            return PathStep(course: course, stage: course.difficulty, requiredBy: slug == goal.slug ? nil : goal.slug,
                            score: context.scoresBySlug[slug])
        }
    }

    /// A beginner-to-advanced path in one domain: at each level the `perLevel` courses the learner's
    /// scores rank best, not yet completed, each after the prerequisites it still lacks.
    public func path(externalID: String, domain: String, perLevel: Int = 2) throws -> (steps: [PathStep], unreachable: [String]) {
        let learner = try LearnerRepository(db).resolve(externalID)
        let context = try PathContext(db, learner: learner)
        let inDomain = context.bySlug.values.filter { $0.domain == domain }
        guard !inDomain.isEmpty else { throw StoreError(.notFound, "no course in domain '\(domain)'") }
        // A course the learner dismissed is not suggested (it can still be a prerequisite of one that is).
        let levels = Dictionary(uniqueKeysWithValues: inDomain.filter { !context.dismissedSlugs.contains($0.slug) }
            .map { ($0.slug, CourseDifficulty(rawValue: $0.difficulty.rawValue)!) })
        let path = try LearningPath.domainPath(levels: levels, prerequisites: context.prerequisitesBySlug,
                                               completed: context.completedSlugs, available: context.publishedSlugs,
                                               scores: context.scoresBySlug, perLevel: perLevel)
        let steps = path.steps.map { step in
            PathStep(course: context.bySlug[step.course]!, stage: Course.Difficulty(rawValue: step.stage.rawValue)!,
                     requiredBy: step.requiredBy, score: context.scoresBySlug[step.course])
        }
        return (steps, path.unreachable)
    }

    static func learnerEvent(_ event: LearningQueries.Event) -> LearnerEvent {
        LearnerEvent(course: event.courseID, kind: EventKind(event.kind), time: event.time,
                     rating: event.kind == .rate ? event.value.map { Int8(clamping: $0) } : nil)
    }
}

/// Courses by slug, prerequisites, what the learner completed, and their recommendation scores.
struct PathContext {
    var bySlug: [String: LearningQueries.CourseFacts] = [:]
    var prerequisitesBySlug: [String: [String]] = [:]
    var completedSlugs: Set<String> = []
    /// Courses the learner dismissed and has not come back to.
    var dismissedSlugs: Set<String> = []
    var publishedSlugs: Set<String> = []
    var scoresBySlug: [String: Double] = [:]

    init(_ db: Database, learner: Learner) throws {
        let queries = LearningQueries(db)
        let courses = try queries.courses()
        for course in courses.values {
            bySlug[course.slug] = course
            if course.status == .published { publishedSlugs.insert(course.slug) }
        }
        for (course, requires) in try queries.prerequisites() {
            prerequisitesBySlug[courses[course]!.slug] = requires.compactMap { courses[$0]?.slug }
        }
        let events = try queries.events(ofUser: learner.id)
        completedSlugs = Set(events.filter { $0.kind == .complete }.compactMap { courses[$0.courseID]?.slug })
        if events.contains(where: { $0.kind == .dismiss }) {
            let ids = Array(Set(events.map(\.courseID)))
            let column = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, Int32($0)) })
            let rejections = Rejections(events: events.map { event in
                MatrixEvent(user: 0, item: column[event.courseID]!, kind: EventKind(event.kind),
                            rating: event.kind == .rate ? Int8(clamping: event.value ?? 3) : 0, time: event.time)
            }, users: 1)
            dismissedSlugs = Set(rejections.dismissed(user: 0).compactMap { courses[ids[Int($0)]]?.slug })
        }
        // The learner's hybrid list when a model is trained; without one, courses tie and go by slug.
        if let list = try? RecommendationService(db).recommend(userExternalID: learner.externalID, algorithm: .hybrid, limit: 1000) {
            for item in list.items { if let slug = courses[item.courseID]?.slug { scoresBySlug[slug] = item.score } }
        }
    }
}
