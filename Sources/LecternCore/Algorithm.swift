/// The algorithms a learner's list can come from.
///
/// The store keeps each by its raw value (`model_runs.algorithm` and the tables beside it), and
/// the cache tables' CHECKs name them: a new case needs a migration that widens those.
public enum Algorithm: String, Sendable, CaseIterable {
    case itemknn, als, popular, content, hybrid, ease, rp3beta, bpr

    /// The algorithms `train --algorithm all` and `evaluate` run unless told otherwise: the new
    /// ones cost more (EASE inverts a courses x courses matrix; BPR runs 100 epochs) and are asked for.
    public static let standard: [Algorithm] = [.itemknn, .als, .popular, .content, .hybrid]

    /// Whether the algorithm keeps course-to-course weights (cached as neighbours, explained as
    /// "learners who took X also took this").
    public var isItemToItem: Bool { self == .itemknn || self == .ease || self == .rp3beta }
}

extension Algorithm: CustomStringConvertible {
    /// The name, as commands take it and the store keeps it.
    public var description: String { rawValue }
}
