import Foundation

/// A connection that many threads may share: every access runs while holding one lock.
///
/// `@unchecked Sendable` is safe because the connection is private and only ever touched inside
/// `lock.withLock`, so no two threads use it at once (it is opened with `SQLITE_OPEN_NOMUTEX`,
/// which leaves serialisation to us). Closures must not let the connection escape.
public final class DatabaseQueue: @unchecked Sendable {
    private let connection: Connection
    private let lock = NSLock()

    public init(path: String, options: Connection.Options = Connection.Options()) throws {
        connection = try Connection(path: path, options: options)
    }

    public init(_ connection: Connection) {
        self.connection = connection
    }

    /// Runs `body` with exclusive use of the connection.
    public func read<T>(_ body: (Connection) throws -> T) rethrows -> T {
        try lock.withLock { try body(connection) }
    }

    /// Runs `body` in an immediate transaction with exclusive use of the connection.
    public func write<T>(_ body: (Connection) throws -> T) throws -> T {
        try lock.withLock { try connection.transaction(.immediate) { try body(connection) } }
    }
}
