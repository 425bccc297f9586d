import Crypto
import Foundation
import LecternStore

/// Makes and hashes the bearer tokens of API keys.
///
/// A token is `lk_` and 48 hex digits (24 bytes from the system's secure generator); the database
/// keeps only its SHA-256, so a copied database file gives no working key.
public enum APIToken {
    /// A new random token.
    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "lk_" + hex(bytes)
    }

    /// The lowercase hex SHA-256 of `token`, as stored in `api_keys.token_hash`.
    public static func hash(_ token: String) -> String {
        hex(Array(SHA256.hash(data: Data(token.utf8))))
    }

    /// What `lectern apikey list` shows of a token: enough to tell keys apart.
    public static func prefix(of token: String) -> String {
        String(token.prefix(9))
    }

    /// Creates a key and returns it with its plain token, which is never stored.
    /// - Parameter orgID: the organisation the key is scoped to, if any.
    public static func createKey(name: String, scope: APIKey.Scope, orgID: Int64? = nil, in repository: APIKeyRepository) throws
        -> (key: APIKey, token: String) {
        let token = make()
        let key = try repository.create(APIKey(name: name, scope: scope, tokenHash: hash(token), prefix: prefix(of: token), orgID: orgID))
        return (key, token)
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
