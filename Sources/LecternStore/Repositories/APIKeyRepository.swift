internal import LecternSQLite

/// The keys `lectern serve` accepts (the `api_keys` table).
public struct APIKeyRepository {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let columns = "id, name, scope, token_hash, prefix, created_at, revoked_at, org_id"
    static let insert = "INSERT INTO api_keys (name, scope, token_hash, prefix, created_at, org_id) VALUES (?, ?, ?, ?, ?, ?)"
    static let byHash = "SELECT \(columns) FROM api_keys WHERE token_hash = ?"
    static let byName = "SELECT \(columns) FROM api_keys WHERE name = ?"
    static let byID = "SELECT \(columns) FROM api_keys WHERE id = ?"
    static let all = "SELECT \(columns) FROM api_keys ORDER BY id"
    static let revoke = "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"

    static func read(_ row: Row) throws -> APIKey {
        guard let scope = APIKey.Scope(rawValue: row.text(2)) else {
            throw StoreError.invalid("API key \(row.int64(0)) has a scope this lectern does not know")
        }
        return APIKey(id: row.int64(0), name: row.text(1), scope: scope, tokenHash: row.text(3), prefix: row.text(4),
                      createdAt: row.int64(5), revokedAt: row.optionalInt64(6), orgID: row.optionalInt64(7))
    }

    /// Stores a new key; the name must be new.
    /// - Throws: `StoreError` for an empty or taken name or a hash that is not 64 hex digits.
    @discardableResult
    public func create(_ key: APIKey) throws -> APIKey {
        var key = key
        key.name = key.name.trimmingCharacters(in: .whitespaces)
        guard (1...80).contains(key.name.count) else { throw StoreError.invalid("a key name needs 1 to 80 characters") }
        guard key.tokenHash.count == 64, key.tokenHash.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else {
            throw StoreError.invalid("a key's hash must be 64 lowercase hex digits")
        }
        if key.createdAt == 0 { key.createdAt = currentUnixTime() }
        if try find(name: key.name) != nil { throw StoreError.conflict("an API key named '\(key.name)' already exists") }
        try withStoreErrors {
            try db.transaction {
                key.id = try db.insert(Self.insert, [key.name, key.scope.rawValue, key.tokenHash, key.prefix, key.createdAt, key.orgID])
            }
        }
        return key
    }

    /// The key whose token hashes to `tokenHash`, revoked or not.
    public func find(tokenHash: String) throws -> APIKey? {
        try withStoreErrors { try db.first(Self.byHash, [tokenHash], row: Self.read) }
    }

    public func find(name: String) throws -> APIKey? {
        try withStoreErrors { try db.first(Self.byName, [name], row: Self.read) }
    }

    /// A key named by its id (digits) or its name.
    public func resolve(_ reference: String) throws -> APIKey {
        if let id = Int64(reference), let key = try withStoreErrors({ try db.first(Self.byID, [id], row: Self.read) }) {
            return key
        }
        if let key = try find(name: reference) { return key }
        throw StoreError.notFound("no API key '\(reference)'")
    }

    /// Every key, oldest first.
    public func list() throws -> [APIKey] {
        try withStoreErrors { try db.all(Self.all, row: Self.read) }
    }

    /// Revokes a key from now on; returns false when it was already revoked.
    @discardableResult
    public func revoke(id: Int64, at time: Int64 = currentUnixTime()) throws -> Bool {
        try withStoreErrors {
            try db.transaction {
                try db.run(Self.revoke, [time, id])
                return db.changes > 0
            }
        }
    }
}
