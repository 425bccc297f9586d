import Foundation
import LecternStore
import ServiceLifecycle

/// Completes a `user forget` whose wipe was left pending because a reader held old pages: every two
/// seconds, when the marker beside the database is there, the write-ahead log is emptied and
/// truncated once no reader holds old pages, and the marker removed. Stops with the server.
struct PendingWipeService: Service {
    let pool: AsyncDatabase
    static let interval = Duration.seconds(2)

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await pool.write { db in try LearnerRepository.completePendingWipe(db) }
                try? await Task.sleep(for: Self.interval)
            }
        }
    }
}
