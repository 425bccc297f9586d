/// A key given as text, for objects whose keys are data (column names, currencies).
public struct JSONKey: CodingKey, Sendable, Hashable {
    public let stringValue: String
    public let intValue: Int?

    public init(_ key: String) {
        stringValue = key
        intValue = nil
    }

    public init?(stringValue: String) { self.init(stringValue) }

    /// The key of an array's element at `index` (in coding paths).
    public init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }

    public init?(intValue: Int) { self.init(index: intValue) }
}
