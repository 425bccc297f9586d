import Synchronization

/// A count threads share: work handed out in chunks, work done, bytes read so far.
///
/// Relaxed atomics: the count orders nothing else, so what workers wrote is read only after they
/// are joined.
public final class AtomicCounter: Sendable {
    private let count: Atomic<Int>

    public init(_ value: Int = 0) {
        count = Atomic(value)
    }

    /// Adds one and returns the new count (so `increment() - 1` hands out 0, 1, 2, ...).
    @discardableResult
    public func increment() -> Int { add(1) }

    /// Adds `amount` and returns the new count.
    @discardableResult
    public func add(_ amount: Int) -> Int {
        count.add(amount, ordering: .relaxed).newValue
    }

    /// Replaces the count (a producer's progress, read by a consumer).
    public func set(_ value: Int) {
        count.store(value, ordering: .relaxed)
    }

    /// The count now.
    public var value: Int { count.load(ordering: .relaxed) }
}
