/// Immutable byte strings (slugs, kinds, channel names) in one allocation, read without reference counting.
///
/// `@unchecked Sendable` is safe: the bytes are written once in `init` and only read afterwards.
final class ByteStrings: @unchecked Sendable {
    private let storage: UnsafeMutablePointer<UInt8>
    private let starts: [Int]

    /// Copies the UTF-8 bytes of `strings`.
    ///
    /// - Complexity: O(*n*) in the total length of the strings.
    convenience init(_ strings: [String]) {
        self.init(strings.map { Array($0.utf8) })
    }

    /// Copies byte strings.
    ///
    /// - Complexity: O(*n*) in the total length of the strings.
    init(_ strings: [[UInt8]]) {
        var starts = [0]
        for string in strings { starts.append(starts[starts.count - 1] + string.count) }
        storage = .allocate(capacity: max(1, starts[starts.count - 1]))
        for (index, string) in strings.enumerated() {
            (storage + starts[index]).initialize(from: string, count: string.count)
        }
        self.starts = starts
    }

    deinit {
        storage.deallocate()
    }

    /// The number of strings.
    var count: Int { starts.count - 1 }

    /// The bytes of string `index`, valid while this object lives.
    @inline(__always)
    subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: storage + starts[index], count: starts[index + 1] - starts[index])
    }
}
