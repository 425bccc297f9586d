/// A learner: someone who browses and buys on the platform (a row of `users`).
public struct Learner: Sendable, Equatable, Codable {
    public var id: Int64
    /// The storefront's own id for this learner; unique.
    public var externalID: String
    public var displayName: String
    public var email: String?
    /// ISO 3166 alpha-2, uppercase.
    public var country: String?
    /// Declared interests: domains or tag names, in the learner's order.
    public var interests: [String]
    /// The acquisition channel: `search`, `social_video`, `messaging`, `partner`, `referral`, ...
    public var channel: String
    public var campaign: String?
    public var createdAt: Int64
    /// Whether the learner agreed to hear about courses (marketing consent). False unless given:
    /// `audience --export` and the HTTP audience write only learners who opted in.
    public var marketingOptIn: Bool

    public init(id: Int64 = 0, externalID: String, displayName: String = "", email: String? = nil,
                country: String? = nil, interests: [String] = [], channel: String = "direct",
                campaign: String? = nil, createdAt: Int64 = 0, marketingOptIn: Bool = false) {
        self.id = id
        self.externalID = externalID
        self.displayName = displayName
        self.email = email
        self.country = country
        self.interests = interests
        self.channel = channel
        self.campaign = campaign
        self.createdAt = createdAt
        self.marketingOptIn = marketingOptIn
    }
}

/// Which learners a listing shows; nil means no filter.
public struct LearnerFilter: Sendable, Equatable {
    public var channel: String?
    public var campaign: String?
    public var country: String?
    /// Matches external id, display name or email (case-insensitive substring).
    public var text: String?
    public var limit: Int?
    public var offset: Int = 0

    public init(channel: String? = nil, campaign: String? = nil, country: String? = nil,
                text: String? = nil, limit: Int? = nil, offset: Int = 0) {
        self.channel = channel
        self.campaign = campaign
        self.country = country
        self.text = text
        self.limit = limit
        self.offset = offset
    }
}
