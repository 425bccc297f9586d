/// What went wrong talking to PostgreSQL, in one line a person can act on.
///
/// No case carries a password, and none carries a bound value: a message names the user, the host
/// and the database (`PGConnectionURL.description`), the server's own words, and the SQLSTATE.
public enum PGError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The URL cannot be read; the reason never repeats the password.
    case invalidURL(String)
    /// No server answered at the target (refused, no route, a timeout, no socket there).
    case unreachable(target: String, reason: String)
    /// The server refused the user: a wrong or missing password, or no entry in pg_hba.conf.
    case authentication(target: String, reason: String)
    /// The server has no database by that name.
    case unknownDatabase(target: String)
    /// The server is older than the oldest release Lectern supports.
    case serverTooOld(target: String, version: Int, minimum: Int)
    /// The server refused a statement: its SQLSTATE, its message, and the constraint it names.
    case server(sqlState: String, message: String, constraint: String?)
    /// The connection broke, or was closed, before the answer came: what was running is rolled back.
    case connectionLost(String)
    /// A column holds a type this layer does not read, or a column is missing from a row.
    case unreadable(String)

    public var description: String {
        switch self {
        case .invalidURL(let reason):
            "invalid PostgreSQL URL: \(reason)"
        case .unreachable(let target, let reason):
            "cannot reach the PostgreSQL server for \(target): \(reason)"
        case .authentication(let target, let reason):
            "PostgreSQL refused the login \(target): \(reason)"
        case .unknownDatabase(let target):
            "the PostgreSQL server has no database for \(target): create it first (createdb)"
        case .serverTooOld(let target, let version, let minimum):
            "the PostgreSQL server for \(target) is version \(Self.versionName(version)); Lectern needs \(Self.versionName(minimum)) or newer"
        case .server(let sqlState, let message, _):
            "PostgreSQL: \(message) (SQLSTATE \(sqlState))"
        case .connectionLost(let reason):
            "the connection to PostgreSQL was lost: \(reason)"
        case .unreadable(let reason):
            "cannot read a PostgreSQL result: \(reason)"
        }
    }

    /// The server's SQLSTATE, for `.server` errors.
    public var sqlState: String? {
        if case .server(let state, _, _) = self { return state }
        return nil
    }

    /// `integrity_constraint_violation` and its subclasses (23xxx).
    public var isConstraintViolation: Bool { sqlState?.hasPrefix("23") ?? false }
    public var isUniqueViolation: Bool { sqlState == "23505" }
    public var isForeignKeyViolation: Bool { sqlState == "23503" }
    public var isCheckViolation: Bool { sqlState == "23514" }
    /// A trigger's `RAISE EXCEPTION` (P0001), the way Lectern's triggers refuse a row.
    public var isRaisedByTrigger: Bool { sqlState == "P0001" }
    /// A serialization failure or a deadlock: the transaction may be retried.
    public var isRetryable: Bool { sqlState == "40001" || sqlState == "40P01" }

    /// `150018` as `15.18`, `90624` as `9.6.24` (https://www.postgresql.org/docs/current/libpq-status.html).
    static func versionName(_ number: Int) -> String {
        number >= 100_000
            ? "\(number / 10_000).\(number % 10_000)"
            : "\(number / 10_000).\(number / 100 % 100).\(number % 100)"
    }
}
