internal import LecternSQLite

/// Learners (the `users` table) and their declared interests.
public struct LearnerRepository {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    init(_ db: Executor) {
        self.db = db
    }

    static let columns = "u.id, u.external_id, u.display_name, u.email, u.country, u.channel, u.campaign, u.created_at, u.marketing_opt_in"
    static let insert = """
        INSERT INTO users (external_id, display_name, email, country, channel, campaign, created_at, marketing_opt_in)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """
    static let update = """
        UPDATE users SET external_id = ?, display_name = ?, email = ?, country = ?, channel = ?, campaign = ?,
            marketing_opt_in = ?
        WHERE id = ?
        """
    static let byID = "SELECT \(columns) FROM users u WHERE u.id = ?"
    static let byExternalID = "SELECT \(columns) FROM users u WHERE u.external_id = ?"
    static let interestsOfUser = "SELECT topic FROM user_interests WHERE user_id = ? ORDER BY position"
    static let deleteInterests = "DELETE FROM user_interests WHERE user_id = ?"
    static let insertInterest = EngineSQL(
        sqlite: "INSERT OR IGNORE INTO user_interests (user_id, topic, position) VALUES (?, ?, ?)",
        postgres: "INSERT INTO user_interests (user_id, topic, position) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
    /// Text in the external id, name or e-mail, ignoring case: SQLite's LIKE folds ASCII letters,
    /// PostgreSQL's ILIKE every letter.
    static let textMatch = "(u.external_id LIKE ? ESCAPE '\\' OR u.display_name LIKE ? ESCAPE '\\' OR u.email LIKE ? ESCAPE '\\')"
    static let textMatchPostgres = "(u.external_id ILIKE ? ESCAPE '\\' OR u.display_name ILIKE ? ESCAPE '\\' OR u.email ILIKE ? ESCAPE '\\')"

    static func read(_ row: Row) -> Learner {
        Learner(id: row.int64(0), externalID: row.text(1), displayName: row.text(2), email: row.optionalText(3),
                country: row.optionalText(4), interests: [], channel: row.text(5), campaign: row.optionalText(6),
                createdAt: row.int64(7), marketingOptIn: row.int64(8) != 0)
    }

    /// Registers a learner with their declared interests; the external id must be new.
    @discardableResult
    public func create(_ learner: Learner) throws -> Learner {
        var learner = learner
        try validate(&learner)
        if learner.createdAt == 0 { learner.createdAt = currentUnixTime() }
        if try find(externalID: learner.externalID) != nil {
            throw StoreError.conflict("a learner with external id '\(learner.externalID)' already exists")
        }
        try withStoreErrors {
            try db.transaction {
                learner.id = try db.insert(Self.insert, [learner.externalID, learner.displayName, learner.email, learner.country,
                                                         learner.channel, learner.campaign, learner.createdAt,
                                                         learner.marketingOptIn ? 1 : 0])
                try writeInterests(learner)
            }
        }
        return learner
    }

    /// Saves a changed learner, interests included.
    public func update(_ learner: Learner) throws {
        var learner = learner
        try validate(&learner)
        if let other = try find(externalID: learner.externalID), other.id != learner.id {
            throw StoreError.conflict("a learner with external id '\(learner.externalID)' already exists")
        }
        try withStoreErrors {
            try db.transaction {
                try db.run(Self.update, [learner.externalID, learner.displayName, learner.email, learner.country,
                                                         learner.channel, learner.campaign,
                                                         learner.marketingOptIn ? 1 : 0, learner.id])
                guard db.changes == 1 else { throw StoreError.notFound("no learner with id \(learner.id)") }
                try db.run(Self.deleteInterests, [learner.id])
                try writeInterests(learner)
            }
        }
    }

    public func find(id: Int64) throws -> Learner? {
        try db.first(Self.byID, [id], row: Self.read).map(withInterests)
    }

    public func find(externalID: String) throws -> Learner? {
        try db.first(Self.byExternalID, [externalID], row: Self.read).map(withInterests)
    }

    /// A learner named by external id.
    public func resolve(_ externalID: String) throws -> Learner {
        guard let learner = try find(externalID: externalID) else {
            throw StoreError.notFound("no learner with external id '\(externalID)'")
        }
        return learner
    }

    /// Learners matching `filter`, by external id.
    public func list(_ filter: LearnerFilter = LearnerFilter()) throws -> [Learner] {
        var conditions: [String] = ["u.anonymous = 0"]
        var arguments: [any SQLBindable] = []
        if let channel = filter.channel { conditions.append("u.channel = ?"); arguments.append(channel) }
        if let campaign = filter.campaign { conditions.append("u.campaign = ?"); arguments.append(campaign) }
        if let country = filter.country { conditions.append("u.country = ?"); arguments.append(country.uppercased()) }
        if let text = filter.text {
            conditions.append(db.isPostgres ? Self.textMatchPostgres : Self.textMatch)
            let pattern = likePattern(text)
            arguments += [pattern, pattern, pattern]
        }
        var sql = "SELECT \(Self.columns) FROM users u"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY u.external_id LIMIT ? OFFSET ?"
        arguments.append(filter.limit ?? -1)
        arguments.append(filter.offset)
        return try db.all(sql, arguments, cached: false, row: Self.read).map(withInterests)
    }

    /// Declared interests of one learner, in order.
    public func interests(of userID: Int64) throws -> [String] {
        try db.all(Self.interestsOfUser, [userID]) { $0.text(0) }
    }

    func writeInterests(_ learner: Learner) throws {
        for (position, topic) in learner.interests.enumerated() {
            try db.run(Self.insertInterest, [learner.id, topic, position])
        }
    }

    private func withInterests(_ learner: Learner) throws -> Learner {
        var learner = learner
        learner.interests = try interests(of: learner.id)
        return learner
    }

    func validate(_ learner: inout Learner) throws {
        guard learner.createdAt == 0 || Timestamp.range.contains(learner.createdAt) else {
            throw StoreError.invalid("a learner's creation time must be \(Timestamp.rangeDescription), got \(learner.createdAt)")
        }
        // Blanks around it are dropped: what JSON Schema's \s matches (the document's pattern \S).
        learner.externalID = learner.externalID.trimmingCharacters(in: Validation.blanks)
        // Characters as SQLite's length() counts them (the schema's CHECK): code points.
        guard !learner.externalID.isEmpty, learner.externalID.unicodeScalars.count <= 120 else {
            throw StoreError.invalid("a learner needs an external id of 1 to 120 characters")
        }
        if let email = learner.email {
            if email.isEmpty {
                learner.email = nil
            } else {
                let parts = email.split(separator: "@", omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw StoreError.invalid("invalid email '\(email)'")
                }
            }
        }
        if let country = learner.country {
            if country.isEmpty {
                learner.country = nil
            } else {
                learner.country = country.uppercased()
                guard country.count == 2, country.allSatisfy({ $0.isLetter && $0.isASCII }) else {
                    throw StoreError.invalid("country must be a 2-letter code such as DE, got '\(country)'")
                }
            }
        }
        learner.channel = learner.channel.lowercased()
        guard Validation.isChannel(learner.channel) else {
            throw StoreError.invalid("invalid channel '\(learner.channel)': use lowercase letters, digits, - and _")
        }
        if learner.campaign?.isEmpty == true { learner.campaign = nil }
        if let bad = learner.interests.first(where: { $0.contains(";") }) {
            throw StoreError.invalid("an interest cannot contain ';' (it separates interests in files), got '\(bad)'")
        }
        var seen = Set<String>()
        learner.interests = learner.interests
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
