/// What a generation run wrote.
public struct GenerationSummary: Sendable, Equatable {
    /// The number of creators written.
    public var creators: Int
    /// The number of courses written.
    public var courses: Int
    /// The number of learners written.
    public var users: Int
    /// The number of interactions written, which may differ a little from the shape's target.
    public var interactions: Int
    /// The names of the files written, relative to the output directory, in the order they were written.
    public var files: [String]

    /// Creates a summary.
    public init(creators: Int, courses: Int, users: Int, interactions: Int, files: [String]) {
        self.creators = creators
        self.courses = courses
        self.users = users
        self.interactions = interactions
        self.files = files
    }
}
