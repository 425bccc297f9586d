import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

extension PGConnection {
    /// Turns a failure to connect into one line: unreachable, refused login, unknown database.
    /// Nothing of it comes from the configuration, so the password cannot appear.
    static func connectError(_ error: any Error, target: String, passwordGiven: Bool) -> PGError {
        guard let error = error as? PSQLError else {
            return .unreachable(target: target, reason: shortReason(error))
        }
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? "refused"
            switch state {
            case "28P01", "28000": return .authentication(target: target, reason: message)
            case "3D000": return .unknownDatabase(target: target)
            default: return .server(sqlState: state, message: message, constraint: nil)
            }
        case .authMechanismRequiresPassword:
            return .authentication(target: target, reason: passwordGiven
                ? "the server refused the password"
                : "the server asks for a password: give it in the URL, PGPASSWORD or ~/.pgpass")
        case .unsupportedAuthMechanism, .saslError:
            return .authentication(target: target, reason: "the server asks for a login method Lectern does not speak (use scram-sha-256, md5 or trust)")
        case .connectionError:
            return .unreachable(target: target, reason: error.underlying.map(shortReason) ?? "no answer")
        case .sslUnsupported:
            return .unreachable(target: target, reason: "the server wants TLS, which Lectern does not speak to PostgreSQL yet")
        default:
            return .unreachable(target: target, reason: "the connection closed during the login (\(error.code))")
        }
    }

    /// Turns a failed statement into a `PGError`: the server's SQLSTATE and message, or a lost connection.
    static func statementError(_ error: any Error) -> PGError {
        if let error = error as? PGError { return error }
        // A prepared statement's errors come in postgres-nio's older form.
        if let error = error as? PostgresError {
            switch error {
            case .server(let fields):
                return serverError(state: fields.fields[.sqlState] ?? "XX000", message: fields.fields[.message] ?? "an unknown error",
                                   constraint: fields.fields[.constraintName])
            case .connectionClosed:
                return .connectionLost("the server closed it or the network failed; what was running was not committed")
            case .protocol(let reason):
                return .connectionLost(reason)
            }
        }
        guard let error = error as? PSQLError else {
            return .connectionLost(shortReason(error))
        }
        switch error.code {
        case .server:
            return serverError(state: error.serverInfo?[.sqlState] ?? "XX000", message: error.serverInfo?[.message] ?? "an unknown error",
                               constraint: error.serverInfo?[.constraintName])
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError:
            return .connectionLost("the server closed it or the network failed; what was running was not committed")
        case .queryCancelled:
            return .server(sqlState: "57014", message: "the statement was cancelled", constraint: nil)
        default:
            return .connectionLost("\(error.code)")
        }
    }

    /// A socket error as the system says it ("Connection refused"), without the type's decoration.
    /// The server refused a statement. The server ending the session (an administrator, a shutdown,
    /// a crash: class 57P) or the connection failing (class 08) loses the transaction, as a dropped
    /// socket does.
    private static func serverError(state: String, message: String, constraint: String?) -> PGError {
        if state.hasPrefix("57P") || state.hasPrefix("08") {
            return .connectionLost("\(message) (SQLSTATE \(state)); what was running was not committed")
        }
        return .server(sqlState: state, message: message, constraint: constraint)
    }

    static func shortReason(_ error: any Error) -> String {
        if let error = error as? IOError { return String(cString: strerror(error.errnoCode)) }
        if let error = error as? NIOConnectionError {
            if let first = error.connectionErrors.first { return shortReason(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "unknown host" }
            return "no address to connect to"
        }
        if let error = error as? ChannelError, case .connectTimeout = error { return "timed out" }
        if let error = error as? SocketAddressError {
            if case .unknown = error { return "unknown host" }
            return "bad socket address"
        }
        if let error = error as? PSQLError { return "\(error.code)" }
        return String(describing: error).split(separator: "\n").first.map(String.init) ?? "unknown error"
    }
}
