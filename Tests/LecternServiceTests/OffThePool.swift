import Dispatch

/// Runs long synchronous work on a Dispatch thread and waits for it without holding one of Swift
/// concurrency's few cooperative threads (two on a 2-core machine). Tests that run for tens of
/// seconds use it, so suites running beside them (the HTTP server's, which awaits I/O) still get
/// threads to resume on.
func offThePool<T>(_ body: @escaping () throws -> T) async throws -> T {
    let box = UncheckedResult(body)
    let result: UncheckedSendableValue<T> = try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: box.run())
        }
    }
    return result.value
}

private final class UncheckedResult<T>: @unchecked Sendable {
    let body: () throws -> T
    init(_ body: @escaping () throws -> T) { self.body = body }
    func run() -> Result<UncheckedSendableValue<T>, Error> {
        Result { UncheckedSendableValue(try body()) }
    }
}

struct UncheckedSendableValue<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
