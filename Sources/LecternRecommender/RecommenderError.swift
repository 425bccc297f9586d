/// A parameter or input the recommender cannot work with, said in a sentence.
public struct RecommenderError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
