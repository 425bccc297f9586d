/// A key a storefront or partner sends to `lectern serve`; only its token's hash is stored.
public struct APIKey: Sendable, Equatable {
    /// What a key may do: `read` reads the catalog and recommendations; `write` also records;
    /// `marketing` reads as `read` does, and also course audiences (who to tell about a course),
    /// which no other key may.
    public enum Scope: String, Sendable, CaseIterable {
        case read, write, marketing

        /// Whether a key of this scope may call an endpoint needing `required`.
        public func allows(_ required: Scope) -> Bool {
            self == required || required == .read
        }
    }

    public var id: Int64
    public var name: String
    public var scope: Scope
    /// Lowercase hex SHA-256 of the token.
    public var tokenHash: String
    /// The token's first characters, for telling keys apart.
    public var prefix: String
    public var createdAt: Int64
    public var revokedAt: Int64?
    /// The organisation the key is scoped to: it sees that organisation's members alone.
    public var orgID: Int64?

    public init(id: Int64 = 0, name: String, scope: Scope, tokenHash: String, prefix: String,
                createdAt: Int64 = 0, revokedAt: Int64? = nil, orgID: Int64? = nil) {
        self.id = id
        self.name = name
        self.scope = scope
        self.tokenHash = tokenHash
        self.prefix = prefix
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.orgID = orgID
    }

    public var isRevoked: Bool { revokedAt != nil }
}
