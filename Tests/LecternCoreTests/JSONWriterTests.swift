import Foundation
@testable import LecternCore
import Testing

/// Expected texts are the JSON grammar (RFC 8259) and `JSONWriter`'s layouts applied by hand.
@Suite("JSON writer")
struct JSONWriterTests {
    /// Keys declared out of alphabetical order, a nested value and optionals.
    struct Course: Encodable {
        var slug: String
        var price: JSONDecimal
        var tags: [String]
        var rating: Double?
        var family: String?

        enum CodingKeys: String, CodingKey { case slug, price, tags, rating, family }
    }

    /// Encodes through nested keyed and unkeyed containers and a super encoder.
    struct Nested: Encodable {
        enum Keys: String, CodingKey { case outer, list, base }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            var outer = container.nestedContainer(keyedBy: Keys.self, forKey: .outer)
            try outer.encode(1, forKey: .list)
            var list = container.nestedUnkeyedContainer(forKey: .list)
            try list.encode(true)
            try list.encodeNil()
            var inner = list.nestedUnkeyedContainer()
            try inner.encode("x")
            var base = container.superEncoder(forKey: .base).singleValueContainer()
            try base.encode(UInt64.max)
        }
    }

    /// A value that encodes nothing.
    struct Silent: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    @Test func keysKeepTheOrderTheyWereEncodedIn() throws {
        let course = Course(slug: "swift-101", price: JSONDecimal("49.90"), tags: ["ios", "swift"], rating: 4.5, family: nil)
        #expect(try JSONWriter.text(of: course) == #"{"slug": "swift-101", "price": 49.90, "tags": ["ios", "swift"], "rating": 4.5}"#)
        let zyx = JSONObject([("z", 1), ("y", 2), ("x", 3), ("a", 4)])
        #expect(try JSONWriter.text(of: zyx) == #"{"z": 1, "y": 2, "x": 3, "a": 4}"#)
    }

    @Test func aKeyEncodedTwiceKeepsItsFirstPlaceAndItsLastValue() throws {
        #expect(try JSONWriter.text(of: JSONObject([("a", 1), ("b", 2), ("a", 3)])) == #"{"a": 3, "b": 2}"#)
    }

    @Test func nestedContainersAndSuperEncodersWriteInPlace() throws {
        #expect(try JSONWriter.text(of: Nested()) == #"{"outer": {"list": 1}, "list": [true, null, ["x"]], "base": 18446744073709551615}"#)
    }

    @Test func eachContainerIsLaidOutAsItsValueSaysWithoutFurtherIndent() throws {
        let rows = JSONArray([JSONObject([("a", 1), ("b", 2)]), JSONObject([("a", 3), ("b", 4)])], layout: .lines(indent: "  "))
        #expect(try JSONWriter.text(of: rows) == "[\n  {\"a\": 1, \"b\": 2},\n  {\"a\": 3, \"b\": 4}\n]")
        let report = JSONObject([("rows", rows), ("none", JSONArray([], layout: .lines(indent: "  ")))], layout: .lines(indent: ""))
        #expect(try JSONWriter.text(of: report) == "{\n\"rows\": [\n  {\"a\": 1, \"b\": 2},\n  {\"a\": 3, \"b\": 4}\n],\n\"none\": []\n}")
        let compact = JSONObject([("list", JSONArray(["a", "b"], layout: .compact))], layout: .compact)
        #expect(try JSONWriter.text(of: compact) == #"{"list":["a","b"]}"#)
    }

    @Test func stringsAreEscapedAsJSONLinesFieldsAre() throws {
        let text = "say \"hi\" \\ a/b\n\r\t\u{01}\u{1F}\u{7F} 机器学习 🚀 👩‍👩‍👧 é"
        let expected = #""say \"hi\" \\ a/b\n\r\t\u0001\u001f"# + "\u{7F} 机器学习 🚀 👩‍👩‍👧 é\""
        #expect(try JSONWriter.text(of: text) == expected)
        #expect(try JSONWriter.text(of: JSONObject([("键 \"k\"", "值")])) == #"{"键 \"k\"": "值"}"#)
        // What any JSON parser reads back is the text given.
        let parsed = try JSONSerialization.jsonObject(with: Data(try JSONWriter.text(of: [text]).utf8)) as? [String]
        #expect(parsed == [text])
    }

    @Test func decimalsAreWrittenExactlyAsGiven() throws {
        let amounts = JSONObject([("CNY", JSONDecimal("120.00")), ("USD", JSONDecimal("49.90")), ("EUR", JSONDecimal("-0.50"))])
        #expect(try JSONWriter.text(of: amounts) == #"{"CNY": 120.00, "USD": 49.90, "EUR": -0.50}"#)
        #expect(try JSONWriter.text(of: [JSONDecimal("248.00"), JSONDecimal("0.2830"), JSONDecimal("1e-5"), JSONDecimal("0")])
                == "[248.00, 0.2830, 1e-5, 0]")
        #expect(try JSONWriter.text(of: Optional(JSONDecimal("7.10"))) == "7.10")
    }

    @Test func onlyJSONNumbersAreDecimals() {
        for literal in ["0", "-0", "12", "0.5", "-12.50", "1e5", "1E+05", "2.5e-3"] { #expect(JSONDecimal.isNumber(literal), "\(literal)") }
        for literal in ["", "-", "01", "1.", ".5", "+1", "1e", "1.5.2", "NaN", "inf", "1 ", "0x10", "١"] {
            #expect(!JSONDecimal.isNumber(literal), "\(literal)")
        }
    }

    @Test func otherEncodersReadADecimalAsTheNearestDouble() throws {
        let data = try JSONEncoder().encode([JSONDecimal("49.90")])
        #expect(try JSONSerialization.jsonObject(with: data) as? [Double] == [49.9])
    }

    @Test func nilAndFiguresThatAreNotFiniteAreNull() throws {
        let figures: [Double?] = [nil, .nan, .infinity, -.infinity, 0.1, 1.0, 1e-5]
        #expect(try JSONWriter.text(of: figures) == "[null, null, null, null, 0.1, 1.0, 1e-05]")
        #expect(try JSONWriter.text(of: [Float.nan, 0.25]) == "[null, 0.25]")
        #expect(try JSONWriter.text(of: Course(slug: "x", price: JSONDecimal("0.00"), tags: [], rating: .nan, family: nil))
                == #"{"slug": "x", "price": 0.00, "tags": [], "rating": null}"#)
    }

    @Test func integersAndBooleansAreBare() throws {
        #expect(try JSONWriter.text(of: [Int64.min, 0, Int64.max]) == "[-9223372036854775808, 0, 9223372036854775807]")
        #expect(try JSONWriter.text(of: JSONObject([("yes", true), ("no", false)])) == #"{"yes": true, "no": false}"#)
    }

    @Test func emptyContainersAreBracketsWhateverTheLayout() throws {
        #expect(try JSONWriter.text(of: JSONArray([Int](), layout: .lines(indent: "  "))) == "[]")
        #expect(try JSONWriter.text(of: JSONObject([(String, Int)](), layout: .lines(indent: "  "))) == "{}")
        #expect(try JSONWriter.text(of: [String: Int]()) == "{}")
        #expect(try JSONWriter.text(of: Silent()) == "{}")
        #expect(try JSONWriter.text(of: JSONObject([("silent", Silent())])) == #"{"silent": {}}"#)
    }

    @Test func whatAValueThrowsReachesTheCaller() {
        struct Refusing: Encodable, Error {
            func encode(to encoder: any Encoder) throws { throw self }
        }
        #expect(throws: Refusing.self) { try JSONWriter.text(of: JSONObject([("a", Refusing())])) }
    }

    @Test func whatTheWriterWritesParsesBack() throws {
        let value = JSONObject([("rows", JSONArray([Course(slug: "a\"b", price: JSONDecimal("1.50"), tags: ["中文"], rating: nil, family: "f")],
                                                   layout: .lines(indent: "  ")))], layout: .lines(indent: ""))
        let parsed = try JSONSerialization.jsonObject(with: Data(try JSONWriter.text(of: value).utf8)) as? [String: [[String: Any]]]
        let row = try #require(parsed?["rows"]?.first)
        #expect(row["slug"] as? String == "a\"b")
        #expect(row["price"] as? Double == 1.5)
        #expect(row["tags"] as? [String] == ["中文"])
        #expect(row["rating"] == nil)
        #expect(row["family"] as? String == "f")
    }
}
