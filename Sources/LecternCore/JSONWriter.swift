/// Writes an `Encodable` value as JSON text, in pure Swift, with what Lectern's reports need that
/// Foundation's `JSONEncoder` does not give on Linux:
///
/// - keys in the order they were encoded (a listing's columns), not hashed nor sorted;
/// - exact decimals: a `JSONDecimal` (money as `248.00`) is written as given, unquoted;
/// - a layout per container (`JSONLayoutProviding`): one row per line, or on one line;
/// - strings escaped as `RecordSyntax` escapes JSON Lines: quotes, backslashes and control
///   characters (`\n`, `\r`, `\t`, others as `\u00XX`); `/` and non-ASCII text as they are.
///
/// A nil is `null`, and so is a `Double` or `Float` that is not finite (JSONEncoder throws on
/// those): a figure that is undefined, such as a rate without impressions, is absent, not an error.
/// A key encoded twice in one object keeps its first place and its last value. A value that
/// encodes nothing is `{}`. The writer throws only what the values' `encode(to:)` throw.
public enum JSONWriter {
    /// `value` as JSON text, without a final newline.
    ///
    /// - Complexity: O(*n*) in the size of the text.
    public static func text(of value: some Encodable) throws -> String {
        let node = try JSONNode.encoding(value, codingPath: [])
        let sink = BytesSink()
        node.write(to: sink)
        return String(decoding: sink.bytes, as: UTF8.self)
    }
}
