/// Someone who makes and sells courses, and takes a share of what they earn.
public struct Creator: Sendable, Equatable, Codable {
    public var id: Int64
    public var name: String
    /// The creator's part of each sale's net revenue, 0 to 1; the platform keeps the rest.
    public var revenueShare: Double
    public var contact: String?
    public var createdAt: Int64

    public init(id: Int64 = 0, name: String, revenueShare: Double, contact: String? = nil, createdAt: Int64 = 0) {
        self.id = id
        self.name = name
        self.revenueShare = revenueShare
        self.contact = contact
        self.createdAt = createdAt
    }
}
