import LecternStore
import Synchronization

/// Keys found by token hash, kept for a short time so a busy client costs one database read a
/// second instead of one per request. A key revoked in another process is refused once its entry
/// expires (`ttl`; 0 reads the database every time). Unknown tokens are never kept.
final class KeyCache: Sendable {
    let ttl: Duration
    private let entries = Mutex<[String: (key: APIKey, until: ContinuousClock.Instant)]>([:])
    /// Entries kept at most; past it the cache starts over.
    static let capacity = 10_000

    init(ttl: Duration) {
        self.ttl = ttl
    }

    /// The key for `hash`, from the cache while fresh, else from `load`.
    func key(hash: String, now: ContinuousClock.Instant = .now, load: () async throws -> APIKey?) async rethrows -> APIKey? {
        if ttl > .zero, let hit = entries.withLock({ $0[hash] }), hit.until > now { return hit.key }
        guard let key = try await load() else { return nil }
        if ttl > .zero {
            entries.withLock { entries in
                if entries.count >= Self.capacity { entries.removeAll() }
                entries[hash] = (key, now + ttl)
            }
        }
        return key
    }
}
