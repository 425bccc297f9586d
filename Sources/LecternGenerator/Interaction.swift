import LecternCore

/// One thing a learner did with a course, as the simulation records it before writing.
struct Interaction: Sendable {
    /// When it happened, in Unix seconds.
    let occurredAt: Int64
    /// The order the simulation recorded it in, which breaks ties between equal times.
    let sequence: Int32
    /// The index of the course in the catalog.
    let course: Int32
    /// The rating, or the amount paid or returned in minor units; 0 for kinds without a value.
    let value: Int32
    /// What the learner did.
    let kind: InteractionKind
    /// Where it happened.
    let channel: InteractionChannel
}
