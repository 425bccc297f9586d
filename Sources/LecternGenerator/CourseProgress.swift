/// Where one learner stands with one course during the simulation of that learner, in 17 bytes.
///
/// Times are window seconds of recorded interactions, `Int32.max` for never. They may lie after the session
/// being simulated (a completion is recorded with its purchase), so checks compare them with the current time.
struct CourseProgress {
    /// When the learner bought or enrolled in the course.
    var ownedAt: Int32 = .max
    /// When the learner completes the course.
    var completedAt: Int32 = .max
    /// When the learner gets a refund.
    var refundedAt: Int32 = .max
    /// How many times the learner looked at the course.
    var viewCount: UInt16 = 0
    /// Whether the course is on the learner's wishlist.
    var isWishlisted = false
    /// Whether the learner rated the course, or will.
    var isRated = false
    /// Whether the learner said the course is not for them.
    var isDismissed = false

    /// Whether the learner owns the course at window second `time`.
    @inline(__always)
    func isOwned(at time: Int64) -> Bool { Int64(ownedAt) <= time }

    /// Whether the learner ever owns the course.
    @inline(__always)
    var isOwnedEver: Bool { ownedAt != .max }
}
