import LecternRecommender
import LecternStore

/// The catalog laid out as the models see it: course ids <-> matrix columns, with the facts the
/// ranking rules need and the names reasons are written with.
struct CatalogIndex {
    let courses: [TrainingSnapshot.CourseRow]
    let columnOf: [Int64: Int32]
    let domainNames: [String]
    let facts: CatalogFacts
    /// For each course (by column), the other runs of its family (empty for most).
    let otherRuns: [[Int32]]

    init(courses: [TrainingSnapshot.CourseRow]) {
        self.courses = courses
        var columnOf: [Int64: Int32] = [:]
        for (index, course) in courses.enumerated() { columnOf[course.id] = Int32(index) }
        var domainIndex: [String: Int32] = [:]
        var domainNames: [String] = []
        var creatorIndex: [Int64: Int32] = [:]
        var domains: [Int32] = [], creators: [Int32] = []
        for course in courses {
            if domainIndex[course.domain] == nil {
                domainIndex[course.domain] = Int32(domainNames.count)
                domainNames.append(course.domain)
            }
            domains.append(domainIndex[course.domain]!)
            if creatorIndex[course.creatorID] == nil { creatorIndex[course.creatorID] = Int32(creatorIndex.count) }
            creators.append(creatorIndex[course.creatorID]!)
        }
        self.columnOf = columnOf
        self.domainNames = domainNames
        var families: [String: [Int32]] = [:]
        for (index, course) in courses.enumerated() {
            if let family = course.family { families[family, default: []].append(Int32(index)) }
        }
        otherRuns = courses.enumerated().map { index, course in
            course.family.map { family in (families[family] ?? []).filter { $0 != Int32(index) } } ?? []
        }
        facts = CatalogFacts(creators: creators, domains: domains, available: courses.map { $0.status == .published },
                             prerequisites: courses.map { $0.prerequisites.compactMap { columnOf[$0] } })
    }

    var count: Int { courses.count }

    var contents: [CourseContent] {
        courses.map { CourseContent(title: $0.title, description: $0.description, tags: $0.tags, domain: $0.domain, format: $0.format) }
    }

    /// The sentence shown beside a recommendation.
    func describe(_ reason: Reason) -> String {
        let cached = cachedReason(reason)
        return cached.sentence(title: cached.courseID.flatMap { id in columnOf[id].map { courses[Int($0)].title } })
    }

    /// The reason as the cache stores it: a kind, the course it names, a term.
    /// The reason of a course in the cross-domain slot's place when no course from a domain the
    /// learner has not touched was left.
    static let noNewDomain = "in the place for a new domain: no course from a domain new to you was left"

    func cachedReason(_ reason: Reason) -> CachedReason {
        switch reason {
        case .bought(let item): CachedReason(.bought, courseID: courses[Int(item)].id)
        case .alsoTook(let item): CachedReason(.alsoTook, courseID: courses[Int(item)].id)
        case .lookedAt: CachedReason(.lookedAt)
        case .popularIn(let domain): CachedReason(.popularIn, term: domainNames[Int(domain)])
        case .interest(let term): CachedReason(.interest, term: term)
        case .crossDomain(let domain): CachedReason(.crossDomain, term: domainNames[Int(domain)])
        case .noNewDomain: CachedReason(text: Self.noNewDomain)
        case .factorMatch: CachedReason(.similarTastes)
        }
    }
}

extension EventKind {
    init(_ kind: Interaction.Kind) {
        switch kind {
        case .view: self = .view
        case .wishlist: self = .wishlist
        case .enroll: self = .enroll
        case .purchase: self = .purchase
        case .complete: self = .complete
        case .rate: self = .rate
        case .refund: self = .refund
        case .dismiss: self = .dismiss
        }
    }
}

extension MatrixEvent {
    init(_ event: TrainingSnapshot.EventRow, user: Int32, item: Int32) {
        self.init(user: user, item: item, kind: EventKind(event.kind),
                  rating: event.kind == .rate ? Int8(clamping: event.value ?? 3) : 0, time: event.occurredAt)
    }
}
