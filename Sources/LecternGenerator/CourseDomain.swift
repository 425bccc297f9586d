/// A field of study, with the words the generator needs to write believable courses in it.
struct CourseDomain: Sendable {
    /// The name written to the files; only `[a-z0-9-]`.
    let name: String
    /// The name in a sentence, such as "software engineering".
    let label: String
    /// Who the domain's courses are for, in a sentence, such as "developers".
    let audience: String
    /// A short word for campaign names, such as `coding`.
    let campaignKey: String
    /// The domain's relative share of the catalog and of learners' interests.
    let share: Double
    /// What the domain's courses teach.
    let subjects: [CourseSubject]
    /// Title templates for each difficulty, in `Difficulty` order; `{s}` stands for the subject.
    let titles: [[String]]
    /// Tags that any of the domain's courses may carry besides its subject's.
    let tags: [String]
    /// What a learner will be able to do, completing "you will ...".
    let outcomes: [String]
    /// Whether a course may require a course on another subject of the domain (Python before Kubernetes), which
    /// makes no sense where subjects stand alone (Spanish before German).
    let hasCrossSubjectPaths: Bool
    /// Domains a learner of this one drifts into, by name.
    let related: [String]
    /// The range of price steps: a price is `step * 500 - 100` minor units.
    let priceSteps: ClosedRange<Int>
    /// The relative weights of each course format, in `CourseFormat.allCases` order.
    let formatWeights: [Double]
}
