import LecternCore
internal import LecternSQLite

/// A targeted announcement of one course, with its seeded holdout (migration 18).
public struct Campaign: Sendable, Equatable {
    public var id: Int64 = 0
    public var name: String
    public var courseID: Int64
    /// How the audience was found: itemknn, als or content.
    public var method: String
    /// The share of the audience kept out of the exported file (0 to 0.5).
    public var holdout: Double
    public var seed: UInt64
    public var createdAt: Int64

    public init(name: String, courseID: Int64, method: String, holdout: Double, seed: UInt64, createdAt: Int64) {
        self.name = name
        self.courseID = courseID
        self.method = method
        self.holdout = holdout
        self.seed = seed
        self.createdAt = createdAt
    }
}

/// One campaign's outcome: how many of the targeted and of the held-out learners took the course
/// after the campaign was recorded.
public struct CampaignOutcome: Sendable, Equatable {
    public var campaign: Campaign
    public var courseSlug: String
    public var targeted: Int
    public var targetedConverted: Int
    public var heldOut: Int
    public var heldOutConverted: Int
}

/// Campaigns and who was in each one's audience.
public struct CampaignStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    static let insert = "INSERT INTO campaigns (name, course_id, method, holdout, seed, created_at) VALUES (?, ?, ?, ?, ?, ?)"
    static let insertMember = "INSERT INTO campaign_members (campaign_id, user_id, held_out, score) VALUES (?, ?, ?, ?)"
    static let byName = "SELECT id, name, course_id, method, holdout, seed, created_at FROM campaigns WHERE name = ?"
    /// Per campaign: members and converted members, targeted and held out. A member converted when
    /// they enrolled in or bought the course after the campaign was recorded. On PostgreSQL the
    /// comparisons are summed as integers and the course's slug is grouped by too.
    static let outcomes = EngineSQL(sqlite: """
        SELECT c.id, c.name, c.course_id, c.method, c.holdout, c.seed, c.created_at, co.slug,
               coalesce(sum(h.held_out = 0), 0), coalesce(sum(h.held_out = 0 AND h.hit), 0),
               coalesce(sum(h.held_out = 1), 0), coalesce(sum(h.held_out = 1 AND h.hit), 0)
        FROM campaigns c JOIN courses co ON co.id = c.course_id
        LEFT JOIN (SELECT m.campaign_id, m.held_out,
                          EXISTS (SELECT 1 FROM interactions i
                                  WHERE i.user_id = m.user_id AND i.course_id = k.course_id
                                    AND i.kind IN ('enroll', 'purchase') AND i.occurred_at >= k.created_at) AS hit
                   FROM campaign_members m JOIN campaigns k ON k.id = m.campaign_id) h ON h.campaign_id = c.id
        WHERE (CAST(?1 AS TEXT) IS NULL OR c.name = ?1)
        GROUP BY c.id ORDER BY c.created_at, c.id
        """, postgresReplacing: [
            "coalesce(sum(h.held_out = 0), 0)": "coalesce(sum((h.held_out = 0)::int), 0)",
            "coalesce(sum(h.held_out = 0 AND h.hit), 0)": "coalesce(sum((h.held_out = 0 AND h.hit)::int), 0)",
            "coalesce(sum(h.held_out = 1), 0)": "coalesce(sum((h.held_out = 1)::int), 0)",
            "coalesce(sum(h.held_out = 1 AND h.hit), 0)": "coalesce(sum((h.held_out = 1 AND h.hit)::int), 0)",
            "GROUP BY c.id": "GROUP BY c.id, co.slug",
        ])

    static func read(_ row: Row) -> Campaign {
        var campaign = Campaign(name: row.text(1), courseID: row.int64(2), method: row.text(3), holdout: row.double(4),
                                seed: UInt64(bitPattern: row.int64(5)), createdAt: row.int64(6))
        campaign.id = row.int64(0)
        return campaign
    }

    public func find(name: String) throws -> Campaign? {
        try withStoreErrors { try db.first(Self.byName, [name], row: Self.read) }
    }

    /// Records a campaign and its whole audience, targeted and held out, in one transaction; `body`
    /// runs inside it (to write the export file), so a failure there records nothing.
    /// - Throws: `StoreError.conflict` when the name is taken.
    @discardableResult
    public func create(_ campaign: Campaign, members: [(userID: Int64, heldOut: Bool, score: Double)],
                       beforeCommit body: () throws -> Void = {}) throws -> Campaign {
        var campaign = campaign
        try withStoreErrors {
            try db.transaction {
                if try find(name: campaign.name) != nil {
                    throw StoreError.conflict("a campaign named '\(campaign.name)' already exists: choose another name")
                }
                campaign.id = try db.insert(Self.insert, [campaign.name, campaign.courseID, campaign.method, campaign.holdout,
                                                          Int64(bitPattern: campaign.seed), campaign.createdAt])
                for member in members {
                    try db.run(Self.insertMember, [campaign.id, member.userID, member.heldOut ? 1 : 0, member.score])
                }
                try body()
            }
        }
        return campaign
    }

    /// Every campaign's outcome (or one campaign's), oldest first.
    /// - Throws: `StoreError.notFound` for an unknown campaign name.
    public func outcomes(name: String? = nil) throws -> [CampaignOutcome] {
        try withStoreErrors {
            if let name, try find(name: name) == nil { throw StoreError.notFound("no campaign named '\(name)'") }
            return try db.all(Self.outcomes, [name]) { row in
                CampaignOutcome(campaign: Self.read(row), courseSlug: row.text(7), targeted: Int(row.int64(8)),
                                targetedConverted: Int(row.int64(9)), heldOut: Int(row.int64(10)),
                                heldOutConverted: Int(row.int64(11)))
            }
        }
    }
}
