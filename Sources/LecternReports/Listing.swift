import Foundation
import LecternCore
import LecternStore

/// Rows to print as an aligned table, a JSON array of objects (see `Listing+JSON.swift`), or CSV.
public struct Listing: Sendable {
    public enum Cell: Sendable, Equatable {
        case text(String?)
        case int(Int64?)
        case number(Double?, decimals: Int)
        /// Minor units, printed as `49.90` (a number in JSON and CSV). The currency is in a cell of its own.
        case money(Int64?)
        /// Money in one or more currencies, never added: `49.90 USD, 120.00 CNY` (`0.00` when empty);
        /// in JSON an object from currency to amount, `{"CNY": 120.00, "USD": 49.90}`.
        case amounts([Money.Amount])
        case list([String])

        public var display: String {
            switch self {
            case .text(let text): text ?? ""
            case .int(let value): value.map(String.init) ?? ""
            // An undefined figure (no impressions yet, say: NaN) is blank, never "nan".
            case .number(let value, let decimals): value.flatMap { $0.isFinite ? String(format: "%.\(decimals)f", $0) : nil } ?? ""
            case .money(let value): value.map { formatMoney($0) } ?? ""
            case .amounts(let amounts): amounts.isEmpty ? formatMoney(0) : amounts.map { formatMoney($0.minor, $0.currency) }.joined(separator: ", ")
            case .list(let items): items.joined(separator: ", ")
            }
        }

        public var csv: String {
            switch self {
            case .list(let items): items.joined(separator: ";")
            case .amounts(let amounts) where !amounts.isEmpty: amounts.map { plainMoney($0.minor, $0.currency) }.joined(separator: ";")
            case .amounts: plainMoney(0)
            case .money(let value): value.map { plainMoney($0) } ?? ""
            default: display
            }
        }

        public var isNumeric: Bool {
            switch self {
            case .int, .number, .money: true
            default: false
            }
        }
    }

    public var columns: [String]
    public var rows: [[Cell]] = []

    public init(_ columns: [String]) {
        self.columns = columns
    }

    public mutating func append(_ row: [Cell]) {
        precondition(row.count == columns.count, "a row has \(row.count) cells for \(columns.count) columns")
        rows.append(row)
    }

    /// Appends the rows of one key whose money is in `money`'s currencies: one row per currency, with
    /// `shared` (figures that are not money) on the first row only and blank on the others, so every
    /// figure appears once and no row mixes currencies. A key without money gets one row with no
    /// currency and `zero` (a zero needs none). The columns are the key's, the shared ones, `currency`,
    /// then the money's.
    public mutating func append(_ key: [Cell], shared: [Cell], perCurrency money: [(currency: String, cells: [Cell])], zero: [Cell]) {
        guard !money.isEmpty else { return append(key + shared + [.text(nil)] + zero) }
        for (index, entry) in money.enumerated() {
            append(key + (index == 0 ? shared : shared.map { _ in .text(nil) }) + [.text(entry.currency)] + entry.cells)
        }
    }

    /// The listing in `format`, ending with a newline.
    public func rendered(_ format: OutputFormat, maxWidth: Int = 48) -> String {
        switch format {
        case .json:
            return Self.json(self)
        case .csv:
            var lines = [columns.map(csvQuote).joined(separator: ",")]
            for row in rows { lines.append(row.map { csvQuote($0.csv) }.joined(separator: ",")) }
            return lines.joined(separator: "\n") + "\n"
        case .table:
            if rows.isEmpty { return "(none)\n" }
            let cells = rows.map { $0.map { truncate($0.display, maxWidth) } }
            // Columns are measured in terminal cells: 机器学习实战 takes 12, not 6.
            var widths = columns.map(displayWidth)
            for row in cells {
                for (index, cell) in row.enumerated() { widths[index] = max(widths[index], displayWidth(cell)) }
            }
            let numeric = columns.indices.map { index in rows.allSatisfy { $0[index].isNumeric || $0[index].display.isEmpty } }
            func line(_ values: [String]) -> String {
                values.enumerated().map { index, value in
                    let padding = String(repeating: " ", count: widths[index] - displayWidth(value))
                    return numeric[index] ? padding + value : value + padding
                }.joined(separator: "  ").trimmingTrailingSpaces()
            }
            var out = [line(columns.map { $0.uppercased() }), widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ")]
            out += cells.map(line)
            return out.joined(separator: "\n") + "\n"
        }
    }

    /// A Markdown table (numbers right-aligned).
    public func markdown() -> String {
        func escape(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var lines = ["| " + columns.map(escape).joined(separator: " | ") + " |"]
        lines.append("|" + columns.indices.map { index in
            rows.allSatisfy { $0[index].isNumeric || $0[index].display.isEmpty } ? " ---: |" : " --- |"
        }.joined())
        for row in rows { lines.append("| " + row.map { escape($0.display) }.joined(separator: " | ") + " |") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One record as `key: value` lines (table), one JSON object, or a two-row CSV.
    public static func record(_ fields: [(String, Cell)], format: OutputFormat) -> String {
        switch format {
        case .table:
            let width = fields.map(\.0.count).max() ?? 0
            return fields.map { key, value in
                key + ":" + String(repeating: " ", count: width - key.count + 1) + value.display
            }.joined(separator: "\n") + "\n"
        case .json:
            return Self.json(JSONObject(fields, layout: recordLayout))
        case .csv:
            var listing = Listing(fields.map(\.0))
            listing.append(fields.map(\.1))
            return listing.rendered(.csv)
        }
    }
}

/// `text` on one line and at most `width` terminal cells, cut with "…".
public func truncate(_ text: String, _ width: Int) -> String {
    let single = text.replacingOccurrences(of: "\n", with: " ")
    guard displayWidth(single) > width else { return single }
    var out = "", used = 0
    for character in single {
        let cells = displayWidth(String(character))
        if used + cells > width - 1 { break }
        out.append(character)
        used += cells
    }
    return out + "…"
}

/// How many terminal cells `text` takes: East Asian wide and fullwidth characters (CJK ideographs,
/// kana, Hangul, fullwidth forms, most emoji) take two, combining marks none, the rest one
/// (Unicode's East Asian Width, the ranges a table of course titles meets).
public func displayWidth(_ text: String) -> Int {
    var width = 0
    for scalar in text.unicodeScalars {
        let v = scalar.value
        switch v {
        case 0x0300...0x036F, 0x200B...0x200F, 0xFE00...0xFE0F, 0x20D0...0x20FF: break
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            width += 2
        default:
            width += 1
        }
    }
    return width
}

public func csvQuote(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}

extension String {
    public func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}

/// How a listing is printed.
public enum OutputFormat: String, CaseIterable, Sendable {
    case table, json, csv
}

/// Formats minor units as `49.90`, or `49.90 USD` with a currency.
/// Money for people (tables, Markdown, HTML, messages): thousands separators and the currency code,
/// `428,628.86 USD`.
public func formatMoney(_ minor: Int64, _ currency: String = "") -> String {
    let amount = Money.format(minor, grouped: true)
    return currency.isEmpty ? amount : "\(amount) \(currency)"
}

/// Money for machines (JSON, CSV): the exact number, `428628.86`, and the code after a space if given.
public func plainMoney(_ minor: Int64, _ currency: String = "") -> String {
    currency.isEmpty ? Money.format(minor) : "\(Money.format(minor)) \(currency)"
}
