import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import LecternPostgres
internal import LecternSQLite

/// Only one training at a time per database: on SQLite an exclusive `flock` on `<database>.train-lock`
/// beside the file; on PostgreSQL a session advisory lock (`advisoryKey`) on the training's own
/// connection. Either is held while the training runs and released when it ends, even by a kill (the
/// kernel drops the flock with the process; the server drops the advisory lock with the session).
///
/// A second `lectern train` fails at once with a clear message rather than writing a competing run;
/// it is also what lets pruning remove runs left 'writing' by a killed training. In-memory databases
/// need no lock: nothing else can open them.
public final class TrainingLock {
    private enum Held {
        case file(Int32)
        case advisory(PGConnection)
    }

    private let held: Held

    /// The advisory lock's key on PostgreSQL (advisory locks are per database, so one fixed key
    /// serves every Lectern database of a cluster): the ASCII of "lecttrn" in an Int64.
    static let advisoryKey: Int64 = 0x6C65_6374_7472_6E00

    private init(_ held: Held) {
        self.held = held
    }

    deinit {
        switch held {
        case .file(let descriptor):
            flock(descriptor, LOCK_UN)
            close(descriptor)
        case .advisory(let connection):
            _ = try? connection.advisoryUnlock(Self.advisoryKey)
        }
    }

    /// Takes the lock for `db`, or returns nil for an in-memory database.
    /// - Throws: `StoreError(.busy)` when another training holds it; `StoreError(.io)` when the lock
    ///   file cannot be created.
    public static func acquire(for db: Database) throws -> TrainingLock? {
        if case .postgres(let session) = db.executor {
            guard try withStoreErrors(path: db.path, { try session.connection.tryAdvisoryLock(advisoryKey) }) else {
                throw busy(db)
            }
            return TrainingLock(.advisory(session.connection))
        }
        guard db.path != ":memory:", !db.path.isEmpty else { return nil }
        let path = db.path + ".train-lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(.io, "cannot create the training lock '\(path)': \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let isBusy = errno == EWOULDBLOCK
            close(descriptor)
            if isBusy { throw busy(db) }
            throw StoreError(.io, "cannot lock '\(path)': \(String(cString: strerror(errno)))")
        }
        return TrainingLock(.file(descriptor))
    }

    private static func busy(_ db: Database) -> StoreError {
        StoreError(.busy, "another `lectern train` is running on '\(db.path)'; wait for it to finish")
    }
}
