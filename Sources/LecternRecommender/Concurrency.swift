#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Hands a value to worker threads that only read it, or write disjoint parts of it.
/// Callers promise that no two threads touch the same element.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A thread-safe counter for handing out work and counting what is done.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)

    /// Adds one and returns the new value.
    func increment() -> Int { add(1) }

    /// Adds `amount` and returns the new value.
    func add(_ amount: Int) -> Int {
        value.add(amount, ordering: .relaxed).newValue
    }
}

/// A lock for progress callbacks, so they are never called from two threads at once.
final class Lock: Sendable {
    private let mutex = Mutex(())

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        try mutex.withLock { _ in try body() }
    }
}

/// The number of cores the process may use.
func activeProcessorCount() -> Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}
