/// Hands a value that is not `Sendable` to other threads: one that alone uses it from then on, or
/// workers that only read it or write disjoint parts of it. The caller promises that no two
/// threads touch the same element, which the compiler cannot check.
public struct UnsafeSendable<Value>: @unchecked Sendable {
    public let value: Value

    @inlinable
    public init(_ value: Value) {
        self.value = value
    }
}
