/// A problem that stops a platform from being generated, with a message a person can read.
public struct GeneratorError: Error, CustomStringConvertible, Sendable {
    /// The message, one line, without a trailing period.
    public var description: String

    /// Creates an error with the given message.
    public init(_ description: String) {
        self.description = description
    }
}
