/// Where `JSONWriter` breaks lines inside an object or an array: what it writes after the opening
/// bracket, between members and before the closing bracket of a container that is not empty (an
/// empty one is always `{}` or `[]`), and between a key and its value.
///
/// A nested container is written as its own layout says, without indenting it further: a listing
/// (one row per line) inside an object keeps its rows at two spaces and its `]` at the margin.
public struct JSONLayout: Sendable, Equatable {
    /// After `{` or `[`.
    public var open: String
    /// Between two members.
    public var separator: String
    /// Before `}` or `]`.
    public var close: String
    /// Between a key and its value.
    public var keySeparator: String

    public init(open: String, separator: String, close: String, keySeparator: String = ": ") {
        self.open = open
        self.separator = separator
        self.close = close
        self.keySeparator = keySeparator
    }

    /// On one line, spaced: `{"a": 1, "b": 2}`. Containers are written so unless a value names a layout.
    public static let inline = JSONLayout(open: "", separator: ", ", close: "")

    /// On one line, no spaces: `["a","b"]`, `{"a":1}`.
    public static let compact = JSONLayout(open: "", separator: ",", close: "", keySeparator: ":")

    /// One member per line after `indent`, the brackets on lines of their own:
    /// `[\n  {"a": 1},\n  {"a": 2}\n]`.
    public static func lines(indent: String) -> JSONLayout {
        JSONLayout(open: "\n" + indent, separator: ",\n" + indent, close: "\n")
    }
}

/// A value that chooses how `JSONWriter` lays out the container it encodes itself as.
///
/// Other encoders ignore it. A value that does not conform is written `.inline`.
public protocol JSONLayoutProviding {
    var jsonLayout: JSONLayout { get }
}
