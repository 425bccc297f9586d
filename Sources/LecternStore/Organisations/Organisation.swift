/// A company or institution that buys seats for its staff (enterprise training).
public struct Organisation: Sendable, Equatable {
    public var id: Int64
    /// a-z, 0-9 and -, 1 to 80 characters: how commands and files name it.
    public var slug: String
    public var name: String
    /// How many members it may have.
    public var seats: Int
    /// The price of one seat, in `currency`'s minor unit; nil when seats are not sold through Lectern.
    public var seatPriceMinor: Int64?
    public var currency: String
    public var createdAt: Int64

    public init(id: Int64 = 0, slug: String, name: String, seats: Int, seatPriceMinor: Int64? = nil,
                currency: String = "USD", createdAt: Int64 = 0) {
        self.id = id
        self.slug = slug
        self.name = name
        self.seats = seats
        self.seatPriceMinor = seatPriceMinor
        self.currency = currency
        self.createdAt = createdAt
    }
}

/// A learner's place in an organisation.
public struct OrgMember: Sendable, Equatable {
    public var userID: Int64
    public var externalID: String
    public var orgID: Int64
    /// a-z, 0-9, _ and -: the team (a department, a squad).
    public var team: String
    public var role: String?
    public var isManager: Bool
    public var joinedAt: Int64

    public init(userID: Int64 = 0, externalID: String, orgID: Int64 = 0, team: String, role: String? = nil,
                isManager: Bool = false, joinedAt: Int64 = 0) {
        self.userID = userID
        self.externalID = externalID
        self.orgID = orgID
        self.team = team
        self.role = role
        self.isManager = isManager
        self.joinedAt = joinedAt
    }
}

/// What an organisation licenses: a whole domain, or one course.
public enum OrgLicence: Sendable, Equatable, Hashable, CustomStringConvertible {
    case domain(String)
    case course(slug: String)

    /// "domain data-science", "course sql-basics".
    public var description: String {
        switch self {
        case .domain(let domain): "domain \(domain)"
        case .course(let slug): "course \(slug)"
        }
    }
}

/// One course assigned to one member, with its state now.
public struct Assignment: Sendable, Equatable {
    public enum Source: String, Sendable, CaseIterable {
        case course, path, skills
    }

    /// Where a member stands with an assigned course, at a given time.
    public enum Status: String, Sendable, CaseIterable {
        /// Not enrolled in, bought or completed yet, and not past due.
        case assigned
        /// Enrolled in or bought, not completed, not past due.
        case started
        /// Completed by the due date.
        case completed
        /// Completed after the due date.
        case completedLate = "completed-late"
        /// Not completed, and past due.
        case overdue
    }

    public var id: Int64
    public var org: String
    public var user: String
    public var team: String?
    public var course: String
    public var source: Source
    /// The place in the member's path, for a path assignment.
    public var step: Int?
    public var dueAt: Int64
    public var assignedAt: Int64
    public var retiredAt: Int64?
    public var completedAt: Int64?
    public var status: Status
}
