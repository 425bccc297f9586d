import ArgumentParser
import Foundation
import LecternCore
import LecternRecommender
import LecternServer
import LecternReports
import LecternStore
import Logging
import Synchronization

extension APIKey.Scope: ExpressibleByArgument {}

extension Lectern {
    struct Serve: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve recommendations, the catalog and activity over HTTP (JSON), with API keys.",
            discussion: """
                Endpoints: GET /v1/users/{id}/recommendations, GET /v1/courses, GET /v1/courses/{id}, \
                GET /v1/courses/{id}/similar, POST /v1/users, POST /v1/interactions, GET /healthz, GET /readyz, \
                GET /metrics (Prometheus) and GET /openapi.json (the full description). Every /v1 endpoint and \
                /metrics needs 'Authorization: Bearer <token>' with a key from `lectern apikey create`: reads take \
                a read or write key, writes a write key. Each key is rate limited on its own (429 with \
                Retry-After). Reads see a whole cache while `lectern train` runs in another process. SIGTERM or \
                SIGINT stops taking connections and finishes the requests in flight. One access-log line per \
                request goes to standard error. With --db postgres://..., any number of servers may serve one \
                database (docs/engines.md); a lost connection answers 503 and the next request connects again.                 --read-db sends reads to a hot standby; a learner's own reads (recommendations, assignments) are                 answered there only once it holds all of that learner's events, so a purchase on any node is                 never shown back as a recommendation.
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(help: "The address to listen on (0.0.0.0 for every interface).") var host = "127.0.0.1"
        @Option(help: "The port to listen on (0 picks a free one and prints it).") var port = 8080
        @Option(name: .customLong("rate-limit"), help: "Requests a second per API key (0 for no limit).") var rateLimit: Double = 100
        @Option(help: "Requests a key may make at once above the steady rate.") var burst = 200
        @Option(name: .customLong("max-body"), help: "The largest request body in bytes.") var maxBody = 1 << 20
        @Option(name: .customLong("idle-timeout"), help: "Seconds before an idle or stalled connection is closed.") var idleTimeout = 30
        @Option(name: .customLong("lock-timeout"), help: "Milliseconds a request waits on a database lock before a 503 (PostgreSQL: lock_timeout).")
        var lockTimeout = 2_000
        @Option(name: .customLong("key-cache"), help: "Seconds a key is trusted before it is read again (a revoked key is refused within this time; 0: every request).")
        var keyCache: Double = 1
        @Option(name: .customLong("read-db"), help: ArgumentHelp(
            "A hot standby of the PostgreSQL --db (postgres://...) to answer reads; writes and API keys stay on --db, and a learner's own reads go to --db until the standby has replayed their events.",
            valueName: "url"))
        var readDB: String?
        @Option(help: "Threads running database work (on PostgreSQL also the sessions opened at start and kept open, per database).") var threads = 8
        @Option(name: .customLong("log-level"), help: "Access log level: trace, debug, info, notice, warning, error or critical.")
        var logLevel = "info"

        func validate() throws {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
            guard rateLimit >= 0, rateLimit.isFinite else { throw ValidationError("--rate-limit cannot be negative") }
            guard burst >= 1 else { throw ValidationError("--burst must be at least 1") }
            guard maxBody >= 1 else { throw ValidationError("--max-body must be at least 1 byte") }
            guard idleTimeout >= 1 else { throw ValidationError("--idle-timeout must be at least 1 second") }
            guard (0...600_000).contains(lockTimeout) else { throw ValidationError("--lock-timeout must be 0 to 600000 ms") }
            guard keyCache >= 0, keyCache <= 3_600 else { throw ValidationError("--key-cache must be 0 to 3600 seconds") }
            guard (1...256).contains(threads) else { throw ValidationError("--threads must be 1 to 256") }
            guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
            if let readDB {
                guard case .postgres = database.location, LecternDatabase.isPostgresURL(readDB) else {
                    throw ValidationError("--read-db needs PostgreSQL: --db and --read-db must both be postgres:// URLs")
                }
            }
        }

        func run() throws {
            // A mistyped --db must not start a server on a new, empty database (a URL names a
            // database that exists; the server migrates it as it connects).
            if case .sqlite = database.location { _ = try database.openEitherEngine() }
            var configuration = ServerConfiguration(databaseLocation: database.location.text)
            configuration.host = host
            configuration.port = port
            configuration.rateLimit = rateLimit
            configuration.burst = burst
            configuration.maxBodyBytes = maxBody
            configuration.idleTimeoutSeconds = Int64(idleTimeout)
            configuration.busyTimeoutMilliseconds = Int32(lockTimeout)
            configuration.databaseThreads = threads
            configuration.readDatabaseLocation = readDB
            configuration.keyCacheSeconds = keyCache
            var logger = Logger(label: "lectern.serve") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            configuration.logger = logger
            let (host, settings) = (self.host, configuration)
            do {
                try runBlocking {
                    try await LecternServer.run(settings) { port in
                        // Unbuffered, so a supervisor or a test reading the pipe sees the port at once.
                        FileHandle.standardOutput.write(Data("lectern serve: listening on http://\(host):\(port)\n".utf8))
                    }
                }
            } catch let error as StoreError {
                throw error
            } catch {
                throw CommandFailure.io("cannot serve on \(host):\(port): \(error)")
            }
            print("lectern serve: stopped")
        }
    }

    struct Health: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the database and the age of its recommendation cache; exit non-zero with the reason.",
            discussion: """
                For cron or a monitor: prints one line and exits 0 when the database opens, answers and has \
                a trained model no older than --max-cache-age; otherwise prints `error: <reason>` and exits \
                non-zero (3 no database, 6 not a Lectern database, 7 locked, 1 no or stale cache).
                """)

        @OptionGroup var database: DatabaseOptions
        @Option(name: .customLong("max-cache-age"), help: "The oldest acceptable cache, such as 90m, 24h or 7d (plain numbers are seconds).")
        var maxCacheAge = "24h"
        @Option(help: "Check only this algorithm's cache (default: every cached algorithm).") var algorithm: Algorithm?

        func validate() throws {
            guard parseDuration(maxCacheAge) != nil else {
                throw ValidationError("invalid --max-cache-age '\(maxCacheAge)': use a duration such as 90m, 24h or 7d")
            }
        }

        func run() throws {
            let limit = parseDuration(maxCacheAge)!
            let db = try database.openExistingEitherEngine(migrate: false)
            let path = db.path  // on PostgreSQL `user@host:port/database`, never the password
            let cache = RecommendationCache(db)
            let runs = try cache.activeRuns().filter { algorithm == nil || $0.algorithm == algorithm }
            guard !runs.isEmpty else {
                let which = algorithm.map { "no trained \($0) model" } ?? "no trained model"
                throw CommandFailure("\(which) in \(path): run `lectern train`", code: 1)
            }
            let now = currentUnixTime()
            let stale = runs.filter { now - $0.finishedAt > limit }
            if !stale.isEmpty {
                let list = stale.map { "\($0.algorithm) is \(formatDuration(now - $0.finishedAt)) old" }.joined(separator: ", ")
                throw CommandFailure("stale cache in \(path): \(list) (more than \(maxCacheAge))", code: 1)
            }
            let ages = runs.map { "\($0.algorithm) \(formatDuration(now - $0.finishedAt))" }.joined(separator: ", ")
            print("ok: \(path) answers; cache ages: \(ages)")
        }
    }

    struct APIKeyCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "apikey",
            abstract: "Create, list and revoke the API keys `lectern serve` accepts.",
            discussion: """
                Only a SHA-256 hash of each token is stored; the token is printed once, by create. A read key \
                reads recommendations, courses and metrics; a write key also records users and interactions.
                """,
            subcommands: [Create.self, List.self, Revoke.self])

        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Make a key and print its token (shown only this once).")

            @OptionGroup var database: DatabaseOptions
            @Option(help: "A unique name, such as storefront or partner-acme.") var name: String
            @Option(help: "read, write (read and record) or marketing (read, and course audiences).") var scope: APIKey.Scope = .read
            @Option(help: "Scope the key to this organisation (slug): it sees that organisation's members, assignments and report alone.")
            var org: String?

            func run() throws {
                let db = try database.openEitherEngine()
                let orgID = try org.map { try OrganisationRepository(db).resolve($0).id }
                let (key, token) = try APIToken.createKey(name: name, scope: scope, orgID: orgID, in: APIKeyRepository(db))
                print(token)
                FileHandle.standardError.write(Data("Created \(key.scope.rawValue) key \(key.id) '\(key.name)'. Store the token now: only its hash is kept.\n".utf8))
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List keys (never their tokens).")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            func run() throws {
                let db = try database.openEitherEngine()
                var listing = Listing(["id", "name", "scope", "org", "prefix", "created_at", "revoked_at"])
                let organisations = OrganisationRepository(db)
                for key in try APIKeyRepository(db).list() {
                    let org = try key.orgID.flatMap { try organisations.find(id: $0)?.slug }
                    listing.append([.int(key.id), .text(key.name), .text(key.scope.rawValue), .text(org), .text(key.prefix + "…"),
                                    .text(Timestamp.format(key.createdAt)), .text(key.revokedAt.map(Timestamp.format))])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a key: the server refuses it from the next request on.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The key's name or id.") var key: String

            func run() throws {
                let db = try database.openEitherEngine()
                let keys = APIKeyRepository(db)
                let found = try keys.resolve(key)
                if try keys.revoke(id: found.id) {
                    print("Revoked key \(found.id) '\(found.name)'.")
                } else {
                    print("Key \(found.id) '\(found.name)' was already revoked; nothing changed.")
                }
            }
        }
    }
}

/// Seconds in `90`, `90s`, `15m`, `24h` or `7d`; nil when malformed or not positive.
func parseDuration(_ text: String) -> Int64? {
    let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
    var digits = Substring(text.trimmingCharacters(in: .whitespaces))
    var unit: Int64 = 1
    if let last = digits.last, let scale = units[last] {
        unit = scale
        digits = digits.dropLast()
    }
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(digits), value > 0 else { return nil }
    let (seconds, overflow) = value.multipliedReportingOverflow(by: unit)
    return overflow ? nil : seconds
}

/// `3h 20m`, `45s`, `2d 4h`.
func formatDuration(_ seconds: Int64) -> String {
    let s = max(0, seconds)
    if s < 60 { return "\(s)s" }
    if s < 3_600 { return "\(s / 60)m" }
    if s < 86_400 { return "\(s / 3_600)h \(s % 3_600 / 60)m" }
    return "\(s / 86_400)d \(s % 86_400 / 3_600)h"
}

/// Runs async work from the synchronous command line and waits for it.
func runBlocking(_ body: @escaping @Sendable () async throws -> Void) throws {
    let outcome = Mutex<(any Error)?>(nil)
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await body() } catch { outcome.withLock { $0 = error } }
        done.signal()
    }
    done.wait()
    if let error = outcome.withLock({ $0 }) { throw error }
}
