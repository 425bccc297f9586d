/// Where a record's bytes go: the store's export buffer, the generator's byte writer.
///
/// Class-bound so that `RecordSyntax` can append to a sink held in a `let`.
public protocol ByteSink: AnyObject {
    /// Appends one byte.
    func append(_ byte: UInt8)
    /// Appends bytes.
    func append(_ bytes: UnsafeBufferPointer<UInt8>)
}

extension ByteSink {
    /// Appends the bytes of an array.
    @inlinable
    public func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends a string's UTF-8 bytes unchanged.
    @inlinable
    public func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }
}
