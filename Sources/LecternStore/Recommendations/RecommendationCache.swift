import Foundation
import LecternCore
internal import LecternPostgres
internal import LecternSQLite

/// One training run as recorded in `model_runs`.
public struct ModelRun: Sendable, Equatable {
    public var id: Int64 = 0
    public var algorithm: Algorithm
    /// The parameters as a JSON object.
    public var parameters: String
    public var learners: Int
    public var courses: Int
    public var interactions: Int
    public var loadSeconds: Double
    public var trainSeconds: Double
    public var writeSeconds: Double
    public var startedAt: Int64
    public var finishedAt: Int64
    public var dataUntil: Int64?
    /// The newest interaction id the run saw.
    public var lastInteractionID: Int64

    public init(id: Int64 = 0, algorithm: Algorithm, parameters: String, learners: Int, courses: Int, interactions: Int,
                loadSeconds: Double = 0, trainSeconds: Double = 0, writeSeconds: Double = 0, startedAt: Int64,
                finishedAt: Int64, dataUntil: Int64?, lastInteractionID: Int64) {
        self.id = id
        self.algorithm = algorithm
        self.parameters = parameters
        self.learners = learners
        self.courses = courses
        self.interactions = interactions
        self.loadSeconds = loadSeconds
        self.trainSeconds = trainSeconds
        self.writeSeconds = writeSeconds
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.dataUntil = dataUntil
        self.lastInteractionID = lastInteractionID
    }
}

/// A cached recommendation as a storefront shows it.
public struct CachedRecommendation: Sendable, Equatable {
    public var rank: Int
    public var courseID: Int64
    public var slug: String
    public var title: String
    public var score: Double
    public var algorithm: Algorithm
    public var reason: String

    public init(rank: Int, courseID: Int64, slug: String, title: String, score: Double, algorithm: Algorithm, reason: String) {
        self.rank = rank
        self.courseID = courseID
        self.slug = slug
        self.title = title
        self.score = score
        self.algorithm = algorithm
        self.reason = reason
    }
}

/// Everything one training run caches, written in one transaction.
public struct RunOutput: Sendable {
    public var run: ModelRun
    /// (course, rank, neighbour, score)
    public var neighbors: [(courseID: Int64, rank: Int, neighborID: Int64, score: Double)] = []
    /// (learner, rank, course, score, reason); the algorithm is the run's.
    public var recommendations: [(userID: Int64, rank: Int, courseID: Int64, score: Double, reason: CachedReason)] = []
    /// (course, score, rank in its domain)
    public var popularity: [(courseID: Int64, score: Double, domainRank: Int)] = []
    /// (entity, id, float32 vector)
    public var factors: [(entity: String, id: Int64, vector: [Float])] = []

    public init(run: ModelRun) {
        self.run = run
    }
}

/// The recommendation cache: model runs, neighbours, per-learner lists, popularity and factors.
///
/// A run's rows are written as a 'writing' run in short transactions, then one short transaction
/// makes it active; readers in other processes (WAL) keep seeing the previous run until then. On
/// PostgreSQL the same: the rows go in with `COPY ... FROM STDIN` (`appendWithCopy`), one
/// transaction per `append`, and the activating transaction swaps the runs.
public struct RecommendationCache {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    init(_ db: Executor) {
        self.db = db
    }

    /// Runs kept per algorithm; older ones are pruned when a new one is saved.
    public static let keptRuns = 3

    static let insertRun = """
        INSERT INTO model_runs (algorithm, parameters, learners, courses, interactions, load_seconds, train_seconds,
                                write_seconds, started_at, finished_at, data_until, last_interaction_id, state)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'writing')
        """
    /// Rows per INSERT statement when a run is written: one statement step per row cost more than
    /// SQLite's insert itself.
    static let rowsPerStatement = 16
    /// An INSERT of `rows` rows of `columns` columns, numbered parameters row by row.
    static func insert(into table: String, _ columns: [String], rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ")
    }
    static let neighborColumns = ["run_id", "course_id", "rank", "neighbor_id", "score"]
    static let recommendationColumns = ["run_id", "user_id", "rank", "course_id", "score", "reason_kind", "reason_course",
                                        "reason_term", "reason"]
    static let insertNeighbor = insert(into: "course_neighbors", neighborColumns, rows: 1)
    static let insertNeighbors = insert(into: "course_neighbors", neighborColumns, rows: rowsPerStatement)
    static let insertRecommendation = insert(into: "recommendations", recommendationColumns, rows: 1)
    static let insertRecommendations = insert(into: "recommendations", recommendationColumns, rows: rowsPerStatement)
    static let insertPopularity = "INSERT INTO course_popularity (run_id, course_id, score, domain_rank) VALUES (?, ?, ?, ?)"
    static let insertFactors = "INSERT INTO model_factors (run_id, entity, entity_id, factors) VALUES (?, ?, ?, ?)"
    static let activate = """
        INSERT INTO active_models (algorithm, run_id) VALUES (?, ?)
        ON CONFLICT (algorithm) DO UPDATE SET run_id = excluded.run_id
        """
    static let finishRun = """
        UPDATE model_runs SET state = 'ready', train_seconds = ?, write_seconds = ?, finished_at = ? WHERE id = ? AND state = 'writing'
        """
    /// Runs of `algorithm` past the newest `keptRuns - 1` inactive ready ones, and runs of any algorithm
    /// left 'writing' before `?3` (by a killed or failed training).
    /// (PostgreSQL spells SQLite's "no limit" `LIMIT ALL`.)
    static let oldRuns = EngineSQL(sqlite: oldRuns(noLimit: "LIMIT -1"), postgres: oldRuns(noLimit: "LIMIT ALL"))
    private static func oldRuns(noLimit: String) -> String {
        """
        SELECT id FROM (
            SELECT id FROM model_runs WHERE algorithm = ?1 AND state = 'ready' AND id NOT IN (SELECT run_id FROM active_models)
            ORDER BY id DESC \(noLimit) OFFSET ?2) AS older
        UNION
        SELECT id FROM model_runs WHERE state = 'writing' AND id < ?3 AND id NOT IN (SELECT run_id FROM active_models)
        """
    }
    /// One table's rows of a run, deleted a key range at a time: `boundary` finds the key `?2` rows
    /// into run `?1`'s rows (in key order), `deleteBelow` deletes the run's rows before that key and
    /// `deleteAll` the run's last rows. A range delete walks the key in order, several times faster
    /// than deleting rows picked one by one.
    struct RunRows {
        let keyColumns: Int
        let boundary: String
        let deleteBelow: String
        let deleteAll: String

        /// `key`: the primary key's columns after `run_id` (and after `within`'s column, which narrows
        /// the rows to one value of it: model_factors' entity).
        init(table: String, key: [String], within: String = "") {
            let run = "run_id = ?1" + (within.isEmpty ? "" : " AND \(within)")
            let columns = key.joined(separator: ", ")
            let values = (0..<key.count).map { "?\($0 + 2)" }.joined(separator: ", ")
            keyColumns = key.count
            boundary = "SELECT \(columns) FROM \(table) WHERE \(run) ORDER BY \(columns) LIMIT 1 OFFSET ?2"
            deleteBelow = "DELETE FROM \(table) WHERE \(run) AND (\(columns)) < (\(values))"
            deleteAll = "DELETE FROM \(table) WHERE \(run)"
        }
    }
    static let runRows = [
        RunRows(table: "recommendations", key: ["user_id", "rank"]),
        RunRows(table: "course_neighbors", key: ["course_id", "rank"]),
        RunRows(table: "model_factors", key: ["entity_id"], within: "entity = 'user'"),
        RunRows(table: "model_factors", key: ["entity_id"], within: "entity = 'course'"),
        RunRows(table: "course_popularity", key: ["course_id"]),
    ]
    static let deleteRun = "DELETE FROM model_runs WHERE id = ? AND id NOT IN (SELECT run_id FROM active_models)"
    static let runColumns = """
        id, algorithm, parameters, learners, courses, interactions, load_seconds, train_seconds, write_seconds,
        started_at, finished_at, data_until, last_interaction_id
        """
    static let activeRun = "SELECT \(runColumns) FROM model_runs WHERE id = (SELECT run_id FROM active_models WHERE algorithm = ?)"
    static let runs = "SELECT \(runColumns) FROM model_runs WHERE state = 'ready' ORDER BY id DESC LIMIT ?"
    static let runByID = "SELECT \(runColumns) FROM model_runs WHERE id = ?"

    /// The storefront query: a learner's current list from one algorithm, without courses bought,
    /// enrolled in, completed or rated since training (nor another run of their family), without
    /// courses dismissed and not come back to, and without courses taken off sale since. Ranks are
    /// counted again after those filters, so a shortened list still reads 1, 2, 3...
    ///
    /// On PostgreSQL each listed course is looked up by its key (a LATERAL subquery, fenced with
    /// `OFFSET 0` so the planner keeps it): as a plain join, the generic plan of the prepared statement
    /// hashed every published course on every request (0.9 ms of 1.0 at 3,000 courses, and growing with
    /// the catalog); looked up, the query takes 0.2 ms, and its cost follows the list, not the catalog.
    static let storefrontQuery = EngineSQL(sqlite: storefrontSQL, postgresReplacing: [
        "JOIN courses c ON c.id = r.course_id AND c.status = 'published'":
            "JOIN LATERAL (SELECT c.slug, c.title, c.family FROM courses c WHERE c.id = r.course_id AND c.status = 'published' OFFSET 0) c ON true",
    ])
    private static let storefrontSQL = """
        SELECT row_number() OVER (ORDER BY r.rank), r.course_id, c.slug, c.title, r.score, a.algorithm, \(CachedReason.sentenceSQL(row: "r", course: "rc"))
        FROM active_models a
        JOIN recommendations r ON r.run_id = a.run_id AND r.user_id = ?2
        JOIN courses c ON c.id = r.course_id AND c.status = 'published'
        LEFT JOIN courses rc ON rc.id = r.reason_course
        WHERE a.algorithm = ?1
          AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.user_id = r.user_id AND i.course_id = r.course_id
                          AND i.kind IN ('purchase', 'enroll', 'complete', 'rate'))
          AND (c.family IS NULL OR NOT EXISTS (
                SELECT 1 FROM courses o JOIN interactions i ON i.user_id = r.user_id AND i.course_id = o.id
                WHERE o.family = c.family AND i.kind IN ('purchase', 'enroll', 'complete', 'rate')))
          AND NOT EXISTS (SELECT 1 FROM interactions d WHERE d.user_id = r.user_id AND d.course_id = r.course_id
                          AND d.kind = 'dismiss'
                          AND NOT EXISTS (SELECT 1 FROM interactions p WHERE p.user_id = d.user_id AND p.course_id = d.course_id
                                          AND p.kind IN ('view', 'wishlist', 'enroll', 'purchase')
                                          AND p.occurred_at > d.occurred_at))
        ORDER BY r.rank
        LIMIT ?3
        """
    static let neighbors = """
        SELECT n.neighbor_id, c.slug, c.title, n.score
        FROM active_models a JOIN course_neighbors n ON n.run_id = a.run_id AND n.course_id = ?2
        JOIN courses c ON c.id = n.neighbor_id
        WHERE a.algorithm = ?1 AND (?4 <> 0 OR c.status = 'published')
        ORDER BY n.rank LIMIT ?3
        """
    static let neighborsOfMany = """
        SELECT n.course_id, n.neighbor_id, n.score FROM course_neighbors n WHERE n.run_id = ? ORDER BY n.course_id, n.rank
        """
    static let popularity = "SELECT course_id, score, domain_rank FROM course_popularity WHERE run_id = ?"
    static let factors = "SELECT entity_id, factors FROM model_factors WHERE run_id = ? AND entity = ?"
    static let userFactors = "SELECT factors FROM model_factors WHERE run_id = ? AND entity = 'user' AND entity_id = ?"

    static func readRun(_ s: Row) throws -> ModelRun {
        ModelRun(id: s.int64(0), algorithm: try Algorithm(stored: s.text(1), in: "model run \(s.int64(0))"), parameters: s.text(2), learners: s.int(3), courses: s.int(4),
                 interactions: s.int(5), loadSeconds: s.double(6), trainSeconds: s.double(7), writeSeconds: s.double(8),
                 startedAt: s.int64(9), finishedAt: s.int64(10), dataUntil: s.optionalInt64(11),
                 lastInteractionID: s.int64(12))
    }

    /// Rows written (or deleted) per transaction at most while a run is written or pruned.
    public static let rowsPerTransaction = 100_000
    /// And the longest a transaction of those keeps the write lock: `lectern record` and HTTP writes
    /// wait at most about this long, far below the 5 s busy timeout.
    public static let writeLockHold = Duration.milliseconds(100)
    /// Rows pruned per transaction at most; a range delete costs a fraction of an insert.
    static let rowsPerPruningTransaction = 200_000

    /// Writes a run's cache and makes it the active one for its algorithm; prunes old runs.
    ///
    /// The rows go in as a 'writing' run, in transactions of `rowsPerTransaction` rows that no
    /// reader serves from; one short transaction then marks the run ready and makes it active, so
    /// readers (in any process, through WAL) see the old cache or the new one, never a mix.
    /// - Parameter beforeCommit: called inside the activating transaction (tests use it to check
    ///   that readers still see the old cache).
    /// - Returns: the run with its id and write time.
    @discardableResult
    public func save(_ output: RunOutput, now: () -> Double, beforeCommit: (() throws -> Void)? = nil) throws -> ModelRun {
        let started = now()
        let mark = try erasureMark()
        var run = try begin(output.run)
        do {
            try append(output, to: run.id)
        } catch {
            try? abandon(run.id)
            throw error
        }
        run.writeSeconds = now() - started
        do {
            run = try activate([run], erasedAfter: mark, beforeCommit: beforeCommit)[0]
        } catch {
            try? abandon(run.id)
            throw error
        }
        try prune(algorithm: run.algorithm, keepingWritingFrom: run.id)
        return run
    }

    /// Records a new run as 'writing' (not served) and returns it with its id.
    public func begin(_ run: ModelRun) throws -> ModelRun {
        try withStoreErrors {
            try db.transaction(.immediate) {
                var started = run
                started.id = try db.insert(Self.insertRun, [
                    run.algorithm.rawValue, run.parameters, run.learners, run.courses, run.interactions, run.loadSeconds,
                    run.trainSeconds, 0.0, run.startedAt, run.finishedAt, run.dataUntil, run.lastInteractionID])
                return started
            }
        }
    }

    /// Adds `output`'s rows to the 'writing' run `runID`, `rowsPerTransaction` rows per transaction
    /// on SQLite (prepared statements bound field by field); on PostgreSQL in one transaction of
    /// COPYs (see `appendWithCopy`).
    /// - Complexity: O(rows); the write lock is held for one batch at a time.
    public func append(_ output: RunOutput, to runID: Int64) throws {
        guard let db = db.sqliteConnection else {
            guard case .postgres(let session) = self.db else { return }
            return try appendWithCopy(output, to: runID, session)
        }
        var batch = Batch(db: db, limit: Self.rowsPerTransaction)
        try withStoreErrors {
            defer { batch.end() }
            if !output.neighbors.isEmpty {
                let one = try db.cachedStatement(Self.insertNeighbor), many = try db.cachedStatement(Self.insertNeighbors)
                try batch.rows(output.neighbors, one: one, many: many, per: Self.rowsPerStatement) { s, offset, row in
                    try s.bind(offset + 1, runID); try s.bind(offset + 2, row.courseID); try s.bind(offset + 3, row.rank)
                    try s.bind(offset + 4, row.neighborID); try s.bind(offset + 5, row.score)
                }
            }
            if !output.recommendations.isEmpty {
                let one = try db.cachedStatement(Self.insertRecommendation), many = try db.cachedStatement(Self.insertRecommendations)
                try batch.rows(output.recommendations, one: one, many: many, per: Self.rowsPerStatement) { s, offset, row in
                    try s.bind(offset + 1, runID); try s.bind(offset + 2, row.userID); try s.bind(offset + 3, row.rank)
                    try s.bind(offset + 4, row.courseID); try s.bind(offset + 5, row.score)
                    if let kind = row.reason.kind {
                        try s.bind(offset + 6, kind.rawValue); try s.bindNull(offset + 9)
                    } else {
                        try s.bindNull(offset + 6); try s.bind(offset + 9, row.reason.text)
                    }
                    if let course = row.reason.courseID { try s.bind(offset + 7, course) } else { try s.bindNull(offset + 7) }
                    if let term = row.reason.term { try s.bind(offset + 8, term) } else { try s.bindNull(offset + 8) }
                }
            }
            if !output.popularity.isEmpty {
                let s = try db.cachedStatement(Self.insertPopularity)
                for row in output.popularity {
                    try batch.row(s) {
                        try s.bind(1, runID); try s.bind(2, row.courseID); try s.bind(3, row.score); try s.bind(4, row.domainRank)
                    }
                }
            }
            if !output.factors.isEmpty {
                let s = try db.cachedStatement(Self.insertFactors)
                for row in output.factors {
                    try batch.row(s) {
                        try s.bind(1, runID); try s.bind(2, row.entity); try s.bind(3, row.id)
                        try s.bind(4, Self.bytes(of: row.vector))
                    }
                }
            }
            try batch.commit()
        }
    }

    /// Bytes of COPY text sent at a time on PostgreSQL: large enough that a round trip is nothing
    /// beside the rows, small enough that a run of millions of rows is never held twice.
    static let copyBatchBytes = 4 << 20

    /// `append` on PostgreSQL: every table's rows with `COPY ... FROM STDIN`, in one transaction
    /// (MVCC: other writers do not wait for it, and readers do not serve a 'writing' run).
    private func appendWithCopy(_ output: RunOutput, to runID: Int64, _ session: PostgresSession) throws {
        try withStoreErrors {
            try db.transaction(.immediate) {
                try copy(output.neighbors, into: "course_neighbors", Self.neighborColumns, session) {
                    [runID, $0.courseID, $0.rank, $0.neighborID, $0.score]
                }
                try copy(output.recommendations, into: "recommendations", Self.recommendationColumns, session) {
                    [runID, $0.userID, $0.rank, $0.courseID, $0.score, $0.reason.kind?.rawValue, $0.reason.courseID,
                     $0.reason.term, $0.reason.kind == nil ? $0.reason.text : nil]
                }
                try copy(output.popularity, into: "course_popularity", ["run_id", "course_id", "score", "domain_rank"], session) {
                    [runID, $0.courseID, $0.score, $0.domainRank]
                }
                try copy(output.factors, into: "model_factors", ["run_id", "entity", "entity_id", "factors"], session) {
                    [runID, $0.entity, $0.id, Self.bytes(of: $0.vector)]
                }
            }
        }
    }

    /// Sends `rows` into `table` through COPY, `copyBatchBytes` at a time (the next batch is written
    /// while the server takes the one before); `values` gives one row's values in `columns` order.
    private func copy<Item>(_ rows: [Item], into table: String, _ columns: [String], _ session: PostgresSession,
                            values: (Item) -> [any SQLBindable]) throws {
        guard !rows.isEmpty else { return }
        let writer = session.connection.copyWriter(into: table, columns: columns)
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.copyBatchBytes + 4_096)
        for row in rows {
            for (index, value) in values(row).enumerated() {
                PGCopyText.append(PostgresSession.value(value.sqlValue), first: index == 0, to: &buffer)
            }
            PGCopyText.endRow(&buffer)
            if buffer.count >= Self.copyBatchBytes {
                try writer.send(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        try writer.send(buffer)
        try writer.finish()
    }

    /// The newest learner or course deletion noted so far (0 for none). Read it before reading the data
    /// a run is trained on and pass it to `activate`, which removes the run's rows for anything deleted since.
    public func erasureMark() throws -> Int64 {
        try withStoreErrors { try db.scalarInt(Self.lastErasure) ?? 0 }
    }

    static let lastErasure = "SELECT coalesce(max(seq), 0) FROM cache_erasures"
    static let erasuresAfter = "SELECT entity, entity_id FROM cache_erasures WHERE seq > ? ORDER BY seq"
    static let eraseUser = [
        "DELETE FROM recommendations WHERE run_id = ?1 AND user_id = ?2",
        "DELETE FROM model_factors WHERE run_id = ?1 AND entity = 'user' AND entity_id = ?2",
    ]
    static let eraseCourse = [
        "DELETE FROM recommendations WHERE run_id = ?1 AND course_id = ?2",
        "DELETE FROM course_neighbors WHERE run_id = ?1 AND (course_id = ?2 OR neighbor_id = ?2)",
        "DELETE FROM course_popularity WHERE run_id = ?1 AND course_id = ?2",
        "DELETE FROM model_factors WHERE run_id = ?1 AND entity = 'course' AND entity_id = ?2",
    ]
    /// Notes no run being written can need any more: every run still 'writing' is being activated.
    static let dropErasures = """
        DELETE FROM cache_erasures WHERE seq <= ?1
          AND NOT EXISTS (SELECT 1 FROM model_runs WHERE state = 'writing')
        """

    /// Marks the 'writing' runs ready and makes each the active run of its algorithm, all in one
    /// short transaction: the swap holds the write lock for milliseconds, whatever the runs' size.
    ///
    /// Rows a run gained for a learner or course deleted after `mark` (see `erasureMark()`) are
    /// removed first, in the same transaction: a forgotten learner is never served, however the
    /// deletion and the training interleaved.
    ///
    /// On PostgreSQL the cache tables are analysed first (`ANALYZE`, outside the swap's transaction), so
    /// that the planner knows the new runs' rows from their first request on; else it plans on the
    /// statistics from before the training (none after a first one) until autovacuum comes by.
    /// - Throws: `StoreError(.conflict)` when a run is no longer 'writing' (pruned as abandoned).
    @discardableResult
    public func activate(_ runs: [ModelRun], erasedAfter mark: Int64,
                         beforeCommit: (() throws -> Void)? = nil) throws -> [ModelRun] {
        try withStoreErrors {
            if db.isPostgres { try db.run(Self.analyzeCache) }
            return try db.transaction(.immediate) {
                let erasures = try db.all(Self.erasuresAfter, [mark]) { ($0.text(0), $0.int64(1)) }
                for run in runs {
                    for (entity, id) in erasures {
                        for sql in entity == "user" ? Self.eraseUser : Self.eraseCourse { try db.run(sql, [run.id, id]) }
                    }
                }
                var out: [ModelRun] = []
                for var run in runs {
                    run.finishedAt = max(run.finishedAt, run.startedAt)
                    try db.run(Self.finishRun, [run.trainSeconds, run.writeSeconds, run.finishedAt, run.id])
                    guard db.changes == 1 else {
                        throw StoreError(.conflict, "run \(run.id) was removed while it was written (another `lectern train` pruned it)")
                    }
                    try db.run(Self.activate, [run.algorithm.rawValue, run.id])
                    out.append(run)
                }
                try db.run(Self.dropErasures, [try db.scalarInt(Self.lastErasure) ?? 0])
                try beforeCommit?()
                return out
            }
        }
    }

    static let analyzeCache = "ANALYZE course_neighbors, recommendations, course_popularity, model_factors, model_runs, active_models"

    /// Removes a run that will not be activated (a failed training), in batches.
    public func abandon(_ runID: Int64) throws {
        try deleteRows(of: runID)
    }

    /// Deletes old runs of `algorithm` beyond `keptRuns` (the active one counts) and runs of any
    /// algorithm left 'writing' with an id below `keepingWritingFrom` (a killed training), a few
    /// thousand rows per transaction so that writers in other processes are never kept waiting.
    /// - Complexity: O(rows deleted).
    public func prune(algorithm: Algorithm, keepingWritingFrom newest: Int64) throws {
        let old = try withStoreErrors {
            try db.all(Self.oldRuns, [algorithm.rawValue, Self.keptRuns - 1, newest], row: { $0.int64(0) })
        }
        for runID in old { try deleteRows(of: runID) }
    }

    private func deleteRows(of runID: Int64) throws {
        try withStoreErrors {
            for table in Self.runRows {
                // Start small and grow while a batch stays well inside the hold time.
                var limit = 1_000
                while true {
                    let start = ContinuousClock.now
                    let finished = try db.transaction(.immediate) { () -> Bool in
                        guard let below = try db.first(table.boundary, [runID, limit], row: { row in
                            (0..<table.keyColumns).map { row.int64($0) }
                        }) else {
                            try db.run(table.deleteAll, [runID])
                            return true
                        }
                        try db.run(table.deleteBelow, [runID] + below)
                        return false
                    }
                    if !db.isPostgres { Self.letWaitingWritersIn() }
                    if finished { break }
                    let took = ContinuousClock.now - start
                    if took * 2 < Self.writeLockHold { limit = min(limit * 2, Self.rowsPerPruningTransaction) }
                    else if took > Self.writeLockHold { limit = max(limit / 2, 100) }
                }
            }
            try db.transaction(.immediate) { try db.run(Self.deleteRun, [runID]) }
        }
    }

    /// Leaves the write lock free for a moment after a transaction, so a writer in another process
    /// that waits for it (polling every millisecond, see `Connection`) gets in before the next one.
    static func letWaitingWritersIn() {
        Thread.sleep(forTimeInterval: 0.002)
    }

    /// Rows inserted in transactions of at most `limit` rows (inside a caller's transaction, in that one).
    private struct Batch {
        let db: Connection
        let limit: Int
        var rows = 0
        var open = false
        let nested: Bool

        init(db: Connection, limit: Int) {
            self.db = db
            self.limit = limit
            nested = db.isInTransaction
        }

        var began = ContinuousClock.now

        mutating func row(_ statement: Statement, bind: () throws -> Void) throws {
            try rows(statement, count: 1, bind: bind)
        }

        /// Inserts `rows`, `per` at a time through `many` (whose parameters are `per` rows of
        /// `bind`'s, one after another) and the rest one at a time through `one`.
        mutating func rows<Row>(_ rows: [Row], one: Statement, many: Statement, per: Int,
                                bind: (Statement, Int, Row) throws -> Void) throws {
            let columns = one.parameterCount
            var start = 0
            while start < rows.count {
                if rows.count - start >= per {
                    try self.rows(many, count: per) {
                        for i in 0..<per { try bind(many, i * columns, rows[start + i]) }
                    }
                    start += per
                } else {
                    try row(one) { try bind(one, 0, rows[start]) }
                    start += 1
                }
            }
        }

        /// One statement inserting `count` rows.
        mutating func rows(_ statement: Statement, count: Int, bind: () throws -> Void) throws {
            if !open && !nested {
                try db.execute("BEGIN IMMEDIATE TRANSACTION")
                open = true
                began = .now
            }
            try bind()
            try statement.execute()
            let before = rows
            rows += count
            if rows >= limit || (rows / 128 != before / 128 && ContinuousClock.now - began > RecommendationCache.writeLockHold) {
                try commit()
            }
        }

        mutating func commit() throws {
            guard open else { return }
            try db.execute("COMMIT TRANSACTION")
            open = false
            rows = 0
            RecommendationCache.letWaitingWritersIn()
        }

        /// Rolls back an unfinished batch (after an error).
        mutating func end() {
            if open { try? db.execute("ROLLBACK TRANSACTION") }
            open = false
        }
    }

    static let newestActiveRun = "SELECT coalesce(max(run_id), 0) FROM active_models"
    static let learnersWithLists = """
        SELECT u.external_id FROM users u
        WHERE EXISTS (SELECT 1 FROM recommendations r WHERE r.user_id = u.id AND r.run_id IN (SELECT run_id FROM active_models))
        ORDER BY u.id
        """

    /// The newest active run's id (0 when none): it changes whenever a cached model is replaced.
    public func newestActiveRunID() throws -> Int64 {
        try withStoreErrors { try db.scalarInt(Self.newestActiveRun) ?? 0 }
    }

    /// The external ids of learners who have a cached list in an active run.
    public func learnersWithLists() throws -> [String] {
        try withStoreErrors { try db.all(Self.learnersWithLists) { $0.text(0) } }
    }

    /// The run `algorithm` serves from, or nil before its first training.
    public func activeRun(algorithm: Algorithm) throws -> ModelRun? {
        try db.first(Self.activeRun, [algorithm.rawValue], row: Self.readRun)
    }

    /// The run each trained algorithm serves from, in `Algorithm.allCases` order.
    /// - Complexity: one indexed look-up per algorithm.
    public func activeRuns() throws -> [ModelRun] {
        try Algorithm.allCases.compactMap { try activeRun(algorithm: $0) }
    }

    public func run(id: Int64) throws -> ModelRun? {
        try db.first(Self.runByID, [id], row: Self.readRun)
    }

    /// The newest runs, newest first.
    public func runs(limit: Int = 20) throws -> [ModelRun] {
        try db.all(Self.runs, [limit], row: Self.readRun)
    }

    /// A learner's cached list from `algorithm`, minus what they own now and what left the catalog.
    public func recommendations(userID: Int64, algorithm: Algorithm, limit: Int) throws -> [CachedRecommendation] {
        try db.all(Self.storefrontQuery, [algorithm.rawValue, userID, limit]) {
            CachedRecommendation(rank: $0.int(0), courseID: $0.int64(1), slug: $0.text(2), title: $0.text(3),
                                 score: $0.double(4), algorithm: algorithm, reason: $0.text(6))
        }
    }

    /// A course's cached neighbours from `algorithm` (itemknn or content), best first.
    public func neighbors(courseID: Int64, algorithm: Algorithm, limit: Int, includeUnavailable: Bool = false)
        throws -> [(courseID: Int64, slug: String, title: String, score: Double)] {
        try db.all(Self.neighbors, [algorithm.rawValue, courseID, limit, includeUnavailable]) {
            ($0.int64(0), $0.text(1), $0.text(2), $0.double(3))
        }
    }

    /// Every neighbour list of a run: course -> [(neighbour, score)], best first.
    public func allNeighbors(runID: Int64) throws -> [Int64: [(Int64, Double)]] {
        var out: [Int64: [(Int64, Double)]] = [:]
        for (course, neighbor, score) in try db.all(Self.neighborsOfMany, [runID], row: { ($0.int64(0), $0.int64(1), $0.double(2)) }) {
            out[course, default: []].append((neighbor, score))
        }
        return out
    }

    /// A run's popularity: course -> (score, rank in its domain).
    public func popularity(runID: Int64) throws -> [Int64: (score: Double, domainRank: Int)] {
        var out: [Int64: (score: Double, domainRank: Int)] = [:]
        for (course, score, rank) in try db.all(Self.popularity, [runID], row: { ($0.int64(0), $0.double(1), $0.int(2)) }) {
            out[course] = (score, rank)
        }
        return out
    }

    /// A run's factors for every course or learner: id -> vector.
    public func factors(runID: Int64, entity: String) throws -> [Int64: [Float]] {
        var out: [Int64: [Float]] = [:]
        for (id, bytes) in try db.all(Self.factors, [runID, entity], row: { ($0.int64(0), $0.blob(1)) }) {
            out[id] = Self.floats(from: bytes)
        }
        return out
    }

    public func userFactors(runID: Int64, userID: Int64) throws -> [Float]? {
        try db.first(Self.userFactors, [runID, userID]) { Self.floats(from: $0.blob(0)) }
    }

    static func bytes(of vector: [Float]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            out.append(UInt8(truncatingIfNeeded: bits))
            out.append(UInt8(truncatingIfNeeded: bits >> 8))
            out.append(UInt8(truncatingIfNeeded: bits >> 16))
            out.append(UInt8(truncatingIfNeeded: bits >> 24))
        }
        return out
    }

    static func floats(from bytes: [UInt8]) -> [Float] {
        stride(from: 0, to: bytes.count - 3, by: 4).map { i in
            Float(bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
        }
    }
}
