import Foundation

/// Where a PostgreSQL database is and who connects to it, parsed from a URL as libpq reads one:
/// `postgres://user[:password]@host[:port]/dbname` (or `postgresql://`), with `?host=/socket/dir`
/// (and `&port=`) for a Unix socket.
///
/// The password is kept apart and never shown: `description` and every error name the user, the
/// host and the database only (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING-URIS).
public struct PGConnectionURL: Sendable, Equatable, CustomStringConvertible {
    /// A host name or address, or nil with `socketDirectory`.
    public var host: String?
    /// The folder holding the server's socket `.s.PGSQL.<port>`.
    public var socketDirectory: String?
    public var port: Int
    public var user: String
    public var database: String
    /// The password written in the URL, if any (see `resolvedPassword`).
    public var password: String?

    /// Whether `text` names a PostgreSQL database rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`. `environment` gives the user when the URL has none (`PGUSER`, else `USER`).
    /// - Throws: `PGError.invalidURL`, whose message never repeats the password.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let schemeEnd = text.range(of: "://"), Self.isURL(text) else {
            throw PGError.invalidURL("it must start with postgres:// or postgresql://")
        }
        var rest = String(text[schemeEnd.upperBound...])
        var query = ""
        if let mark = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: mark)...])
            rest = String(rest[..<mark])
        }
        var authority = rest
        var path = ""
        if let slash = rest.firstIndex(of: "/") {
            authority = String(rest[..<slash])
            path = String(rest[rest.index(after: slash)...])
        }
        var userInfo: String?
        if let at = authority.lastIndex(of: "@") {
            userInfo = String(authority[..<at])
            authority = String(authority[authority.index(after: at)...])
        }
        if let userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            user = try Self.decode(String(parts[0]), what: "user name")
            password = parts.count > 1 ? try Self.decode(String(parts[1]), what: "password") : nil
        } else {
            user = ""
        }
        let (hostPart, portPart) = try Self.splitHostPort(authority)
        host = hostPart.isEmpty ? nil : try Self.decode(hostPart, what: "host")
        port = 5432
        if let portPart { port = try Self.port(portPart) }
        database = try Self.decode(path, what: "database name")
        try applyQuery(query)
        if user.isEmpty { user = environment["PGUSER"] ?? environment["USER"] ?? "postgres" }
        if database.isEmpty { database = user }
        if host == nil && socketDirectory == nil { host = "localhost" }
    }

    /// `user@host:port/database`, or `user@/socket/dir:port/database`: never the password.
    public var description: String {
        "\(user)@\(socketDirectory ?? host ?? "localhost"):\(port)/\(database)"
    }

    /// The password to send: the URL's, else `PGPASSWORD`, else the first matching line of the
    /// password file (`PGPASSFILE`, else `~/.pgpass`), as libpq looks them up.
    public func resolvedPassword(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let password { return password }
        if let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty { return fromEnvironment }
        let file = environment["PGPASSFILE"] ?? environment["HOME"].map { $0 + "/.pgpass" }
        guard let file else { return nil }
        let hostForFile = socketDirectory == nil ? (host ?? "localhost") : "localhost"
        return PGPassFile(path: file)?.password(host: hostForFile, port: port, database: database, user: user)
    }

    private mutating func applyQuery(_ query: String) throws {
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = try Self.decode(parts.count > 1 ? String(parts[1]) : "", what: key)
            switch key {
            case "host":
                if value.hasPrefix("/") { socketDirectory = value; host = nil } else { host = value }
            case "port": port = try Self.port(value)
            case "user": user = value
            case "dbname": database = value
            case "password": password = value
            case "sslmode" where value == "disable" || value == "prefer" || value == "allow": break
            case "sslmode": throw PGError.invalidURL("sslmode=\(value) is not supported yet (only disable, allow, prefer)")
            case "connect_timeout", "application_name": break
            default: throw PGError.invalidURL("unknown parameter '\(key)'")
            }
        }
    }

    private static func splitHostPort(_ authority: String) throws -> (String, String?) {
        if authority.hasPrefix("[") {  // [::1]:5432
            guard let close = authority.firstIndex(of: "]") else { throw PGError.invalidURL("an IPv6 host needs its closing ]") }
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let after = authority[authority.index(after: close)...]
            return (host, after.hasPrefix(":") ? String(after.dropFirst()) : nil)
        }
        guard let colon = authority.lastIndex(of: ":") else { return (authority, nil) }
        return (String(authority[..<colon]), String(authority[authority.index(after: colon)...]))
    }

    private static func port(_ text: String) throws -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw PGError.invalidURL("the port must be a number from 1 to 65535")
        }
        return port
    }

    private static func decode(_ text: String, what: String) throws -> String {
        guard let decoded = text.removingPercentEncoding else {
            throw PGError.invalidURL("the \(what) has a bad %-escape")
        }
        return decoded
    }
}
