import Foundation
import LecternCore
import Synchronization
internal import LecternPostgres

/// A hot standby of the primary (`lectern serve --read-db`): reads go to it, writes never do.
///
/// A standby replays the primary's write-ahead log some milliseconds behind it, so a read there may
/// miss what was just written. Read-your-writes for a learner's own events is kept by a fingerprint:
/// the learner's row version (`xmin`, the same on a physical replica as on the primary) and the
/// count, highest id and sum of ids of the learner's events. A read on the learner's behalf first
/// reads the fingerprint on the primary (one indexed lookup), then opens its snapshot on the standby
/// and reads it there as the snapshot's first statement: equal, the snapshot holds every event the
/// learner had when the read began, and the read goes on there; different (the standby has not
/// replayed them yet, or the learner was forgotten), the read runs on the primary instead. This
/// holds across API nodes, since the fingerprint lives in the data, not in a node's memory.
///
/// A standby that cannot be reached, or that cancels a read for a conflict with its replay, sends
/// that read, and every read of the next two seconds, to the primary: the standby takes load off the
/// primary and never takes the API down.
final class PostgresStandby: Sendable {
    let sessions: PostgresSessionPool
    /// Reads the standby answered.
    let standbyReads = AtomicCounter()
    /// Reads sent to the primary because the standby had not replayed a learner's events yet.
    let freshnessReads = AtomicCounter()
    /// Reads sent to the primary because the standby failed them.
    let fallbackReads = AtomicCounter()
    /// Until when (`DispatchTime` nanoseconds) the standby is left alone after it failed a read, so
    /// that a standby gone quiet costs one connection attempt per pause, not one per request.
    private let restingUntil = Atomic<UInt64>(0)
    /// How long the standby is left alone after it failed a read.
    static let pauseAfterFailure: UInt64 = 2_000_000_000
    /// How long a new connection waits for the standby to replay what the primary had written when
    /// the node started. A standby streaming from a busy primary can be seconds behind (it replays on
    /// one core), so this is generous; one that never catches up is not streaming from this primary.
    static let replayWait: TimeInterval = 60

    /// Whether the standby is being left alone after a failure.
    var isResting: Bool { DispatchTime.now().uptimeNanoseconds < restingUntil.load(ordering: .relaxed) }

    /// Counts a read the standby failed, and leaves it alone for `pauseAfterFailure`.
    func failed() {
        fallbackReads.increment()
        restingUntil.store(DispatchTime.now().uptimeNanoseconds + Self.pauseAfterFailure, ordering: .relaxed)
    }

    /// Connects to the standby at `url` and checks that it replicates `primary`: the same system
    /// identifier (a replica made with `pg_basebackup` keeps it), and the same schema once it has
    /// replayed what the primary had written when it was opened (waiting at most `replayWait` seconds).
    /// - Throws: `StoreError(.io)` for a standby that cannot be reached; `.foreignDatabase` for a
    ///   server that is not a copy of the primary, or a standby that does not catch up.
    init(url: String, primary: PostgresSessionPool, limit: Int, lockTimeoutMilliseconds: Int32) throws {
        let position = try primary.withSession { db in try Self.primaryIdentity(db) }
        sessions = try PostgresSessionPool(url: url, limit: limit, lockTimeoutMilliseconds: lockTimeoutMilliseconds,
                                           replica: { connection in
                                               try Self.checkReplica(connection, of: position, primary: primary.target)
                                           })
    }

    /// What the primary is: its system identifier (nil when the user may not read it), the database's
    /// oid (a physical replica keeps both), and the current WAL insert position.
    private static func primaryIdentity(_ db: Database) throws -> Identity {
        guard case .postgres(let session) = db.executor else { throw StoreError(.io, "the primary is not PostgreSQL") }
        let lsn = try session.connection.scalarText("SELECT pg_current_wal_insert_lsn()::text") ?? "0/0"
        return Identity(system: try? systemIdentifier(session.connection), database: try databaseOID(session.connection), lsn: lsn)
    }

    private struct Identity {
        var system: String?
        var database: String?
        var lsn: String
    }

    private static func systemIdentifier(_ connection: PGConnection) throws -> String? {
        try connection.scalarText("SELECT system_identifier::text FROM pg_control_system()")
    }

    private static func databaseOID(_ connection: PGConnection) throws -> String? {
        try connection.scalarText("SELECT oid::text FROM pg_database WHERE datname = current_database()")
    }

    /// Refuses a server that is not a replica of the primary, then waits for it to replay `position`.
    private static func checkReplica(_ connection: PGConnection, of primary: Identity, primary target: String) throws {
        if let expected = primary.system, let found = try? systemIdentifier(connection), found != expected {
            throw StoreError(.foreignDatabase, "\(connection.target) is not a standby of \(target): its system identifier is \(found), the primary's \(expected)")
        }
        if let found = try databaseOID(connection), found != primary.database {
            throw StoreError(.foreignDatabase, "\(connection.target) is not a copy of \(target): it is another database (oid \(found), the primary's \(primary.database ?? "?"))")
        }
        let deadline = Date().addingTimeInterval(replayWait)
        while true {
            // On a promoted or never-replicating server the replay position is NULL: it is caught up.
            let caughtUp = try connection.query(
                "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) AS done", [.text(primary.lsn)]).first.map { try $0.bool("done") } ?? true
            if caughtUp { return }
            if Date() > deadline {
                throw StoreError(.foreignDatabase, "\(connection.target) has not replayed the primary's log up to \(primary.lsn) within \(Int(replayWait)) seconds: is it streaming from \(target)?")
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// A learner's fingerprint on the session `db`: nil when no such learner is stored.
    static func fingerprint(of learner: String, _ db: Database) throws -> [String]? {
        guard case .postgres(let session) = db.executor else { return nil }
        let rows = try session.connection.query("""
            SELECT u.xmin::text AS version, e.n::text AS n, e.top::text AS top, e.total::text AS total
            FROM users AS u,
                 LATERAL (SELECT count(*) AS n, coalesce(max(id), 0) AS top, coalesce(sum(id), 0) AS total
                          FROM interactions WHERE user_id = u.id) AS e
            WHERE u.external_id = $1
            """, [.text(learner)], prepare: true)
        guard let row = rows.first else { return nil }
        return try ["version", "n", "top", "total"].map { try row.optionalText($0) ?? "" }
    }
}
