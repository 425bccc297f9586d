/// Columns of a creators file.
enum CreatorColumn: Int, TransferColumn {
    case name, revenueShare, contact, createdAt
    var name: String { ["name", "revenue_share", "contact", "created_at"][rawValue] }
    static let required: [CreatorColumn] = [.name, .revenueShare]
}

/// Columns of a courses file; `creator` is the creator's name, `tags` and `prerequisites` are lists.
enum CourseColumn: Int, TransferColumn {
    case slug, title, description, domain, difficulty, format, language, priceMinor, currency, creator, hours,
         status, tags, prerequisites, createdAt, updatedAt, family
    var name: String {
        ["slug", "title", "description", "domain", "difficulty", "format", "language", "price_minor", "currency",
         "creator", "hours", "status", "tags", "prerequisites", "created_at", "updated_at", "family"][rawValue]
    }
    static let required: [CourseColumn] = [.slug, .title, .domain, .priceMinor, .creator]
}

/// Columns of a users file; `interests` is a list.
enum LearnerColumn: Int, TransferColumn {
    case externalID, displayName, email, country, interests, channel, campaign, createdAt, marketingOptIn
    var name: String {
        ["external_id", "display_name", "email", "country", "interests", "channel", "campaign", "created_at",
         "marketing_opt_in"][rawValue]
    }
    static let required: [LearnerColumn] = [.externalID]
}

/// Columns of an interactions file; `user` is the external id, `course` the slug.
enum InteractionColumn: Int, TransferColumn {
    case user, course, kind, value, channel, occurredAt, key, reason
    var name: String { ["user", "course", "kind", "value", "channel", "occurred_at", "key", "reason"][rawValue] }
    static let required: [InteractionColumn] = [.user, .course, .kind, .occurredAt]
}

/// Columns of a members file: `org` is the organisation's slug, `user` the learner's external id,
/// `manager` true or false.
enum MemberColumn: Int, TransferColumn {
    case org, user, team, role, manager, joinedAt
    var name: String { ["org", "user", "team", "role", "manager", "joined_at"][rawValue] }
    static let required: [MemberColumn] = [.org, .user, .team]
}

/// Columns of an organisations file: `domains` and `courses` are what it licenses (lists), `skills`
/// its teams' target skills as `team:tag` items (`data:python;data:sql;ops:excel`).
enum OrganisationColumn: Int, TransferColumn {
    case slug, name, seats, seatPriceMinor, currency, createdAt, domains, courses, skills
    var name: String {
        ["slug", "name", "seats", "seat_price_minor", "currency", "created_at", "domains", "courses", "skills"][rawValue]
    }
    static let required: [OrganisationColumn] = [.slug, .name, .seats]
}

/// Columns of an assignments file: `org` slug, `user` external id, `course` slug; `source` course,
/// path or skills; times as anywhere else (a due date may lie in the past: this is history).
enum AssignmentColumn: Int, TransferColumn {
    case org, user, course, source, step, dueAt, assignedAt, retiredAt
    var name: String { ["org", "user", "course", "source", "step", "due_at", "assigned_at", "retired_at"][rawValue] }
    static let required: [AssignmentColumn] = [.org, .user, .course, .dueAt]
}
