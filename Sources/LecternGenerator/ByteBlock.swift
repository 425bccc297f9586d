/// Bytes formatted in memory by one worker and handed whole to the file writer, without a copy.
///
/// `@unchecked Sendable` is safe: the bytes are never changed after the block is made.
final class ByteBlock: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<UInt8>
    /// The number of bytes.
    let count: Int

    /// Takes ownership of `count` initialized bytes at `storage`, allocated with `UnsafeMutablePointer.allocate`.
    init(taking storage: UnsafeMutablePointer<UInt8>, count: Int) {
        self.storage = storage
        self.count = count
    }

    deinit {
        storage.deallocate()
    }

    /// Calls `body` with the bytes.
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(UnsafeBufferPointer(start: storage, count: count))
    }
}
