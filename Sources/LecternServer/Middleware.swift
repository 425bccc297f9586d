import Foundation
import Hummingbird
import LecternCore
import LecternStore
import Logging

/// The outermost middleware: refuses bodies whose Content-Length is over the context's limit,
/// turns every error into the API's JSON error body, names the request's id in `X-Request-Id`,
/// counts the request in the metrics and writes one structured access-log line (with the id as
/// `hb.request.id`, as every line logged for the request has).
///
/// An error the API does not expect (an `internal_error`) is answered without its text, which can
/// name files, tables and code: the log line `unexpected error` has it, under the request's id.
struct AccessMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let metrics: Metrics
    /// The header naming the request's id (HTTPTypes has no constant for it).
    static let requestID = HTTPFields.Element.Name("X-Request-Id")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > context.maxUploadSize {
                throw APIError.bodyTooLarge("the request body is \(length) bytes; the limit is \(context.maxUploadSize)")
            }
            response = try await next(request, context)
        } catch {
            response = try answer(to: error, request: request, context: context)
        }
        response.headers[Self.requestID] = context.id
        let seconds = (ContinuousClock.now - start).inSeconds
        let route = context.endpointPath ?? "unmatched"
        metrics.observe(route: route, method: request.method.rawValue, status: response.status.code, seconds: seconds)
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "route": .string(route),
            "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.3f", seconds * 1000)),
        ]
        if let key = context.caller.keyName { metadata["key"] = .string(key) }
        context.logger.info("request", metadata: metadata)
        return response
    }

    /// The API's answer to `error`; for an unexpected one, `internal_error` with the request's id,
    /// after logging the error's text under that id.
    func answer(to error: any Error, request: Request, context: Context) throws -> Response {
        guard let answer = APIError.answer(to: error) else {
            context.logger.error("unexpected error", metadata: [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "error": .string(String(describing: error)),
                "error_type": .string(String(reflecting: type(of: error))),
            ])
            return try APIError.internalError(requestID: context.id).response(from: request, context: context)
        }
        return try answer.response(from: request, context: context)
    }
}

/// Checks the bearer token against the stored key hashes, the key's scope, and its rate limit.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    let required: APIKey.Scope
    let pool: AsyncDatabase
    let keys: KeyCache
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing_api_key", "send an API key as 'Authorization: Bearer <token>'")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError(.unauthorized, "missing_api_key", "the Authorization header must be 'Bearer <token>'")
        }
        let hash = APIToken.hash(String(parts[1]).trimmingCharacters(in: .whitespaces))
        let found = try await keys.key(hash: hash) { try await pool.readPrimary { db in try APIKeyRepository(db).find(tokenHash: hash) } }
        guard let key = found else { throw APIError(.unauthorized, "invalid_api_key", "the API key is not known") }
        guard !key.isRevoked else { throw APIError(.unauthorized, "revoked_api_key", "the API key '\(key.name)' was revoked") }
        context.caller.keyName = key.name
        context.caller.orgID = key.orgID
        guard key.scope.allows(required) else {
            throw APIError(.forbidden, "insufficient_scope",
                           "the API key '\(key.name)' has scope \(key.scope.rawValue); this endpoint needs \(required.rawValue)")
        }
        if let wait = limiter.take(key: key.id) {
            throw APIError(.tooManyRequests, "rate_limited",
                           "the API key '\(key.name)' is over \(Metrics.format(limiter.rate)) requests a second; retry in \(wait) s",
                           retryAfter: wait)
        }
        return try await next(request, context)
    }
}
