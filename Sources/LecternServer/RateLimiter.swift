import Foundation
import LecternCore
import Synchronization

/// A token bucket per API key: `rate` requests a second on average, bursts up to `burst`.
final class RateLimiter: Sendable {
    let rate: Double
    let burst: Double
    private let buckets = Mutex<[Int64: (tokens: Double, updated: ContinuousClock.Instant)]>([:])

    /// - Parameter rate: requests per second per key; 0 turns limiting off.
    init(rate: Double, burst: Int) {
        self.rate = rate
        self.burst = Double(max(1, burst))
    }

    /// Takes one request from `key`'s bucket: nil when allowed, else the whole seconds to wait.
    func take(key: Int64, now: ContinuousClock.Instant = .now) -> Int? {
        guard rate > 0 else { return nil }
        return buckets.withLock { all in
            var bucket = all[key] ?? (tokens: burst, updated: now)
            let seconds = (now - bucket.updated).inSeconds
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            defer { all[key] = bucket }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
        }
    }
}
