import Foundation
import LecternCore
import LecternStore

/// A listing in JSON, through Codable and `JSONWriter`: an array of its rows, one per line, each an
/// object keyed by column in column order:
///
/// ```
/// [
///   {"course": "swift-101", "currency": "USD", "net": 49.90, "share": 0.283, "tags": ["ios","swift"]},
///   {"course": "go-201", "currency": null, "net": 0.00, "share": null, "tags": []}
/// ]
/// ```
extension Listing: Encodable, JSONLayoutProviding {
    public var jsonLayout: JSONLayout { .lines(indent: "  ") }

    public func encode(to encoder: any Encoder) throws {
        let keys = columns.map(JSONKey.init)
        var container = encoder.unkeyedContainer()
        for cells in rows { try container.encode(Row(keys: keys, cells: cells)) }
    }

    /// A row as an object: each cell under its column's key, in column order.
    struct Row: Encodable {
        let keys: [JSONKey]
        let cells: [Cell]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: JSONKey.self)
            for (key, cell) in zip(keys, cells) { try container.encode(cell, forKey: key) }
        }
    }

    /// How `record(_:format:)` lays out its object: one field per line.
    static let recordLayout = JSONLayout.lines(indent: "  ")

    /// `value` as JSON, then a newline, for values whose encoding throws nothing (a listing, a
    /// record, their cells): `JSONWriter` throws only what a value's `encode(to:)` throws.
    static func json(_ value: some Encodable) -> String {
        do {
            return try JSONWriter.text(of: value) + "\n"
        } catch {
            preconditionFailure("a listing's JSON failed: \(error)")
        }
    }
}

/// A cell in JSON: text a string, counts integers, money and fixed-decimal figures numbers with
/// exactly their digits (`49.90`, `0.2830`, through `JSONDecimal`), money in several currencies an
/// object from currency to amount (`{"CNY": 120.00, "USD": 49.90}`), a list an array of strings
/// (`["a","b"]`). What is missing, or a figure that is not finite, is `null`.
extension Listing.Cell: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text?): try container.encode(text)
        case .int(let value?): try container.encode(value)
        case .text(nil), .int(nil): try container.encodeNil()
        case .number(let value, let decimals):
            try container.encode(value.flatMap { $0.isFinite ? JSONDecimal(String(format: "%.\(decimals)f", $0)) : nil })
        case .money(let value): try container.encode(value.map { JSONDecimal(plainMoney($0)) })
        case .amounts(let amounts):
            try container.encode(JSONObject(amounts.map { ($0.currency, JSONDecimal(plainMoney($0.minor))) }))
        case .list(let items): try container.encode(JSONArray(items, layout: .compact))
        }
    }
}
