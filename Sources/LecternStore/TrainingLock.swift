import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import LecternSQLite

/// Only one training at a time per database file: an exclusive `flock` on `<database>.train-lock`
/// beside it, held while the training runs and released when it ends, even by a kill (the kernel
/// drops the lock with the process).
///
/// A second `lectern train` fails at once with a clear message rather than writing a competing run;
/// it is also what lets pruning remove runs left 'writing' by a killed training. In-memory databases
/// need no lock: nothing else can open them.
public final class TrainingLock {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Takes the lock for `db`'s file, or returns nil for an in-memory database.
    /// - Throws: `StoreError(.busy)` when another training holds it; `StoreError(.io)` when the lock
    ///   file cannot be created.
    public static func acquire(for db: Database) throws -> TrainingLock? {
        guard db.path != ":memory:", !db.path.isEmpty else { return nil }
        let path = db.path + ".train-lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(.io, "cannot create the training lock '\(path)': \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            close(descriptor)
            if busy {
                throw StoreError(.busy, "another `lectern train` is running on '\(db.path)'; wait for it to finish")
            }
            throw StoreError(.io, "cannot lock '\(path)': \(String(cString: strerror(errno)))")
        }
        return TrainingLock(descriptor: descriptor)
    }
}
