/// A JSON array of elements, each as it encodes itself, laid out as `layout` says: a list of names
/// written `["a","b"]`.
public struct JSONArray<Element: Encodable>: Encodable, JSONLayoutProviding {
    public var elements: [Element]
    public var jsonLayout: JSONLayout

    public init(_ elements: some Sequence<Element>, layout: JSONLayout = .inline) {
        self.elements = Array(elements)
        jsonLayout = layout
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.unkeyedContainer()
        for element in elements { try container.encode(element) }
    }
}

extension JSONArray: Sendable where Element: Sendable {}
