/// Exact money: prices and amounts are integers in the currency's minor unit (4990 is 49.90).
public enum Money {
    /// The largest price or amount Lectern stores: 10^12 minor units (ten billion in a currency of
    /// cents). Sums of them fit in 64 bits for nine million events; reports sum in SQL, which fails
    /// with an error rather than wrapping.
    public static let maxMinor: Int64 = 1_000_000_000_000
    /// The limit in words, for error messages.
    public static let maxDescription = "at most 10000000000.00 (10^12 minor units)"

    /// Parses `49`, `49.9` or `49.90` into minor units (4990), exactly; nil when the text is not a
    /// non-negative amount with at most two decimals, or is over `maxMinor`.
    public static func parse(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), !parts[0].isEmpty, parts[0].allSatisfy({ $0.isASCII && $0.isNumber }),
              let whole = Int64(parts[0]) else { return nil }
        var cents: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int64(fraction) else { return nil }
            cents = fraction.count == 1 ? value * 10 : value
        }
        let (product, overflow) = whole.multipliedReportingOverflow(by: 100)
        guard !overflow else { return nil }
        let (sum, overflowAgain) = product.addingReportingOverflow(cents)
        return overflowAgain || sum > maxMinor ? nil : sum
    }

    /// Formats minor units as `49.90` (and `-39.98` below zero); `grouped` puts thousands separators
    /// in the whole part, for people (`428,628.86`), never in JSON or CSV.
    public static func format(_ minor: Int64, grouped: Bool = false) -> String {
        let sign = minor < 0 ? "-" : ""
        let value = minor.magnitude
        let cents = value % 100
        var whole = String(value / 100)
        if grouped && whole.count > 3 {
            var out = ""
            for (index, digit) in whole.enumerated() {
                if index > 0 && (whole.count - index) % 3 == 0 { out.append(",") }
                out.append(digit)
            }
            whole = out
        }
        return "\(sign)\(whole).\(cents < 10 ? "0" : "")\(cents)"
    }
}
