import Foundation
internal import LecternSQLite

/// What `forget` removed and what it kept for the accounts.
public struct ForgetSummary: Sendable, Equatable {
    /// Views, enrolments, completions, ratings and wishlists deleted.
    public var interactionsDeleted = 0
    /// Purchases and refunds kept for accounting, now belonging to the anonymous learner.
    public var moneyEventsAnonymized = 0
    public var interestsDeleted = 0
    public var cachedRecommendationsDeleted = 0
    public var impressionsDeleted = 0
    public var factorsDeleted = 0
    public var segmentAssignmentsDeleted = 0
    /// Organisation memberships (0 or 1) and assigned courses deleted: the learner leaves every
    /// organisation report; the organisation's seats and money stay.
    public var membershipsDeleted = 0
    public var courseAssignmentsDeleted = 0
    /// Whether no copy of the learner's data is left in the database file or its write-ahead log:
    /// false when a reader (a long report, say) kept the log from being emptied; the old pages then
    /// go at the next checkpoint that finds no reader.
    public var wiped = true
}

extension LearnerRepository {
    /// The external id of the one learner that stands for every forgotten learner's purchases.
    public static let anonymousExternalID = "~forgotten"

    /// Erases a learner: their personal data, interactions, interests, segment, cached recommendations,
    /// experiment impressions and latent factors, in one transaction. Purchases and refunds are needed
    /// for the accounts (sales, creator payouts), so they are kept, moved to a single shared anonymous
    /// learner with their idempotency keys and channels cleared: nothing links them to the person, nor
    /// to each other. Pages freed by the deletion are zeroed (`secure_delete`).
    public func forget(externalID: String) throws -> ForgetSummary {
        var summary = try erase(externalID: externalID)
        summary.wiped = try wipeLog()
        // A pending wipe is left to `lectern serve` (which checks for this marker every two seconds)
        // or to the next `forget`.
        guard case .sqlite(let connection) = db else { return summary }  // PostgreSQL keeps no log file here
        let marker = Self.wipeMarker(forDatabase: connection.path)
        if summary.wiped {
            try? FileManager.default.removeItem(atPath: marker)
        } else {
            FileManager.default.createFile(atPath: marker, contents: Data("a forgotten learner's old pages may remain in the write-ahead log\n".utf8))
        }
        return summary
    }

    /// The file beside a database that says a wipe is pending (see `forget`).
    public static func wipeMarker(forDatabase path: String) -> String { path + ".wipe-pending" }

    /// Completes a pending wipe: empties and truncates the write-ahead log if no reader holds old
    /// pages, and then removes the marker. - Returns: whether no wipe is pending any more.
    public static func completePendingWipe(_ db: Database) throws -> Bool {
        let marker = wipeMarker(forDatabase: db.path)
        guard FileManager.default.fileExists(atPath: marker) else { return true }
        guard try LearnerRepository(db).wipeLog() else { return false }
        try? FileManager.default.removeItem(atPath: marker)
        return true
    }

    /// Empties the write-ahead log into the database file and truncates it, so that the old page
    /// images that still hold a forgotten learner's data (in the log, and in the file until the new
    /// zeroed pages are copied over them) are gone. Waits for readers as long as the busy timeout.
    /// - Returns: whether the log was emptied (false: a reader kept a snapshot open throughout).
    func wipeLog() throws -> Bool {
        guard case .sqlite(let db) = db else { return true }
        guard try db.queryFirst("PRAGMA journal_mode", row: { $0.text(0) }) == "wal" else { return true }
        let result = try withStoreErrors {
            try db.queryFirst("PRAGMA wal_checkpoint(TRUNCATE)") { ($0.int(0), $0.int(1), $0.int(2)) }
        }
        guard let (busy, _, _) = result else { return false }
        return busy == 0
    }

    private func erase(externalID: String) throws -> ForgetSummary {
        try withStoreErrors {
            if case .sqlite(let connection) = db { try connection.execute("PRAGMA secure_delete = ON") }
            defer { if case .sqlite(let connection) = db { try? connection.execute("PRAGMA secure_delete = OFF") } }
            return try db.transaction {
                guard let id = try db.scalarInt("SELECT id FROM users WHERE external_id = ? AND anonymous = 0", [externalID], cached: false) else {
                    throw StoreError(.notFound, "no learner '\(externalID)'")
                }
                func count(_ sql: String) throws -> Int { Int(try db.scalarInt(sql, [id], cached: false) ?? 0) }
                var summary = ForgetSummary()
                summary.moneyEventsAnonymized = try count("SELECT count(*) FROM interactions WHERE user_id = ? AND kind IN ('purchase', 'refund')")
                summary.interactionsDeleted = try count("SELECT count(*) FROM interactions WHERE user_id = ? AND kind NOT IN ('purchase', 'refund')")
                summary.interestsDeleted = try count("SELECT count(*) FROM user_interests WHERE user_id = ?")
                summary.cachedRecommendationsDeleted = try count("SELECT count(*) FROM recommendations WHERE run_id IN (SELECT id FROM model_runs) AND user_id = ?")
                summary.impressionsDeleted = try count("SELECT count(*) FROM impressions WHERE user_id = ?")
                summary.factorsDeleted = try count("SELECT count(*) FROM model_factors WHERE run_id IN (SELECT id FROM model_runs) AND entity = 'user' AND entity_id = ?")
                summary.segmentAssignmentsDeleted = try count("SELECT count(*) FROM user_segments WHERE user_id = ?")
                summary.membershipsDeleted = try count("SELECT count(*) FROM org_members WHERE user_id = ?")
                summary.courseAssignmentsDeleted = try count("SELECT count(*) FROM assignments WHERE user_id = ?")
                if summary.moneyEventsAnonymized > 0 {
                    let anonymous = try anonymousLearnerID()
                    try db.run("""
                        UPDATE interactions SET user_id = ?, idempotency_key = NULL, channel = NULL
                        WHERE user_id = ? AND kind IN ('purchase', 'refund')
                        """, [anonymous, id], cached: false)
                }
                // Cascades to the remaining interactions, interests, impressions, segment, organisation
                // membership and assignments; a trigger
                // (migration 11) removes the cached lists and factors.
                try db.run("DELETE FROM users WHERE id = ?", [id], cached: false)
                return summary
            }
        }
    }

    /// The shared anonymous learner, made on first use: no name, e-mail, country or interests.
    func anonymousLearnerID() throws -> Int64 {
        if let id = try db.scalarInt("SELECT id FROM users WHERE anonymous = 1 ORDER BY id LIMIT 1", cached: false) { return id }
        if try db.scalarInt("SELECT id FROM users WHERE external_id = ?", [Self.anonymousExternalID], cached: false) != nil {
            throw StoreError(.conflict, "a learner named '\(Self.anonymousExternalID)' exists; rename it before forgetting anyone")
        }
        return try db.insert("""
            INSERT INTO users (external_id, display_name, email, country, channel, campaign, created_at, anonymous)
            VALUES (?, '', NULL, NULL, 'direct', NULL, 0, 1)
            """, [Self.anonymousExternalID])
    }
}
