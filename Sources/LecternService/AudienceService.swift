import Foundation
import LecternCore
import LecternRecommender
import LecternStore

/// One learner of a course's audience, as `lectern audience` lists them.
public struct AudienceEntry: Sendable, Equatable {
    public var contact: AudienceContact
    public var score: Double
    /// Why: "took Python for Finance; 38% of those took this", or "interested in finance".
    public var reason: String
}

/// A course's audience: the learners most likely to take it who have not.
public struct AudienceResult: Sendable {
    public var course: Course
    public var method: AudienceMethod
    public var entries: [AudienceEntry]
    /// Learners who took the course (never returned it).
    public var takers: Int
}

/// Finds who to tell about a course: the reverse of a recommendation, from the active models.
///
/// - `itemknn`: the owners of the course's item-kNN neighbours (the active run's cached lists),
///   each neighbour weighted by its similarity. Reads the neighbours' takers only.
/// - `als`: the active ALS run's learner vectors against the course's: one pass over learners.
/// - `content`: for a course nobody has taken (it has no neighbours nor factors yet): the owners of
///   the courses most like it by text, and learners whose declared interests name its domain or a tag.
///
/// The default picks `itemknn` when the course has cached neighbours, else `content`. Learners who
/// took the course, returned it or still hold a dismissal of it are never in its audience.
public struct AudienceService {
    let db: Database
    /// Neighbours read per course: the audience's candidates are their takers.
    public var neighbors = 50

    public init(_ db: Database) {
        self.db = db
    }

    /// The `limit` learners most likely to take course `reference` (slug or id) who have not.
    /// - Parameter optedInOnly: leave out learners who did not agree to hear about courses (for a
    ///   list that will be sent to).
    public func audience(course reference: String, limit: Int, method: AudienceMethod? = nil,
                         optedInOnly: Bool = false) throws -> AudienceResult {
        guard limit >= 1 else { throw StoreError(.invalidInput, "--limit must be at least 1, got \(limit)") }
        let course = try CourseRepository(db).resolve(reference)
        let store = AudienceStore(db)
        let cache = RecommendationCache(db)
        let targetTakers = try store.takers(of: [course.id])[course.id] ?? []
        var excluded = try store.excluded(from: course.id)
        if optedInOnly { excluded.formUnion(try store.optedOut()) }
        let knn = try cache.neighbors(courseID: course.id, algorithm: .itemknn, limit: neighbors, includeUnavailable: true)
        let chosen = method ?? (knn.isEmpty ? .content : .itemknn)
        var scored: [(id: Int64, score: Double, because: Int64?, share: Double?, interest: String?)]
        var titles: [Int64: String] = [:]
        switch chosen {
        case .itemknn:
            guard !knn.isEmpty else {
                throw StoreError(.invalidInput, "course '\(course.slug)' has no item-kNN neighbours: run `lectern train`, or use --method content")
            }
            for n in knn { titles[n.courseID] = n.title }
            scored = try byNeighbors(knn.map { ($0.courseID, $0.score) }, targetTakers: targetTakers, excluded: excluded,
                                     interested: [:], limit: limit)
        case .als:
            scored = try byFactors(course, targetTakers: targetTakers, excluded: excluded, limit: limit, titles: &titles)
        case .content:
            scored = try byContent(course, targetTakers: targetTakers, excluded: excluded, limit: limit, titles: &titles)
        }
        let contacts = try store.contacts(scored.map(\.id))
        let entries = scored.compactMap { row -> AudienceEntry? in
            guard let contact = contacts[row.id] else { return nil }
            return AudienceEntry(contact: contact, score: row.score, reason: Self.reason(row, titles: titles, course: course))
        }
        return AudienceResult(course: course, method: chosen, entries: entries, takers: targetTakers.count)
    }

    static func reason(_ row: (id: Int64, score: Double, because: Int64?, share: Double?, interest: String?),
                       titles: [Int64: String], course: Course) -> String {
        if let because = row.because, let share = row.share, let title = titles[because] {
            let percent = Int((share * 100).rounded())
            return "took \(title); \(percent >= 1 ? "\(percent)%" : "under 1%") of those took this"
        }
        if let interest = row.interest { return "interested in \(interest)" }
        return "learners with a history like theirs take courses like this"
    }

    /// Item-kNN (or content) neighbours' owners; `because` from the same neighbours.
    private func byNeighbors(_ neighbors: [(id: Int64, score: Double)], targetTakers: [Int64], excluded: Set<Int64>,
                             interested: [Int64: String], interestWeight: Float = 0, limit: Int)
        throws -> [(id: Int64, score: Double, because: Int64?, share: Double?, interest: String?)] {
        let takers = try AudienceStore(db).owners(of: neighbors.map(\.id))
        var index = Indexer()
        let neighborList = neighbors.map { (item: index.of($0.id), score: Float($0.score)) }
        var takersByItem: [Int32: [Int32]] = [:]
        for (course, users) in takers { takersByItem[index.of(course)] = users.map { index.user($0) }.sorted() }
        let target = targetTakers.map { index.user($0) }
        let interestedUsers = Dictionary(uniqueKeysWithValues: interested.map { (index.user($0.key), $0.value) })
        // Only learners indexed so far can be scored, so only they need excluding.
        let excludedUsers = Set(excluded.compactMap { index.existingUser($0) })
        var members = Audience.byNeighbors(neighborList, takers: takersByItem, interested: interestedUsers,
                                           interestWeight: interestWeight, excluded: excludedUsers, count: limit)
        members = Audience.explain(members, candidates: neighborList.map(\.item), targetTakers: target, takers: takersByItem)
        return members.map { m in
            (index.userID(m.user), Double(m.score), m.because.map { index.courseID($0) }, m.share, m.interest)
        }
    }

    /// The active ALS run: every learner's vector against the course's.
    private func byFactors(_ course: Course, targetTakers: [Int64], excluded: Set<Int64>, limit: Int,
                           titles: inout [Int64: String])
        throws -> [(id: Int64, score: Double, because: Int64?, share: Double?, interest: String?)] {
        let cache = RecommendationCache(db)
        guard let run = try cache.activeRun(algorithm: .als) else {
            throw StoreError(.invalidInput, "no ALS model is trained: run `lectern train` (ALS is among its models), or use another --method")
        }
        guard let target = try cache.factors(runID: run.id, entity: "course")[course.id] else {
            throw StoreError(.invalidInput, "course '\(course.slug)' had no learners when ALS was trained: use --method content")
        }
        let users = try cache.factors(runID: run.id, entity: "user").filter { $0.value.count == target.count }
        let ids = users.keys.sorted()
        var flat = [Float]()
        flat.reserveCapacity(ids.count * target.count)
        for id in ids { flat.append(contentsOf: users[id]!) }
        let model = try FactorModel(factorCount: target.count, userFactors: flat, itemFactors: target)
        var position: [Int64: Int32] = [:]
        for (i, id) in ids.enumerated() { position[id] = Int32(i) }
        let members = Audience.byFactors(model, item: 0, excluded: Set(excluded.compactMap { position[$0] }), count: limit)
        // Explained by the course's item-kNN neighbours when a run has them.
        let knn = try cache.neighbors(courseID: course.id, algorithm: .itemknn, limit: neighbors, includeUnavailable: true)
        for n in knn { titles[n.courseID] = n.title }
        let explained = try explain(members.map { (ids[Int($0.user)], Double($0.score)) }, candidates: knn.map(\.courseID),
                                    targetTakers: targetTakers)
        return explained
    }

    /// A course nobody took yet: the owners of the courses most like it by text, and the learners
    /// whose declared interests name its domain or one of its tags.
    private func byContent(_ course: Course, targetTakers: [Int64], excluded: Set<Int64>, limit: Int,
                           titles: inout [Int64: String])
        throws -> [(id: Int64, score: Double, because: Int64?, share: Double?, interest: String?)] {
        let catalog = try TrainingSnapshot.loadCatalog(from: db)
        guard let column = catalog.firstIndex(where: { $0.id == course.id }) else { return [] }
        let contents = catalog.map { CourseContent(title: $0.title, description: $0.description, tags: $0.tags, domain: $0.domain,
                                                   format: $0.format) }
        let model = ContentModel(courses: contents)
        let similar = model.similarCourses(to: column, count: neighbors)
        for s in similar { titles[catalog[Int(s.item)].id] = catalog[Int(s.item)].title }
        let interested = try AudienceStore(db).interested(in: [course.domain] + catalog[column].tags)
        let weight = similar.first?.score ?? 1
        return try byNeighbors(similar.map { (catalog[Int($0.item)].id, Double($0.score)) }, targetTakers: targetTakers,
                               excluded: excluded, interested: interested, interestWeight: weight, limit: limit)
    }

    private func explain(_ members: [(id: Int64, score: Double)], candidates: [Int64], targetTakers: [Int64]) throws
        -> [(id: Int64, score: Double, because: Int64?, share: Double?, interest: String?)] {
        let takers = try AudienceStore(db).owners(of: candidates)
        var index = Indexer()
        var takersByItem: [Int32: [Int32]] = [:]
        for (course, users) in takers { takersByItem[index.of(course)] = users.map { index.user($0) }.sorted() }
        let list = members.map { AudienceMember(user: index.user($0.id), score: Float($0.score)) }
        let explained = Audience.explain(list, candidates: candidates.map { index.of($0) },
                                         targetTakers: targetTakers.map { index.user($0) }, takers: takersByItem)
        return zip(members, explained).map { ($0.id, $0.score, $1.because.map { index.courseID($0) }, $1.share, nil) }
    }
}

/// Dense indices for the learners and courses one audience touches.
private struct Indexer {
    private var users: [Int64: Int32] = [:]
    private var userIDs: [Int64] = []
    private var courses: [Int64: Int32] = [:]
    private var courseIDs: [Int64] = []

    mutating func user(_ id: Int64) -> Int32 {
        if let i = users[id] { return i }
        users[id] = Int32(userIDs.count)
        userIDs.append(id)
        return Int32(userIDs.count - 1)
    }

    func existingUser(_ id: Int64) -> Int32? { users[id] }

    mutating func of(_ id: Int64) -> Int32 {
        if let i = courses[id] { return i }
        courses[id] = Int32(courseIDs.count)
        courseIDs.append(id)
        return Int32(courseIDs.count - 1)
    }

    func userID(_ index: Int32) -> Int64 { userIDs[Int(index)] }
    func courseID(_ index: Int32) -> Int64 { courseIDs[Int(index)] }
}

/// A campaign about to be launched: its name, the share held out and the seed that draws them.
public struct CampaignPlan: Sendable {
    public var name: String
    /// 0 to 0.5.
    public var holdout: Double
    public var seed: UInt64
    public var now: Int64

    public init(name: String, holdout: Double, seed: UInt64 = 42, now: Int64 = currentUnixTime()) {
        self.name = name
        self.holdout = holdout
        self.seed = seed
        self.now = now
    }
}

extension AudienceService {
    /// Records a campaign for course `reference`: its audience of opted-in learners, a seeded random
    /// `plan.holdout` of whom are held out. `write` gets the targeted learners (to write the file
    /// that will be sent) and runs inside the transaction, so a file that cannot be written records
    /// no campaign.
    /// - Throws: `.invalidInput` for a holdout outside 0-50% or an empty name, `.conflict` for a name
    ///   used before, `.notFound` for an unknown course.
    public func launch(_ plan: CampaignPlan, course reference: String, limit: Int, method: AudienceMethod? = nil,
                       write: ([AudienceEntry]) throws -> Void) throws -> (campaign: Campaign, targeted: [AudienceEntry], heldOut: [AudienceEntry]) {
        guard plan.holdout.isFinite, plan.holdout >= 0, plan.holdout <= 0.5 else {
            throw StoreError(.invalidInput, "the holdout must be between 0% and 50%, got \(Self.percent(plan.holdout))")
        }
        let name = plan.name.trimmingCharacters(in: .whitespaces)
        guard (1...120).contains(name.count) else { throw StoreError(.invalidInput, "a campaign name has 1 to 120 characters") }
        let campaigns = CampaignStore(db)
        if try campaigns.find(name: name) != nil {
            throw StoreError(.conflict, "a campaign named '\(name)' already exists: choose another name")
        }
        let result = try audience(course: reference, limit: limit, method: method, optedInOnly: true)
        let held = Self.heldOut(result.entries.map(\.contact.id), fraction: plan.holdout, seed: plan.seed)
        let targeted = result.entries.filter { !held.contains($0.contact.id) }
        let heldOut = result.entries.filter { held.contains($0.contact.id) }
        let campaign = try campaigns.create(
            Campaign(name: name, courseID: result.course.id, method: result.method.rawValue, holdout: plan.holdout,
                     seed: plan.seed, createdAt: plan.now),
            members: result.entries.map { ($0.contact.id, held.contains($0.contact.id), $0.score) },
            beforeCommit: { try write(targeted) })
        return (campaign, targeted, heldOut)
    }

    /// The learners held out: the `round(fraction x count)` whose seeded hash is lowest, so the draw
    /// is random, repeatable with the seed, and independent of the order learners are listed in.
    public static func heldOut(_ ids: [Int64], fraction: Double, seed: UInt64) -> Set<Int64> {
        let count = Int((fraction * Double(ids.count)).rounded())
        func mix(_ id: Int64) -> UInt64 {
            var z = seed &+ UInt64(bitPattern: id) &* 0x9e37_79b9_7f4a_7c15
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        return Set(ids.sorted { (mix($0), $0) < (mix($1), $1) }.prefix(count))
    }

    public static func percent(_ share: Double) -> String {
        share.isFinite ? String(format: "%g%%", share * 100) : "\(share)"
    }
}
