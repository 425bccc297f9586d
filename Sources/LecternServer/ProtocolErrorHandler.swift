import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Sits between the HTTP/1 codec and Hummingbird's request loop (one per connection), for what
/// the router never sees.
///
/// - A request the HTTP/1 parser refuses before its head is complete (a garbage request line,
///   headers over `decoderLimits`) is answered 400 with the API's JSON error body. Hummingbird would
///   write a 400 with an empty body; that one is dropped, as is any answer Hummingbird writes after
///   the parser failed once every request read has had its own.
/// - A response that says `Connection: close` (a 413, a malformed request) ends the connection once
///   it is written: the output is shut (the client reads the answer, then end of stream), and what
///   the client still sends is dropped unparsed, never read as the rest of a body, until the client
///   closes too or `--idle-timeout` passes (a full close at once would reset the connection, and a
///   client still sending could lose the answer).
///
/// Runs on the channel's event loop only.
final class ProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The HTTP/1 decoder's limits: Hummingbird's defaults, named here so the error message says them.
    static let decoderLimits = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: 80 * 1024, maxHeaderListSize: 80 * 1024, maxHeaderFieldCount: 1000)
    static var headerLimitDescription: String {
        "\(decoderLimits.maxHeaderListSize / 1024) KiB in all, \(decoderLimits.maxHeaderFieldCount) fields"
    }

    /// Request heads passed on, and responses (not 1xx) ended.
    private var requestsRead = 0
    private var responsesEnded = 0
    /// A request head was passed on and its end was not.
    private var requestOpen = false
    /// The parser (or the head's conversion) failed: nothing more is read on this connection.
    private var failed = false
    /// The answer to a request refused before its head, written once earlier requests have theirs.
    private var refusal: APIError?
    /// The response being written says `Connection: close`.
    private var closeAfterResponse = false
    /// Hummingbird's answer after a failure is being dropped, from its head to its end.
    private var dropping = false
    /// The output is shut: nothing more is written or read.
    private var outputClosed = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed, !outputClosed else { return }
        switch unwrapInboundIn(data) {
        case .head:
            requestsRead += 1
            requestOpen = true
        case .body:
            break
        case .end:
            requestOpen = false
        }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !failed, !outputClosed, let answer = Self.answer(to: error) {
            failed = true
            // A failure inside a body belongs to that request, whose handler answers it.
            if !requestOpen {
                refusal = answer
                if responsesEnded >= requestsRead { writeRefusal(context: context) }
            }
        }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !outputClosed else {
            promise?.succeed(())
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            if head.status.kind == .informational { break }
            if failed && responsesEnded >= requestsRead {
                dropping = true
                promise?.succeed(())
                return
            }
            closeAfterResponse = head.headerFields[.connection]?.split(separator: ",")
                .contains { $0.filter { $0 != " " && $0 != "\t" }.lowercased() == "close" } ?? false
        case .body:
            if dropping {
                promise?.succeed(())
                return
            }
        case .end:
            if dropping {
                dropping = false
                promise?.succeed(())
                return
            }
            responsesEnded += 1
            context.write(data, promise: promise)
            if closeAfterResponse {
                closeOutput(context: context)
            } else if refusal != nil, responsesEnded >= requestsRead {
                writeRefusal(context: context)
            }
            return
        }
        context.write(data, promise: promise)
    }

    /// The API's answer to an error from the HTTP/1 decoder or the head's conversion; nil for others
    /// (a reset connection, say), which have no one to answer.
    static func answer(to error: any Error) -> APIError? {
        switch error {
        case let error as HTTPParserError:
            return .malformedRequest(error)
        case is HTTP1TypeConversionError:
            var answer = APIError(.badRequest, "malformed_request", "the request head cannot be read as HTTP")
            answer.closesConnection = true
            return answer
        default:
            return nil
        }
    }

    private func writeRefusal(context: ChannelHandlerContext) {
        guard let answer = refusal else { return }
        refusal = nil
        let body = answer.body
        var fields = answer.headers
        fields[.connection] = "close"
        fields[.contentLength] = String(body.count)
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: body))), promise: nil)
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
        closeOutput(context: context)
    }

    /// Flushes what is written, then shuts the output once it is on the wire.
    private func closeOutput(context: ChannelHandlerContext) {
        outputClosed = true
        refusal = nil
        context.flush()
        context.close(mode: .output, promise: nil)
    }
}

@available(*, unavailable)
extension ProtocolErrorHandler: Sendable {}
