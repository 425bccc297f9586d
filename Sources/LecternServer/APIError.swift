import Foundation
import Hummingbird
import LecternStore
import NIOCore
import NIOHTTP1

/// An error the API answers with: an HTTP status and `{"error": {"code": ..., "message": ...}}`
/// (and `request_id` for an `internal_error`).
public struct APIError: Error, Sendable, HTTPResponseError {
    public var status: HTTPResponse.Status
    /// A stable, machine-readable name such as `not_found` or `rate_limited`.
    public var code: String
    /// One sentence for a person.
    public var message: String
    /// Seconds to wait before retrying (429 and 503).
    public var retryAfter: Int?
    /// The methods the path takes (405), sent as `Allow`.
    public var allow: [HTTPRequest.Method] = []
    /// The answer ends the connection (`Connection: close`): the rest of the request is not read.
    public var closesConnection = false
    /// The id of the request whose failure the server's log describes (`internal_error`).
    public var requestID: String?

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "invalid_request", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }

    /// A body over the limit; the connection is closed rather than the rest of the body read.
    static func bodyTooLarge(_ message: String) -> APIError {
        var error = APIError(.contentTooLarge, "body_too_large", message)
        error.closesConnection = true
        return error
    }

    /// A failure the API did not expect: the body names no cause, only the request's id, under which
    /// the server logged the cause.
    static func internalError(requestID: String) -> APIError {
        var error = APIError(.internalServerError, "internal_error",
                             "the server failed to answer; its log has the cause under request id \(requestID)")
        error.requestID = requestID
        return error
    }

    /// A method the path does not take.
    static func methodNotAllowed(_ allow: [HTTPRequest.Method]) -> APIError {
        var error = APIError(.methodNotAllowed, "method_not_allowed",
                             "this endpoint takes \(allow.map(\.rawValue).joined(separator: ", ")) only")
        error.allow = allow
        return error
    }

    /// A request the HTTP/1 parser refused; nothing after it on the connection can be read.
    static func malformedRequest(_ error: HTTPParserError) -> APIError {
        var answer = error == .headerOverflow
            ? APIError(.badRequest, "headers_too_large",
                       "the request's headers are over the server's limit (\(ProtocolErrorHandler.headerLimitDescription))")
            : APIError(.badRequest, "malformed_request", "the request is not valid HTTP/1.1: \(error.debugDescription)")
        answer.closesConnection = true
        return answer
    }

    public var headers: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let retryAfter { fields[.retryAfter] = String(retryAfter) }
        if !allow.isEmpty { fields[.allow] = allow.map(\.rawValue).joined(separator: ", ") }
        if closesConnection { fields[.connection] = "close" }
        return fields
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try EditedResponse(status: status, headers: headers, response: ErrorBody(self)).response(from: request, context: context)
    }

    /// The JSON body, for an answer written below the router (`ProtocolErrorHandler`).
    var body: Data {
        (try? APIRequestContext.encoder.encode(ErrorBody(self))) ?? Data()
    }

    /// The API's answer for an error a handler or middleware threw; nil for a failure the API does
    /// not expect (a database that cannot be read, a value that cannot be encoded), whose text is
    /// for the log only.
    static func answer(to error: any Error) -> APIError? {
        switch error {
        case let error as APIError:
            return error
        case let error as StoreError:
            switch error.code {
            case .notFound: return APIError(.notFound, "not_found", error.message)
            case .invalidInput: return APIError(.badRequest, "invalid_request", error.message)
            case .conflict: return APIError(.conflict, "conflict", error.message)
            case .busy: return APIError(.serviceUnavailable, "database_busy", error.message, retryAfter: 1)
            case .unavailable:
                // The message names `user@host:port/database` at most, never a password.
                return APIError(.serviceUnavailable, "database_unavailable", error.message, retryAfter: 1)
            case .io where error.sqlState == "22021" || error.sqlState == "22P05":
                // A NUL character (U+0000) in a text field: PostgreSQL's text cannot hold it.
                return .badRequest("a text field holds a NUL character (U+0000), which the database cannot store")
            case .foreignDatabase, .newerSchema, .tamperedMigration, .io: return nil
            }
        case is NIOTooManyBytesError:
            return .bodyTooLarge("the request body is over the server's limit")
        case let error as HTTPParserError:
            return .malformedRequest(error)
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge:
                return .bodyTooLarge("the request body is larger than the server accepts")
            case .notFound:
                return APIError(.notFound, "not_found", "no such endpoint")
            case .methodNotAllowed:
                return APIError(.methodNotAllowed, "method_not_allowed", "this endpoint does not take that method")
            default:
                return APIError(error.status, "http_error", error.body ?? error.status.reasonPhrase)
            }
        default:
            return nil
        }
    }

    /// A sentence naming the field a JSON body got wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "the body" : "'" + keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[") + "'"
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "\(path(context)) must be \(name(of: type))"
        case .valueNotFound(let type, let context):
            return "\(path(context)) must be \(name(of: type)), not null"
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "'\(key.stringValue)' is required\(parent)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "the body is not valid JSON" }
            return "\(path(context)): \(context.debugDescription)"
        @unknown default:
            return "the body does not match what this endpoint takes"
        }
    }

    private static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }
}

/// `{"error": {"code": ..., "message": ..., "request_id": ...}}`.
struct ErrorBody: ResponseEncodable, Sendable {
    struct Detail: Encodable, Sendable {
        var code: String
        var message: String
        var requestID: String?
    }

    var error: Detail

    init(_ error: APIError) {
        self.error = Detail(code: error.code, message: error.message, requestID: error.requestID)
    }
}
