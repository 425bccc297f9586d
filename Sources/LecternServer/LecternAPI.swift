import Foundation
import Hummingbird
import LecternCore
import LecternRecommender
import LecternService
import LecternStore

/// The routes of the HTTP API, each a thin call into the store or the recommendation service.
struct LecternAPI: Sendable {
    let pool: AsyncDatabase
    let metrics: Metrics
    let limiter: RateLimiter
    let keys: KeyCache
    /// Catalog, ALS and popularity models kept between folded-in lists.
    let foldIn = FoldInCache()

    /// Most events one `POST /v1/interactions` may carry.
    static let maxBatch = 1000
    /// The longest Idempotency-Key header: with `#999` after it, an event's key stays within 200.
    static let maxHeaderKey = Interaction.maxKeyBytes - 4
    /// The header naming a retried request (HTTPTypes has no constant for it).
    static let idempotencyKey = HTTPFields.Element.Name("Idempotency-Key")!

    func addRoutes(to router: Router<APIRequestContext>) {
        router.get("/healthz") { _, _ in StatusBody(status: "ok") }
        router.get("/readyz") { _, _ in try await ready() }
        router.get("/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.text)))
        }
        router.group()
            .add(middleware: AuthenticationMiddleware(required: .read, pool: pool, keys: keys, limiter: limiter))
            .get("/metrics") { _, _ in try await metricsText() }
            .get("/v1/users/{id}/recommendations") { request, context in try await recommendations(request, context) }
            .get("/v1/courses") { request, _ in try await courses(request) }
            .get("/v1/courses/{id}") { _, context in try await course(context) }
            .get("/v1/courses/{id}/similar") { request, context in try await similar(request, context) }
            .get("/v1/courses/{id}/together") { request, context in try await together(request, context) }
            .get("/v1/bundles") { request, context in try await bundles(request, context) }
            .get("/v1/users/{id}/assignments") { _, context in try await learnerAssignments(context) }
            .get("/v1/orgs/{org}/assignments") { request, context in try await organisationAssignments(request, context) }
        router.group()
            .add(middleware: AuthenticationMiddleware(required: .write, pool: pool, keys: keys, limiter: limiter))
            .post("/v1/users") { request, context in try await createLearner(request, context) }
            .post("/v1/interactions") { request, context in try await record(request, context) }
            .put("/v1/users/{id}/marketing-consent") { request, context in try await setMarketingConsent(request, context) }
        router.group()
            .add(middleware: AuthenticationMiddleware(required: .marketing, pool: pool, keys: keys, limiter: limiter))
            .get("/v1/courses/{id}/audience") { request, context in try await audience(request, context) }
    }

    // MARK: Reads

    func recommendations(_ request: Request, _ context: APIRequestContext) async throws -> RecommendationsBody {
        let user = try id(context)
        let limit = try integer(request, "limit", default: 10, in: 1...100)
        let algorithm = try self.algorithm(request, allowed: Algorithm.allCases)
        let explain = try flag(request, "explain")
        let body = try await pool.read(forLearner: user) { db -> RecommendationsBody? in
            let learner = try visibleLearner(user, context: context, db: db)
            // While an experiment runs, serving logs impressions: nil, and the writer serves.
            let served = try modelErrors {
                try ExperimentService(db, foldInCache: foldIn).serve(learner: learner, algorithm: algorithm, limit: limit, readOnly: true)
            }
            return served.map { RecommendationsBody($0.list, variant: $0.variant, explain: explain) }
        }
        if let body { return body }
        return try await pool.write { db in
            let (list, variant) = try modelErrors {
                try db.transaction(.immediate) { try ExperimentService(db, foldInCache: foldIn).serve(userExternalID: user, algorithm: algorithm, limit: limit) }
            }
            return RecommendationsBody(list, variant: variant, explain: explain)
        }
    }

    func similar(_ request: Request, _ context: APIRequestContext) async throws -> SimilarBody {
        let reference = try id(context)
        let limit = try integer(request, "limit", default: 10, in: 1...100)
        let algorithm = try self.algorithm(request, allowed: [.itemknn, .content]) ?? .itemknn
        return try await pool.read { db in
            let course = try CourseRepository(db).resolve(reference)
            let (items, used) = try RecommendationService(db, foldInCache: foldIn).similar(to: course, algorithm: algorithm, limit: limit)
            return SimilarBody(course: course.slug, algorithm: used.rawValue, items: items.enumerated().map { rank, item in
                SimilarItemBody(rank: rank + 1, courseID: item.courseID, slug: item.slug, title: item.title, score: item.score)
            })
        }
    }

    func courses(_ request: Request) async throws -> CourseListBody {
        let query = request.uri.queryParameters
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) throws -> T? where T.RawValue == String {
            guard let text = query.get(name) else { return nil }
            guard let value = T(rawValue: text) else {
                throw APIError.badRequest("\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
            }
            return value
        }
        func price(_ name: String) throws -> Int64? {
            guard let text = query.get(name) else { return nil }
            guard let minor = Money.parse(text) else { throw APIError.badRequest("\(name) must be a price such as 49.90, got '\(text)'") }
            return minor
        }
        let limit = try integer(request, "limit", default: 50, in: 1...500)
        let offset = try integer(request, "offset", default: 0, in: 0...Int(Int32.max))
        let filter = CourseFilter(domain: query.get("domain"), tag: query.get("tag"),
                                  difficulty: try choice("difficulty", Course.Difficulty.self),
                                  format: try choice("format", Course.Format.self),
                                  status: try choice("status", Course.Status.self),
                                  minPriceMinor: try price("min_price"), maxPriceMinor: try price("max_price"),
                                  text: query.get("search"), limit: limit + 1, offset: offset)
        let creator = query.get("creator")
        return try await pool.read { db in
            var filter = filter
            if let creator { filter.creatorID = try CreatorRepository(db).resolve(creator).id }
            let found = try CourseRepository(db).list(filter)
            return CourseListBody(courses: found.prefix(limit).map { CourseBody($0) }, limit: limit, offset: offset,
                                  nextOffset: found.count > limit ? offset + limit : nil)
        }
    }

    func course(_ context: APIRequestContext) async throws -> CourseBody {
        let reference = try id(context)
        return try await pool.read { db in
            let repository = CourseRepository(db)
            let course = try repository.resolve(reference)
            return CourseBody(course, details: try repository.details(of: course))
        }
    }

    // MARK: Writes

    func createLearner(_ request: Request, _ context: APIRequestContext) async throws -> EditedResponse<LearnerBody> {
        let input = try await request.decode(as: NewLearnerInput.self, context: context)
        if context.caller.orgID != nil {
            throw APIError(.forbidden, "insufficient_scope", "a key scoped to an organisation cannot add learners")
        }
        let learner = try await pool.write { db in
            try LearnerRepository(db).create(Learner(
                externalID: input.externalID, displayName: input.name ?? "", email: input.email, country: input.country,
                interests: input.interests ?? [], channel: input.channel ?? "direct", campaign: input.campaign,
                marketingOptIn: input.marketingOptIn ?? false))
        }
        var segment = CharacterSet.urlPathAllowed
        segment.remove("/")
        let location = "/v1/users/\(learner.externalID.addingPercentEncoding(withAllowedCharacters: segment) ?? "")"
        return EditedResponse(status: .created, headers: [.location: location], response: LearnerBody(learner))
    }

    /// One event (an object) or a batch (an array), recorded all or nothing.
    func record(_ request: Request, _ context: APIRequestContext) async throws -> EditedResponse<InteractionsBody> {
        let batch = try await request.decode(as: EventBatch.self, context: context)
        let (inputs, isBatch) = (batch.events, batch.isBatch)
        guard !inputs.isEmpty else { throw APIError.badRequest("the batch is empty") }
        guard inputs.count <= Self.maxBatch else {
            throw APIError.badRequest("at most \(Self.maxBatch) events per request, got \(inputs.count)")
        }
        let header = request.headers[Self.idempotencyKey]
        if let header, header.unicodeScalars.count > Self.maxHeaderKey {
            throw APIError.badRequest("the Idempotency-Key header is at most \(Self.maxHeaderKey) characters (a batch adds #INDEX to it)")
        }
        let now = currentUnixTime()
        let events = try inputs.enumerated().map { index, input in
            var event = EventInput(user: input.user, course: input.course, kind: input.kind, rating: input.rating,
                                   amountMinor: input.amountMinor, at: input.at, channel: input.channel,
                                   idempotencyKey: input.idempotencyKey, reason: input.reason)
            if event.idempotencyKey == nil, let header { event.idempotencyKey = isBatch ? "\(header)#\(index)" : header }
            do {
                return try ActivityService.check(event, now: now, fields: .api)
            } catch let error as StoreError where isBatch {
                throw StoreError(error.code, "event \(index): \(error.message)")
            }
        }
        let outcomes = try await pool.write { db in
            if context.caller.orgID != nil {
                // A key scoped to an organisation records for its members alone.
                for (index, event) in events.enumerated() {
                    do {
                        _ = try visibleLearner(event.user, context: context, db: db)
                    } catch let error as StoreError where isBatch {
                        throw StoreError(error.code, "event \(index): \(error.message)")
                    }
                }
            }
            let activity = ActivityService(db)
            return isBatch ? try activity.record(events) : [try activity.record(events[0])]
        }
        let results = zip(events, outcomes).enumerated().map { index, pair in
            switch pair.1 {
            case .recorded(let id): InteractionResultBody(index: index, status: "recorded", id: id, idempotencyKey: pair.0.idempotencyKey)
            case .duplicate(let key): InteractionResultBody(index: index, status: "duplicate", idempotencyKey: key)
            case .sameEvent(let id): InteractionResultBody(index: index, status: "duplicate", id: id, idempotencyKey: pair.0.idempotencyKey)
            }
        }
        let recorded = results.filter { $0.status == "recorded" }.count
        return EditedResponse(status: recorded > 0 ? .created : .ok,
                              response: InteractionsBody(recorded: recorded, duplicates: results.count - recorded, results: results))
    }

    // MARK: Operations

    func ready() async throws -> ReadyBody {
        let now = currentUnixTime()
        let models = try await pool.read { db in
            try activeRuns(db).map { run in
                ModelBody(algorithm: run.algorithm.rawValue, runID: run.id, trainedAt: Timestamp.format(run.finishedAt),
                          ageSeconds: max(0, now - run.finishedAt))
            }
        }
        guard !models.isEmpty else {
            throw APIError(.serviceUnavailable, "not_ready", "the database has no trained model: run `lectern train`", retryAfter: 60)
        }
        return ReadyBody(status: "ready", models: models)
    }

    func metricsText() async throws -> Response {
        let runs = try await pool.read { db in try activeRuns(db) }
        let now = Double(currentUnixTime())
        func label(_ run: ModelRun) -> String { "algorithm=\"\(Metrics.escape(run.algorithm.rawValue))\"" }
        var gauges: [Metrics.Gauge] = [
            .init(name: "lectern_cache_age_seconds", help: "Seconds since the active model run of each algorithm finished.",
                  values: runs.map { (label($0), max(0, now - Double($0.finishedAt))) }),
            .init(name: "lectern_model_run_id", help: "The id of each algorithm's active model run.",
                  values: runs.map { (label($0), Double($0.id)) }),
            .init(name: "lectern_model_run_train_seconds", help: "How long each active model run took to train.",
                  values: runs.map { (label($0), $0.trainSeconds) }),
            .init(name: "lectern_last_training_run_timestamp_seconds", help: "Unix time the newest active model run finished (0 when none).",
                  values: [("", Double(runs.map(\.finishedAt).max() ?? 0))]),
            .init(name: "lectern_process_start_time_seconds", help: "Unix time the server started.",
                  values: [("", metrics.startedAt.timeIntervalSince1970.rounded())]),
        ]
        if let reads = pool.standbyReadCounts {
            gauges.append(.init(name: "lectern_standby_reads_total", help: "Reads since start with --read-db, by where they were answered: the standby, the primary because the standby had not yet replayed the learner's events (fresh), or the primary because the standby failed (fallback).",
                                values: [("answered_by=\"standby\"", Double(reads.standby)), ("answered_by=\"primary_fresh\"", Double(reads.fresh)),
                                         ("answered_by=\"primary_fallback\"", Double(reads.fallback))], type: "counter"))
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: metrics.render(gauges: gauges))))
    }

    // MARK: Helpers

    /// The active run of each algorithm that has one.
    func activeRuns(_ db: Database) throws -> [ModelRun] {
        try RecommendationCache(db).activeRuns()
    }

    /// The path's `{id}`, percent-decoded: `/v1/users/a%20b/recommendations` is learner `a b`.
    func id(_ context: APIRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        return raw.removingPercentEncoding ?? raw
    }

    func integer(_ request: Request, _ name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = request.uri.queryParameters.get(name) else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return number
    }

    func flag(_ request: Request, _ name: String) throws -> Bool {
        switch request.uri.queryParameters.get(name) {
        case nil, "false", "0": return false
        case "", "true", "1": return true
        case let other?: throw APIError.badRequest("\(name) must be true or false, got '\(other)'")
        }
    }

    private func algorithm(_ request: Request, allowed: [Algorithm]) throws -> Algorithm? {
        guard let text = request.uri.queryParameters.get("algorithm") else { return nil }
        guard let algorithm = Algorithm(rawValue: text), allowed.contains(algorithm) else {
            throw APIError.badRequest("algorithm must be one of \(allowed.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
        }
        return algorithm
    }
}

/// A model that was never trained is the server not being ready, not the caller's mistake.
private func modelErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as StoreError where error.code == .notFound {
        throw APIError(.serviceUnavailable, "model_not_trained", error.message, retryAfter: 60)
    }
}
