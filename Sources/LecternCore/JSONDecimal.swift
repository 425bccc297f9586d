/// A decimal number written exactly as given: money as `248.00`, a rate as `0.2830`.
///
/// `JSONWriter` writes the literal unquoted and untouched, so the digits a report formatted (two
/// after the point for money, a fixed count for a rate) reach the reader; a `Double` would lose
/// the trailing zeros and a `String` would be quoted. Other encoders get the nearest `Double`.
public struct JSONDecimal: Sendable, Hashable, Encodable, CustomStringConvertible {
    /// The number as JSON writes it: `-12.50`, `0`, `0.2830`.
    public let literal: String

    /// A decimal from its literal, which must be a JSON number (RFC 8259 section 6): an optional
    /// minus, digits without a leading zero, optionally a point and digits, optionally an exponent.
    ///
    /// - Complexity: O(*n*) in the length of the literal (it is checked).
    public init(_ literal: String) {
        precondition(Self.isNumber(literal), "'\(literal)' is not a JSON number")
        self.literal = literal
    }

    public var description: String { literal }

    public func encode(to encoder: any Encoder) throws {
        if let writer = encoder as? JSONNodeEncoder {
            writer.node.setLiteral(literal)
        } else {
            var container = encoder.singleValueContainer()
            try container.encode(Double(literal)!)
        }
    }

    /// Whether `text` is a number in JSON's grammar.
    static func isNumber(_ text: String) -> Bool {
        var bytes = text.utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        let leadingZero = bytes.first == UInt8(ascii: "0")
        let integer = digits()
        guard integer > 0, !(leadingZero && integer > 1) else { return false }
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            guard digits() > 0 else { return false }
        }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "+") || bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}
