/// How far a generation run has come in one of its phases.
public struct GenerationProgress: Sendable {
    /// The phase: `creators`, `courses`, `users` or `interactions`.
    public var phase: String
    /// The number of records of the phase written so far.
    public var done: Int
    /// The number of records the phase will write (for interactions, the target).
    public var total: Int

    /// Creates a progress report.
    public init(phase: String, done: Int, total: Int) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}
