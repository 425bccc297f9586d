import Crypto
import Foundation

/// Names learners in reports without naming the person: `L-` and the first 12 hex digits of
/// HMAC-SHA256(database key, "learner:" + id). The key is the database's own random secret, so a
/// pseudonym is stable across reports of one database, reveals nothing about the learner, and cannot be
/// computed by someone without the database.
public struct Pseudonyms: Sendable {
    private let key: [UInt8]

    /// `hexKey` is the database's `pseudonym_key` setting.
    public init(hexKey: String) {
        var bytes: [UInt8] = []
        var digits = hexKey.utf8.makeIterator()
        while let high = digits.next(), let low = digits.next() {
            guard let h = Self.nibble(high), let l = Self.nibble(low) else { break }
            bytes.append(h << 4 | l)
        }
        key = bytes
    }

    public func pseudonym(forLearner id: Int64) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("learner:\(id)".utf8), using: SymmetricKey(data: key))
        let hex = mac.prefix(6).map { String(format: "%02x", $0) }.joined()
        return "L-" + hex
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
