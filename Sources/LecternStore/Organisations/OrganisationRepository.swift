internal import LecternSQLite

/// Organisations, their members, seats, licences and target skills (enterprise training).
public struct OrganisationRepository {
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

    static let columns = "o.id, o.slug, o.name, o.seats, o.seat_price_minor, o.currency, o.created_at"
    static let insert = """
        INSERT INTO organisations (slug, name, seats, seat_price_minor, currency, created_at) VALUES (?, ?, ?, ?, ?, ?)
        """
    static let update = "UPDATE organisations SET name = ?, seats = ?, seat_price_minor = ? WHERE id = ?"
    static let bySlug = "SELECT \(columns) FROM organisations o WHERE o.slug = ?"
    static let byID = "SELECT \(columns) FROM organisations o WHERE o.id = ?"
    static let all = """
        SELECT \(columns), (SELECT count(*) FROM org_members m WHERE m.org_id = o.id) FROM organisations o ORDER BY o.slug
        """
    static let memberCount = "SELECT count(*) FROM org_members WHERE org_id = ?"
    static let insertSeats = """
        INSERT INTO org_seat_purchases (org_id, seats, amount_minor, currency, occurred_at) VALUES (?, ?, ?, ?, ?)
        """

    static func read(_ row: Row) -> Organisation {
        Organisation(id: row.int64(0), slug: row.text(1), name: row.text(2), seats: row.int(3),
                     seatPriceMinor: row.optionalInt64(4), currency: row.text(5), createdAt: row.int64(6))
    }

    /// Adds an organisation. With a seat price, its seats are recorded as bought at `createdAt`.
    /// - Throws: `StoreError` for a bad slug, name, seat count, price or currency, or a slug in use.
    @discardableResult
    public func create(_ organisation: Organisation) throws -> Organisation {
        var organisation = organisation
        try Self.validate(&organisation)
        if organisation.createdAt == 0 { organisation.createdAt = currentUnixTime() }
        if try find(slug: organisation.slug) != nil {
            throw StoreError.conflict("an organisation '\(organisation.slug)' already exists")
        }
        return try withStoreErrors {
            try db.transaction(.immediate) {
                organisation.id = try db.insert(Self.insert, [organisation.slug, organisation.name, organisation.seats,
                                                              organisation.seatPriceMinor, organisation.currency, organisation.createdAt])
                try recordSeats(organisation.seats, of: organisation, at: organisation.createdAt)
                return organisation
            }
        }
    }

    /// Changes the name, the seats or the seat price. Seats never go below the members; seats added
    /// at a seat price are recorded as bought `at`.
    public func update(_ slug: String, name: String? = nil, seats: Int? = nil, seatPriceMinor: Int64? = nil,
                       at time: Int64 = currentUnixTime()) throws -> Organisation {
        try withStoreErrors {
            try db.transaction(.immediate) {
                let old = try resolve(slug)
                var new = old
                if let name { new.name = name }
                if let seats { new.seats = seats }
                if let seatPriceMinor { new.seatPriceMinor = seatPriceMinor }
                try Self.validate(&new)
                let members = try memberCount(of: old.id)
                if new.seats < members {
                    throw StoreError.invalid("'\(old.slug)' has \(members) members: seats cannot go below that, got \(new.seats)")
                }
                try db.run(Self.update, [new.name, new.seats, new.seatPriceMinor, new.id])
                if new.seats > old.seats { try recordSeats(new.seats - old.seats, of: new, at: time) }
                return new
            }
        }
    }

    private func recordSeats(_ seats: Int, of organisation: Organisation, at time: Int64) throws {
        guard seats > 0, let price = organisation.seatPriceMinor else { return }
        let (amount, overflow) = price.multipliedReportingOverflow(by: Int64(seats))
        guard !overflow, amount <= Money.maxMinor else {
            throw StoreError.invalid("\(seats) seats at \(Money.format(price)) come to more than \(Money.maxDescription)")
        }
        try db.run(Self.insertSeats, [organisation.id, seats, amount, organisation.currency, time])
    }

    public func find(slug: String) throws -> Organisation? {
        try db.first(Self.bySlug, [slug], row: Self.read)
    }

    public func find(id: Int64) throws -> Organisation? {
        try db.first(Self.byID, [id], row: Self.read)
    }

    /// An organisation named by slug (or id).
    public func resolve(_ reference: String) throws -> Organisation {
        if let found = try find(slug: reference) { return found }
        if let id = Int64(reference), let found = try find(id: id) { return found }
        throw StoreError.notFound("no organisation '\(reference)'")
    }

    /// Every organisation by slug, with its number of members.
    public func list() throws -> [(organisation: Organisation, members: Int)] {
        try db.all(Self.all) { (Self.read($0), $0.int(7)) }
    }

    public func memberCount(of orgID: Int64) throws -> Int {
        Int(try db.scalarInt(Self.memberCount, [orgID]) ?? 0)
    }

    static func validate(_ organisation: inout Organisation) throws {
        organisation.name = organisation.name.trimmingCharacters(in: .whitespaces)
        guard (1...80).contains(organisation.slug.count),
              organisation.slug.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else {
            throw StoreError.invalid("an organisation's slug is 1 to 80 of a-z, 0-9 and -, got '\(organisation.slug)'")
        }
        guard !organisation.name.isEmpty, organisation.name.unicodeScalars.count <= 200 else {
            throw StoreError.invalid("an organisation needs a name of 1 to 200 characters")
        }
        guard (0...10_000_000).contains(organisation.seats) else {
            throw StoreError.invalid("seats must be between 0 and 10000000, got \(organisation.seats)")
        }
        if let price = organisation.seatPriceMinor, !(0...Money.maxMinor).contains(price) {
            throw StoreError.invalid("a seat price must be \(Money.maxDescription), got \(price) minor units")
        }
        guard organisation.currency.count == 3, organisation.currency == organisation.currency.uppercased(),
              organisation.currency.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) else {
            throw StoreError.invalid("a currency is three capital letters such as USD, got '\(organisation.currency)'")
        }
    }
}
