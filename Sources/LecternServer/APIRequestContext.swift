import Hummingbird
import Logging
import Synchronization

/// The request context of the API: Hummingbird's core context plus who is calling.
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Shared by every copy of this request's context, so the access log (outermost) learns the
    /// key that the authentication middleware (inner) found.
    let caller = Caller()

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// The body limit is enforced by `AccessMiddleware` and `collectBody`, with the server's setting.
    public var maxUploadSize: Int { Int.max }
}

/// The key a request authenticated with, if any.
final class Caller: Sendable {
    private let name = Mutex<String?>(nil)

    var keyName: String? {
        get { name.withLock { $0 } }
        set { name.withLock { $0 = newValue } }
    }
}
