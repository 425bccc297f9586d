import Foundation
import LecternStore
import ServiceLifecycle

/// Completes a `user forget` whose wipe was left pending because a reader held old pages: every two
/// seconds, when the marker beside the database is there, the write-ahead log is emptied and
/// truncated once no reader holds old pages, and the marker removed. Stops with the server. On
/// PostgreSQL there is no log beside a file to empty (deleted rows wait for VACUUM, see
/// docs/engines.md), so it only waits for the server to stop.
struct PendingWipeService: Service {
    let pool: AsyncDatabase
    static let interval = Duration.seconds(2)

    func run() async throws {
        guard pool.engine == .sqlite else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await pool.write { db in try LearnerRepository.completePendingWipe(db) }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}
