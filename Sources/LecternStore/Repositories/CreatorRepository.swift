internal import LecternSQLite

/// Creators: who makes the courses and what share of revenue they keep.
public struct CreatorRepository {
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

    static let columns = "id, name, revenue_share, contact, created_at"
    static let insert = "INSERT INTO creators (name, revenue_share, contact, created_at) VALUES (?, ?, ?, ?)"
    static let update = "UPDATE creators SET name = ?, revenue_share = ?, contact = ? WHERE id = ?"
    static let byID = "SELECT \(columns) FROM creators WHERE id = ?"
    static let byName = "SELECT \(columns) FROM creators WHERE name = ?"
    static let all = "SELECT \(columns) FROM creators ORDER BY name LIMIT ? OFFSET ?"
    static let withCounts = """
        SELECT c.id, c.name, c.revenue_share, c.contact, c.created_at,
               (SELECT count(*) FROM courses WHERE creator_id = c.id) AS courses
        FROM creators c ORDER BY c.name LIMIT ? OFFSET ?
        """

    static func read(_ row: Row) -> Creator {
        Creator(id: row.int64(0), name: row.text(1), revenueShare: row.double(2),
                contact: row.optionalText(3), createdAt: row.int64(4))
    }

    /// Adds a creator; the name must be new.
    @discardableResult
    public func create(_ creator: Creator) throws -> Creator {
        var creator = creator
        try validate(&creator)
        if creator.createdAt == 0 { creator.createdAt = currentUnixTime() }
        if try find(name: creator.name) != nil {
            throw StoreError.conflict("a creator named '\(creator.name)' already exists")
        }
        creator.id = try withStoreErrors {
            try db.insert(Self.insert, [creator.name, creator.revenueShare, creator.contact, creator.createdAt])
        }
        return creator
    }

    /// Saves a changed creator.
    public func update(_ creator: Creator) throws {
        var creator = creator
        try validate(&creator)
        if let other = try find(name: creator.name), other.id != creator.id {
            throw StoreError.conflict("a creator named '\(creator.name)' already exists")
        }
        try withStoreErrors {
            try db.run(Self.update, [creator.name, creator.revenueShare, creator.contact, creator.id])
        }
        guard db.changes == 1 else { throw StoreError.notFound("no creator with id \(creator.id)") }
    }

    public func find(id: Int64) throws -> Creator? {
        try db.first(Self.byID, [id], row: Self.read)
    }

    public func find(name: String) throws -> Creator? {
        try db.first(Self.byName, [name], row: Self.read)
    }

    /// A creator named by id (digits) or by exact name.
    public func resolve(_ reference: String) throws -> Creator {
        if let id = Int64(reference), let creator = try find(id: id) { return creator }
        if let creator = try find(name: reference) { return creator }
        throw StoreError.notFound("no creator '\(reference)'")
    }

    /// Creators by name, with how many courses each has.
    public func list(limit: Int? = nil, offset: Int = 0) throws -> [(creator: Creator, courses: Int)] {
        try db.all(Self.withCounts, [limit ?? -1, offset]) { (Self.read($0), $0.int(5)) }
    }

    private func validate(_ creator: inout Creator) throws {
        creator.name = creator.name.trimmingCharacters(in: .whitespaces)
        guard !creator.name.isEmpty, creator.name.unicodeScalars.count <= 200 else {
            throw StoreError.invalid("a creator needs a name of 1 to 200 characters")
        }
        guard creator.revenueShare.isFinite, (0...1).contains(creator.revenueShare) else {
            throw StoreError.invalid("revenue share must be between 0 and 1, got \(creator.revenueShare)")
        }
        if let contact = creator.contact, contact.isEmpty { creator.contact = nil }
    }
}
