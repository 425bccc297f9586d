import Synchronization

/// A connection that many threads may share: every access runs while holding one mutex.
///
/// The compiler checks that this is safe: the connection lives inside the `Mutex`, reached only
/// through `withLock`, and a closure's result must be `sending` (a value the closure made, not the
/// connection or a statement of it), so nothing of the connection leaves the lock.
public final class DatabaseQueue: Sendable {
    private let connection: Mutex<Connection>

    public init(path: String, options: Connection.Options = Connection.Options()) throws {
        connection = Mutex(try Connection(path: path, options: options))
    }

    /// Wraps `connection`, which the caller hands over and uses no more.
    public init(_ connection: sending Connection) {
        self.connection = Mutex(connection)
    }

    /// Runs `body` with exclusive use of the connection.
    public func read<T>(_ body: (Connection) throws -> sending T) rethrows -> T {
        try connection.withLock { try body($0) }
    }

    /// Runs `body` in an immediate transaction with exclusive use of the connection.
    public func write<T>(_ body: (Connection) throws -> sending T) throws -> T {
        try connection.withLock { db in
            // `Connection.transaction` would take a closure holding both `db` and `body`, which the
            // compiler cannot tell keeps `db` inside the lock; so the transaction is opened here.
            let scope = try db.begin(.immediate)
            let result: T
            do {
                result = try body(db)
            } catch {
                db.rollBack(scope)
                throw error
            }
            try db.commit(scope)
            return result
        }
    }
}
