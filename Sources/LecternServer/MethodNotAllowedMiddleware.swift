import Hummingbird

/// Answers 405 with `Allow` when a path the router knows is asked with a method it does not take
/// (Hummingbird's router answers that as not found).
///
/// Added to the router after every route, so it wraps only the not-found responder.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext
    /// Each route's path and the methods it takes.
    let routes: [(path: RouterPath, methods: [HTTPRequest.Method])]

    init(routes: [Router<Context>.RouteDescription]) {
        var methods: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in routes { methods[route.path.description, default: (route.path, [])].methods.append(route.method) }
        self.routes = methods.keys.sorted().map { methods[$0]! }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let matching = routes(matching: request.uri.path)
            guard let route = matching.first else { throw error }
            context.coreContext.endpointPath.value = route.path.description  // the metrics' and access log's route
            throw APIError.methodNotAllowed(Set(matching.flatMap(\.methods)).sorted { $0.rawValue < $1.rawValue })
        }
    }

    /// The routes whose path matches `path`, segment by segment as the router's trie matches (no
    /// route here has a wildcard).
    /// - Complexity: O(routes x segments), on not-found answers only.
    func routes(matching path: String) -> [(path: RouterPath, methods: [HTTPRequest.Method])] {
        let segments = path.split(separator: "/")
        return routes.filter { route in
            route.path.count == segments.count && zip(route.path, segments).allSatisfy { $0 ~= $1 }
        }
    }
}
