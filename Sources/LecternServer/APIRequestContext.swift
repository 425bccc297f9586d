import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// The request context of the API: Hummingbird's core context, who is calling, the server's body
/// limit, and the API's JSON coders.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Shared by every copy of this request's context, so the access log (outermost) learns the
    /// key that the authentication middleware (inner) found.
    let caller = Caller()
    /// The largest request body read, in bytes: `ServerConfiguration.maxBodyBytes`, which
    /// `ConfiguredResponder` sets (Hummingbird makes a context from the connection and logger only).
    public internal(set) var maxUploadSize = ServerConfiguration.defaultMaxBodyBytes

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }
    public var responseEncoder: JSONEncoder { Self.encoder }

    /// Every JSON body the API sends, errors included: snake_case keys (`courseID` is `course_id`),
    /// sorted, slashes unescaped. Made once; JSONEncoder is safe to share between threads.
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// Reads a JSON request body of at most the context's `maxUploadSize` bytes. A body that is not the
/// expected JSON answers 400 `invalid_json` with a sentence naming the field (Hummingbird's own
/// messages would name Swift's types); a longer one, 413 `body_too_large`.
public struct APIRequestDecoder: RequestDecoder {
    /// Request bodies name their keys explicitly (`CodingKeys`), so no key strategy.
    static let json = JSONDecoder()

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            // Named here: the error's `maxBytes` is what was left of the limit when a later chunk came.
            throw APIError.bodyTooLarge("the request body is over the limit of \(context.maxUploadSize) bytes")
        }
        do {
            return try Self.json.decode(type, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(.badRequest, "invalid_json", APIError.describe(error))
        }
    }
}

/// The router's responder with this server's settings put into each request's context before
/// routing, once, so no middleware or handler keeps its own copy of them.
struct ConfiguredResponder<Routes: HTTPResponder<APIRequestContext>>: HTTPResponder {
    let routes: Routes
    let maxUploadSize: Int

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        var context = context
        context.maxUploadSize = maxUploadSize
        return try await routes.respond(to: request, context: context)
    }
}

/// The key a request authenticated with, if any.
final class Caller: Sendable {
    private let name = Mutex<String?>(nil)
    private let organisation = Mutex<Int64?>(nil)

    var keyName: String? {
        get { name.withLock { $0 } }
        set { name.withLock { $0 = newValue } }
    }

    /// The organisation the caller's key is scoped to, if any.
    var orgID: Int64? {
        get { organisation.withLock { $0 } }
        set { organisation.withLock { $0 = newValue } }
    }
}
