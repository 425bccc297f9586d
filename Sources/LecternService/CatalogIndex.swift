import LecternRecommender
import LecternStore

/// The catalog laid out as the models see it: course ids <-> matrix columns, with the facts the
/// ranking rules need and the names reasons are written with.
struct CatalogIndex {
    let courses: [TrainingSnapshot.CourseRow]
    let columnOf: [Int64: Int32]
    let domainNames: [String]
    let facts: CatalogFacts

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
        facts = CatalogFacts(creators: creators, domains: domains, available: courses.map { $0.status == .published },
                             prerequisites: courses.map { $0.prerequisites.compactMap { columnOf[$0] } })
    }

    var count: Int { courses.count }

    var contents: [CourseContent] {
        courses.map { CourseContent(title: $0.title, description: $0.description, tags: $0.tags, domain: $0.domain, format: $0.format) }
    }

    /// The sentence shown beside a recommendation.
    func describe(_ reason: Reason) -> String {
        switch reason {
        case .bought(let item): "because you bought \(courses[Int(item)].title)"
        case .alsoTook(let item): "learners who took \(courses[Int(item)].title) also took this"
        case .lookedAt: "you looked at this course before"
        case .popularIn(let domain): "popular in \(domainNames[Int(domain)])"
        case .interest(let term): "matches your interest in \(term)"
        case .crossDomain(let domain): "learners like you branched out into \(domainNames[Int(domain)])"
        case .factorMatch: "learners with tastes like yours took this"
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
        }
    }
}

extension MatrixEvent {
    init(_ event: TrainingSnapshot.EventRow, user: Int32, item: Int32) {
        self.init(user: user, item: item, kind: EventKind(event.kind),
                  rating: event.kind == .rate ? Int8(clamping: event.value ?? 3) : 0, time: event.occurredAt)
    }
}
