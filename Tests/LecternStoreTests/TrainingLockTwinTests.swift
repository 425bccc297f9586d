import Foundation
import LecternStore
import Testing
import LecternTestSupport

/// One training at a time on both engines: a flock beside an SQLite file, a session advisory lock
/// on PostgreSQL; a second training is told the same thing on either.
@Suite("The training lock on both engines")
struct TrainingLockTwinTests {
    @Test("a second training is refused while one holds the lock, and may start once it is released",
          arguments: TestEngine.allCases)
    func aSecondTrainingIsRefused(on engine: TestEngine) throws {
        try Self.withTwoConnections(on: engine) { first, second in
            var held = try TrainingLock.acquire(for: first)
            #expect(held != nil)
            #expect {
                _ = try TrainingLock.acquire(for: second)
            } throws: { error in
                (error as? StoreError)?.code == .busy
                    && "\(error)".contains("another `lectern train` is running on '\(second.path)'; wait for it to finish")
            }
            held = nil
            #expect(try TrainingLock.acquire(for: second) != nil)
        }
    }

    /// Two connections to one database that is not in memory (an in-memory database needs no lock):
    /// a temporary SQLite file, or a PostgreSQL database of its own.
    static func withTwoConnections(on engine: TestEngine, _ body: (Database, Database) throws -> Void) throws {
        switch engine {
        case .sqlite:
            let path = NSTemporaryDirectory() + "lectern-lock-\(UUID().uuidString).db"
            defer {
                for suffix in ["", "-wal", "-shm", ".train-lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            try body(try LecternDatabase.open(path: path), try LecternDatabase.open(path: path, mustExist: true))
        case .postgresql:
            // Without a server, `withDatabase(on:)` records the skip (or fails under LECTERN_REQUIRE_PG).
            guard TestPostgres.isEnabled else { return try withDatabase(on: engine) { _ in } }
            try TestPostgres.withDatabase { url in
                try body(try LecternDatabase.open(path: url), try LecternDatabase.open(path: url))
            }
        }
    }
}
