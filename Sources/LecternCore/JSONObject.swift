/// A JSON object whose keys are written in the order given, each value as it encodes itself, the
/// whole laid out as `layout` says: the rows of a listing, a report's listings by name.
public struct JSONObject<Value: Encodable>: Encodable, JSONLayoutProviding {
    public var members: [(key: String, value: Value)]
    public var jsonLayout: JSONLayout

    public init(_ members: some Sequence<(String, Value)>, layout: JSONLayout = .inline) {
        self.members = members.map { (key: $0.0, value: $0.1) }
        jsonLayout = layout
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: JSONKey.self)
        for (key, value) in members { try container.encode(value, forKey: JSONKey(key)) }
    }
}

extension JSONObject: Sendable where Value: Sendable {}
