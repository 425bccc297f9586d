/// What the activity simulation needs to know about a course, packed into 32 bytes for speed.
///
/// Times are seconds since the start of the activity window, so they fit in 32 bits.
struct CourseTraits: Sendable {
    /// The first window second learners can see the course; `Int32.max` for drafts.
    let visibleFrom: Int32
    /// The first window second learners can no longer see the course: its archiving, or `Int32.max`.
    let visibleUntil: Int32
    /// The price in US cents.
    let priceMinor: Int32
    /// How good learners find the course, in 0...1; drives ratings and how readily learners buy.
    let quality: Float
    /// The length in tenths of an hour.
    let hoursTenths: UInt16
    /// The index of the course's domain in the catalog's domains.
    let domain: UInt8
    /// How much the course asks of a learner.
    let difficulty: Difficulty
    /// The language the course is taught in.
    let language: CourseLanguage
    /// Whether the course requires other courses.
    let hasPrerequisites: Bool

    /// How readily learners who look at the course buy it, around 1.
    @inline(__always)
    var appeal: Double { 0.6 + 0.8 * Double(quality) }

    /// Whether learners can see the course at window second `time`.
    @inline(__always)
    func isVisible(at time: Int64) -> Bool {
        time >= Int64(visibleFrom) && time < Int64(visibleUntil)
    }
}
