import LecternCore
import Testing

/// Collects what a `RecordSyntax` writes.
final class Bytes: ByteSink {
    var bytes: [UInt8] = []
    var text: String { String(decoding: bytes, as: UTF8.self) }

    func append(_ byte: UInt8) { bytes.append(byte) }
    func append(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes.append(contentsOf: bytes) }
}

/// Expected texts are RFC 4180 and the JSON grammar (RFC 8259) applied by hand.
@Suite("Record syntax")
struct RecordSyntaxTests {
    /// One record of a text, an absent value, a token and a list, as `syntax` writes it with its header.
    static func record(_ syntax: RecordSyntax, text: String) -> String {
        let out = Bytes()
        syntax.header(to: out)
        syntax.beginField(0, to: out)
        syntax.text(text, to: out)
        syntax.beginField(1, to: out)
        syntax.null(to: out)
        syntax.beginField(2, to: out)
        syntax.tokenQuote(to: out)
        out.append("u001")
        syntax.tokenQuote(to: out)
        syntax.beginField(3, to: out)
        syntax.list(["a", "b"], to: out)
        syntax.endRecord(to: out)
        return out.text
    }

    static let columns = ["title", "contact", "user", "tags"]

    @Test("CSV quotes a field that holds a comma, a quote, CR or LF, doubling its quotes")
    func csv() {
        let syntax = RecordSyntax(.csv, columns: Self.columns)
        #expect(Self.record(syntax, text: "plain") == "title,contact,user,tags\nplain,,u001,a;b\n")
        #expect(Self.record(syntax, text: "a, \"b\"") == "title,contact,user,tags\n\"a, \"\"b\"\"\",,u001,a;b\n")
        #expect(Self.record(syntax, text: "two\nlines").hasSuffix("\n\"two\nlines\",,u001,a;b\n"))
        #expect(Self.record(syntax, text: "cr\r").contains("\"cr\r\""))
        #expect(Self.record(syntax, text: "tab\there").contains("\ntab\there,"))
    }

    @Test("TSV quotes on a tab instead of a comma")
    func tsv() {
        let syntax = RecordSyntax(.tsv, columns: Self.columns)
        #expect(Self.record(syntax, text: "a, b") == "title\tcontact\tuser\ttags\na, b\t\tu001\ta;b\n")
        #expect(Self.record(syntax, text: "a\tb").hasSuffix("\n\"a\tb\"\t\tu001\ta;b\n"))
    }

    @Test("JSON Lines keys every value, escapes strings and writes an absent value as null")
    func jsonLines() {
        let syntax = RecordSyntax(.jsonLines, columns: Self.columns)
        #expect(Self.record(syntax, text: "plain") == #"{"title":"plain","contact":null,"user":"u001","tags":["a","b"]}"# + "\n")
        let escaped = Self.record(syntax, text: "q\"b\\n\nr\rt\tc\u{01}é")
        #expect(escaped.hasPrefix(#"{"title":"q\"b\\n\nr\rt\tc\u0001é","#))
    }

    @Test("a column name is escaped in a JSON key and quoted in a CSV header")
    func oddColumnNames() {
        #expect(RecordSyntax(.jsonLines, columns: ["a\"b", "c"]).keyPrefixes.map { String(decoding: $0, as: UTF8.self) }
            == [#"{"a\"b":"#, #","c":"#])
        let out = Bytes()
        RecordSyntax(.csv, columns: ["a,b", "c"]).header(to: out)
        #expect(out.text == "\"a,b\",c\n")
    }
}
