/// Everything the platform offers: creators, courses, and the structures learners browse them by.
///
/// `courses` are in file order. The simulation numbers courses differently, most popular first, so the courses
/// learners meet most sit together in memory: `traits`, `slugBytes`, `dependents`, `prerequisites`,
/// `courseChoice` and `anchors` all use these simulation indices. Holds O(courses) memory; learners and
/// interactions are never kept here.
struct Catalog: Sendable {
    /// The start of the activity window, which the times in `traits` count from.
    let epoch: Int64
    /// The domains the catalog uses, a prefix of `CourseDomain.all`.
    let domains: [CourseDomain]
    /// Each domain's share of learners' interests, in `domains` order, summing to 1.
    let domainShares: [Double]
    /// For each domain, the indices of the domains its learners drift into.
    let relatedDomains: IndexLists
    /// The creators, in file order.
    let creators: [Creator]
    /// The courses, in file order: by creation time, so prerequisites come first.
    let courses: [Course]
    /// What the simulation needs of each course, by simulation index, with times relative to `epoch`.
    let traits: [CourseTraits]
    /// Each course's slug as bytes, by simulation index, for writing interactions.
    let slugBytes: ByteStrings
    /// For each course, the courses that require it and are not drafts: the next steps of a learning path.
    let dependents: IndexLists
    /// For each course, the indices of the courses it requires.
    let prerequisites: IndexLists
    /// Popularity-weighted lists of the visible courses: one per domain, then one of the whole catalog.
    let courseChoice: WeightedChoice
    /// The list of `courseChoice` that spans the whole catalog.
    var wholeCatalog: Int { domains.count }
    /// For each domain, a published beginner course created before the window, so a domain never runs dry.
    let anchors: [Int32]
}
