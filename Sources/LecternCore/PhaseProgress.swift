/// How far a long job (generating a platform, training models) has come in one of its phases, for
/// a progress line.
public struct PhaseProgress: Sendable, Equatable {
    /// The phase: `users`, `interactions`, `item-kNN`, `writing als model`...
    public var phase: String
    /// The units of the phase done so far.
    public var done: Int
    /// The units the phase will do (for generated interactions, the target).
    public var total: Int

    public init(phase: String, done: Int, total: Int) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}
