/// A value `JSONWriter` has encoded and not yet written: a literal (already JSON text), a string
/// (escaped when written), or an object or an array whose members fill it while its value encodes.
final class JSONNode {
    enum Kind { case unset, literal, string, object, array }

    /// A member of an object or an array: a literal or a string held in place, a container as its node.
    enum Member {
        case literal(String)
        case string(String)
        case node(JSONNode)
    }

    private(set) var kind = Kind.unset
    /// How the node is laid out if it is a container: as its value, or the value it encodes as, chose.
    var layout: JSONLayout
    /// A literal's JSON text, or a string's text before escaping.
    private var text = ""
    /// An object's keys, in the order first encoded.
    private var keys: [String] = []
    private var members: [Member] = []
    /// Each key's place in `keys` once an object has `indexedFrom` keys (below, a scan finds them), so
    /// a key encoded again replaces its value in place.
    private var positions: [String: Int] = [:]
    private static let indexedFrom = 16

    init(layout: JSONLayout = .inline) {
        self.layout = layout
    }

    /// `value` encoded, laid out as it chooses (`.inline` if it does not).
    static func encoding(_ value: some Encodable, codingPath: [any CodingKey]) throws -> JSONNode {
        let node = JSONNode(layout: (value as? any JSONLayoutProviding)?.jsonLayout ?? .inline)
        try value.encode(to: JSONNodeEncoder(node: node, codingPath: codingPath))
        return node
    }

    /// `value` encoded as a member of a container: in place if it is a literal or a string.
    static func member(_ value: some Encodable, codingPath: [any CodingKey]) throws -> Member {
        let node = try encoding(value, codingPath: codingPath)
        switch node.kind {
        case .literal: return .literal(node.text)
        case .string: return .string(node.text)
        case .unset, .object, .array: return .node(node)
        }
    }

    /// How many members a container has.
    var count: Int { members.count }

    /// Makes the node `text`, written as it is: a number, `true`, `null`.
    func setLiteral(_ text: String) {
        precondition(kind == .unset || kind == .literal || kind == .string, "a single value encoded into a container")
        kind = .literal
        self.text = text
    }

    /// Makes the node the string `text`.
    func setString(_ text: String) {
        setLiteral(text)
        kind = .string
    }

    func becomeObject() {
        precondition(kind == .unset || kind == .object, "a keyed container asked of a value already encoded otherwise")
        kind = .object
    }

    func becomeArray() {
        precondition(kind == .unset || kind == .array, "an unkeyed container asked of a value already encoded otherwise")
        kind = .array
    }

    /// Sets an object's member; a key already set keeps its place and takes the new value.
    ///
    /// - Complexity: O(1) on average; O(*n*) in the object's keys while it has fewer than 16.
    func set(_ member: Member, forKey key: String) {
        let known = keys.count < Self.indexedFrom ? keys.firstIndex(of: key) : positions[key]
        if let known {
            members[known] = member
            return
        }
        keys.append(key)
        members.append(member)
        if keys.count == Self.indexedFrom {
            positions = Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
        } else if keys.count > Self.indexedFrom {
            positions[key] = keys.count - 1
        }
    }

    /// Appends an array's element.
    func append(_ member: Member) {
        members.append(member)
    }

    /// Writes the node and its members.
    ///
    /// - Complexity: O(*n*) in the size of the text.
    func write(to sink: BytesSink) {
        switch kind {
        case .unset: sink.append("{}")
        case .literal: sink.append(text)
        case .string: Self.appendString(text, to: sink)
        case .object: writeMembers(open: "{", close: "}", keyed: true, to: sink)
        case .array: writeMembers(open: "[", close: "]", keyed: false, to: sink)
        }
    }

    private func writeMembers(open: String, close: String, keyed: Bool, to sink: BytesSink) {
        sink.append(open)
        if !members.isEmpty {
            sink.append(layout.open)
            for (index, member) in members.enumerated() {
                if index > 0 { sink.append(layout.separator) }
                if keyed {
                    Self.appendString(keys[index], to: sink)
                    sink.append(layout.keySeparator)
                }
                switch member {
                case .literal(let text): sink.append(text)
                case .string(let text): Self.appendString(text, to: sink)
                case .node(let node): node.write(to: sink)
                }
            }
            sink.append(layout.close)
        }
        sink.append(close)
    }

    /// Appends `text` as a JSON string, escaped as JSON Lines fields are.
    static func appendString(_ text: String, to sink: BytesSink) {
        var text = text
        text.withUTF8 { RecordSyntax.appendJSONString($0, to: sink) }
    }

    /// A finite number as Swift prints it (`0.1`, `1e-05`: both JSON), anything else `null`.
    static func number<Number: BinaryFloatingPoint & LosslessStringConvertible>(_ value: Number) -> String {
        value.isFinite ? value.description : "null"
    }
}
