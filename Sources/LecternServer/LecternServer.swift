import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// How `lectern serve` runs.
public struct ServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    /// 0 picks a free port (read it back from `RunningServer.port`).
    public var port = 8080
    /// The database: an SQLite file's path, or a `postgres://` URL (its password is never logged).
    public var databaseLocation: String
    /// A hot standby of the PostgreSQL primary (`--read-db`, a `postgres://` URL) that answers
    /// the reads; nil reads from the primary.
    public var readDatabaseLocation: String?
    /// The SQLite file's path (the same as `databaseLocation`).
    public var databasePath: String {
        get { databaseLocation }
        set { databaseLocation = newValue }
    }
    /// Requests a second per API key; 0 turns rate limiting off.
    public var rateLimit: Double = 100
    /// Requests a key may make at once above the steady rate.
    public var burst = 200
    /// The largest request body accepted, in bytes.
    public var maxBodyBytes = defaultMaxBodyBytes
    public static let defaultMaxBodyBytes = 1 << 20
    /// A connection idle this long (no request, or a stalled body) is closed.
    public var idleTimeoutSeconds: Int64 = 30
    /// How long a request waits on a database lock another process holds before a 503 (on
    /// PostgreSQL the sessions' `lock_timeout`).
    public var busyTimeoutMilliseconds: Int32 = 2_000
    /// How long a key found by its token is trusted before it is read again (so a key revoked by
    /// `lectern apikey revoke` is refused within this time); 0 reads it on every request.
    public var keyCacheSeconds: Double = 1
    /// Threads running database work.
    public var databaseThreads = 8
    public var logger = Logger(label: "lectern.serve")

    public init(databasePath: String) {
        databaseLocation = databasePath
    }

    /// - Parameter databaseLocation: an SQLite file's path or a `postgres://` URL.
    public init(databaseLocation: String) {
        self.databaseLocation = databaseLocation
    }
}

/// A server started in the background (by tests and tools); `stop()` shuts it down gracefully.
public final class RunningServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// Stops taking connections, finishes the requests in flight, and returns.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// `lectern serve`: the HTTP API over one Lectern database.
public enum LecternServer {
    /// Runs until SIGTERM or SIGINT, then finishes the requests in flight and returns.
    /// - Parameter onRunning: called with the bound port once the server accepts connections.
    public static func run(_ configuration: ServerConfiguration,
                           onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let pool = try makePool(configuration)
        let app = makeApplication(configuration, pool: pool) { channel in
            await onRunning(channel.localAddress?.port ?? configuration.port)
        }
        // Shut down in reverse order: the server first, then the wipe service, then the database.
        let group = ServiceGroup(configuration: .init(services: [pool, PendingWipeService(pool: pool), app],
                                                      gracefulShutdownSignals: [.sigterm, .sigint],
                                                      logger: configuration.logger))
        try await group.run()
    }

    /// Starts a server in the background and returns once it accepts connections.
    public static func start(_ configuration: ServerConfiguration) async throws -> RunningServer {
        let pool = try makePool(configuration)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = makeApplication(configuration, pool: pool) { channel in
            continuation.yield(channel.localAddress?.port ?? configuration.port)
            continuation.finish()
        }
        let group = ServiceGroup(configuration: .init(services: [pool, PendingWipeService(pool: pool), app], logger: configuration.logger))
        let task = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try? await task.value
            try? await pool.shutdown()
            throw APIError(.internalServerError, "not_started", "the server did not start")
        }
        return RunningServer(port: port, group: group, task: task)
    }

    static func makePool(_ configuration: ServerConfiguration) throws -> AsyncDatabase {
        try AsyncDatabase(location: configuration.databaseLocation, standby: configuration.readDatabaseLocation,
                          threadCount: configuration.databaseThreads,
                         busyTimeoutMilliseconds: configuration.busyTimeoutMilliseconds)
    }

    static func makeApplication(_ configuration: ServerConfiguration, pool: AsyncDatabase,
                                onServerRunning: @escaping @Sendable (any Channel) async -> Void) -> some ApplicationProtocol {
        let metrics = Metrics()
        let router = Router(context: APIRequestContext.self)
        router.add(middleware: AccessMiddleware(metrics: metrics))
        let api = LecternAPI(pool: pool, metrics: metrics,
                             limiter: RateLimiter(rate: configuration.rateLimit, burst: configuration.burst),
                             keys: KeyCache(ttl: .milliseconds(Int64(configuration.keyCacheSeconds * 1000))))
        api.addRoutes(to: router)
        // Added after the routes, so it wraps only Hummingbird's not-found responder.
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return Application(
            responder: ConfiguredResponder(routes: router.buildResponder(), maxUploadSize: configuration.maxBodyBytes),
            server: .http1(configuration: .init(additionalChannelHandlers: [ProtocolErrorHandler()],
                                                idleTimeout: .seconds(configuration.idleTimeoutSeconds),
                                                httpDecoderConfiguration: ProtocolErrorHandler.decoderLimits)),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "lectern"),
            onServerRunning: onServerRunning,
            logger: configuration.logger)
    }
}
