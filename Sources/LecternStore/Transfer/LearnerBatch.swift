import LecternCore
internal import LecternPostgres
internal import LecternSQLite

/// Learners of a users import on PostgreSQL, written a batch at a time: one multi-row INSERT for
/// the learners and one for their interests, where row by row costs a round trip per learner and
/// per interest (a few hundred learners a second).
///
/// A batch runs in a savepoint. When it fails (a learner already stored, the same learner twice in
/// the file, a value a constraint refuses), it is rolled back and written again row by row, so the
/// error names the first bad line exactly as the row-by-row import does.
struct LearnerBatch {
    let db: Executor
    private(set) var pending: [(line: Int, learner: Learner)] = []
    /// Learners per batch: 9 parameters each, well under PostgreSQL's 65,535 per statement.
    static let size = 1_000

    init(_ db: Executor) {
        self.db = db
    }

    var isFull: Bool { pending.count >= Self.size }

    mutating func append(_ learner: Learner, line: Int) {
        pending.append((line, learner))
    }

    /// Writes the pending learners; throws the error of the first bad line, prefixed "line N:".
    mutating func flush() throws {
        guard !pending.isEmpty else { return }
        defer { pending.removeAll(keepingCapacity: true) }
        do {
            try db.transaction { try insertAll() }
        } catch let error as PGError where error.isConstraintViolation || error.isRaisedByTrigger {
            try db.transaction { try insertOneByOne() }
        }
    }

    private func insertAll() throws {
        var sql = "INSERT INTO users (external_id, display_name, email, country, channel, campaign, created_at, marketing_opt_in, anonymous) VALUES "
        var values: [any SQLBindable] = []
        values.reserveCapacity(pending.count * 9)
        for (index, (_, learner)) in pending.enumerated() {
            sql += index == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            values += Self.values(of: learner)
        }
        sql += " RETURNING id, external_id"
        var ids: [String: Int64] = [:]
        try db.each(sql, values, cached: false) { row in ids[try row.text(1)] = try row.int64(0) }
        var interests: [any SQLBindable] = []
        for (_, learner) in pending {
            guard let id = ids[learner.externalID] else { continue }
            for (position, topic) in learner.interests.enumerated() { interests += [id, topic, position] as [any SQLBindable] }
        }
        // 3 parameters an interest, 20,000 interests a statement at most.
        for chunk in interests.chunked(60_000) {
            let rows = Array(repeating: "(?, ?, ?)", count: chunk.count / 3).joined(separator: ", ")
            try db.run("INSERT INTO user_interests (user_id, topic, position) VALUES \(rows) ON CONFLICT DO NOTHING", Array(chunk), cached: false)
        }
    }

    /// The batch again, one learner at a time, to name the line a failure comes from.
    private func insertOneByOne() throws {
        let learners = LearnerRepository(db)
        for (line, learner) in pending {
            var stored = learner
            do {
                stored.id = try db.insert(Importer.insertUser, Array(Self.values(of: learner).prefix(8)))
                try learners.writeInterests(stored)
            } catch let error as PGError where error.isUniqueViolation {
                throw StoreError.conflict("line \(line): a learner with external id '\(learner.externalID)' already exists")
            } catch let error as PGError where error.isConstraintViolation {
                throw StoreError.invalid("line \(line): \(error.description)")
            }
        }
    }

    /// The nine columns of `INSERT INTO users` (the anonymous holder of forgotten learners'
    /// purchases is `~forgotten`, as `Importer.insertUser` says).
    private static func values(of learner: Learner) -> [any SQLBindable] {
        [learner.externalID, learner.displayName, learner.email, learner.country, learner.channel, learner.campaign,
         learner.createdAt, learner.marketingOptIn ? 1 : 0, learner.externalID == "~forgotten" ? 1 : 0]
    }
}
