/// An object's members, set in the order encoded.
struct JSONKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: JSONNode
    let codingPath: [any CodingKey]

    private func put(_ member: JSONNode.Member, _ key: Key) { node.set(member, forKey: key.stringValue) }
    private func put(_ literal: String, _ key: Key) { put(.literal(literal), key) }

    func encodeNil(forKey key: Key) { put("null", key) }
    func encode(_ value: Bool, forKey key: Key) { put(value ? "true" : "false", key) }
    func encode(_ value: String, forKey key: Key) { put(.string(value), key) }
    func encode(_ value: Double, forKey key: Key) { put(JSONNode.number(value), key) }
    func encode(_ value: Float, forKey key: Key) { put(JSONNode.number(value), key) }
    func encode(_ value: Int, forKey key: Key) { put(String(value), key) }
    func encode(_ value: Int8, forKey key: Key) { put(String(value), key) }
    func encode(_ value: Int16, forKey key: Key) { put(String(value), key) }
    func encode(_ value: Int32, forKey key: Key) { put(String(value), key) }
    func encode(_ value: Int64, forKey key: Key) { put(String(value), key) }
    func encode(_ value: Int128, forKey key: Key) { put(String(value), key) }
    func encode(_ value: UInt, forKey key: Key) { put(String(value), key) }
    func encode(_ value: UInt8, forKey key: Key) { put(String(value), key) }
    func encode(_ value: UInt16, forKey key: Key) { put(String(value), key) }
    func encode(_ value: UInt32, forKey key: Key) { put(String(value), key) }
    func encode(_ value: UInt64, forKey key: Key) { put(String(value), key) }
    func encode(_ value: UInt128, forKey key: Key) { put(String(value), key) }

    func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        put(try JSONNode.member(value, codingPath: codingPath + [key]), key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        superEncoder(forKey: key).container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        superEncoder(forKey: key).unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        let child = JSONNode()
        node.set(.node(child), forKey: "super")
        return JSONNodeEncoder(node: child, codingPath: codingPath + [JSONKey("super")])
    }

    func superEncoder(forKey key: Key) -> any Encoder {
        let child = JSONNode()
        put(.node(child), key)
        return JSONNodeEncoder(node: child, codingPath: codingPath + [key])
    }
}

/// An array's elements, appended in order.
struct JSONUnkeyedContainer: UnkeyedEncodingContainer {
    let node: JSONNode
    let codingPath: [any CodingKey]
    var count: Int { node.count }

    private func add(_ literal: String) { node.append(.literal(literal)) }

    func encodeNil() { add("null") }
    func encode(_ value: Bool) { add(value ? "true" : "false") }
    func encode(_ value: String) { node.append(.string(value)) }
    func encode(_ value: Double) { add(JSONNode.number(value)) }
    func encode(_ value: Float) { add(JSONNode.number(value)) }
    func encode(_ value: Int) { add(String(value)) }
    func encode(_ value: Int8) { add(String(value)) }
    func encode(_ value: Int16) { add(String(value)) }
    func encode(_ value: Int32) { add(String(value)) }
    func encode(_ value: Int64) { add(String(value)) }
    func encode(_ value: Int128) { add(String(value)) }
    func encode(_ value: UInt) { add(String(value)) }
    func encode(_ value: UInt8) { add(String(value)) }
    func encode(_ value: UInt16) { add(String(value)) }
    func encode(_ value: UInt32) { add(String(value)) }
    func encode(_ value: UInt64) { add(String(value)) }
    func encode(_ value: UInt128) { add(String(value)) }

    func encode<T: Encodable>(_ value: T) throws {
        node.append(try JSONNode.member(value, codingPath: codingPath + [JSONKey(index: count)]))
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        superEncoder().container(keyedBy: keyType)
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        superEncoder().unkeyedContainer()
    }

    func superEncoder() -> any Encoder {
        let child = JSONNode(), path = codingPath + [JSONKey(index: count)]
        node.append(.node(child))
        return JSONNodeEncoder(node: child, codingPath: path)
    }
}

/// One value: a literal, a string, or what a value encodes as (taking its layout if it names one).
struct JSONSingleValueContainer: SingleValueEncodingContainer {
    let node: JSONNode
    let codingPath: [any CodingKey]

    func encodeNil() { node.setLiteral("null") }
    func encode(_ value: Bool) { node.setLiteral(value ? "true" : "false") }
    func encode(_ value: String) { node.setString(value) }
    func encode(_ value: Double) { node.setLiteral(JSONNode.number(value)) }
    func encode(_ value: Float) { node.setLiteral(JSONNode.number(value)) }
    func encode(_ value: Int) { node.setLiteral(String(value)) }
    func encode(_ value: Int8) { node.setLiteral(String(value)) }
    func encode(_ value: Int16) { node.setLiteral(String(value)) }
    func encode(_ value: Int32) { node.setLiteral(String(value)) }
    func encode(_ value: Int64) { node.setLiteral(String(value)) }
    func encode(_ value: Int128) { node.setLiteral(String(value)) }
    func encode(_ value: UInt) { node.setLiteral(String(value)) }
    func encode(_ value: UInt8) { node.setLiteral(String(value)) }
    func encode(_ value: UInt16) { node.setLiteral(String(value)) }
    func encode(_ value: UInt32) { node.setLiteral(String(value)) }
    func encode(_ value: UInt64) { node.setLiteral(String(value)) }
    func encode(_ value: UInt128) { node.setLiteral(String(value)) }

    func encode<T: Encodable>(_ value: T) throws {
        if let layout = (value as? any JSONLayoutProviding)?.jsonLayout { node.layout = layout }
        try value.encode(to: JSONNodeEncoder(node: node, codingPath: codingPath))
    }
}
