import Foundation
import LecternCore
internal import LecternPostgres
internal import LecternSQLite
import Synchronization

/// What an import did.
public struct ImportSummary: Sendable, Equatable {
    public var entity: String
    /// Rows stored.
    public var imported = 0
    /// Events whose idempotency key was already stored.
    public var duplicates = 0
    /// Rows left out with `skipInvalid`, by line, with the reason.
    public var skipped: [(line: Int, reason: String)] = []

    public static func == (a: ImportSummary, b: ImportSummary) -> Bool {
        a.entity == b.entity && a.imported == b.imported && a.duplicates == b.duplicates
            && a.skipped.map(\.line) == b.skipped.map(\.line)
    }
}

/// How an import runs.
public struct ImportOptions: Sendable {
    /// The file's format; inferred from its name when nil.
    public var format: TransferFormat?
    /// Import the valid rows and list the rest, instead of refusing the whole file.
    public var skipInvalid = false
    /// Called now and then with bytes read and the file's size.
    public var progress: (@Sendable (_ done: Int, _ total: Int) -> Void)?

    public init(format: TransferFormat? = nil, skipInvalid: Bool = false,
                progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.format = format
        self.skipInvalid = skipInvalid
        self.progress = progress
    }
}

/// Reads creators, courses, users and interactions from CSV, TSV or JSON Lines into the database.
///
/// By default a file is imported whole or not at all: the first bad row is reported by line
/// number and reason and nothing is kept. With `skipInvalid` the good rows are kept and the bad
/// ones listed. Either way the import runs in one transaction.
///
/// Creators, courses, users and interactions import on both engines; organisations, members and
/// assignments on SQLite only so far (their repositories are not ported to PostgreSQL yet).
public struct Importer {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    /// The SQLite connection, for the imports not ported to PostgreSQL (the CLI refuses them there).
    var connection: Connection {
        guard case .sqlite(let connection) = db else { preconditionFailure("this import does not run on PostgreSQL yet") }
        return connection
    }

    static let insertCreator = "INSERT INTO creators (name, revenue_share, contact, created_at) VALUES (?, ?, ?, ?)"
    /// The learner `~forgotten` in an export is the anonymous holder of forgotten learners' purchases.
    static let insertUser = EngineSQL(sqlite: """
        INSERT INTO users (external_id, display_name, email, country, channel, campaign, created_at, marketing_opt_in, anonymous)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?1 = '~forgotten')
        """, postgres: """
        INSERT INTO users (external_id, display_name, email, country, channel, campaign, created_at, marketing_opt_in, anonymous)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, (?1 = '~forgotten')::int)
        """)
    static let userIDs = "SELECT external_id, id FROM users"
    static let courseIDs = "SELECT slug, id, price_minor FROM courses"

    // MARK: Creators

    public func importCreators(from path: String, options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        try run(path: path, entity: "creators", options: options) { (record: ImportRecord<CreatorColumn>, summary: inout ImportSummary) in
            var creator = Creator(name: try record.requiredText(.name),
                                  revenueShare: try record.double(.revenueShare) ?? -1,
                                  contact: record.text(.contact),
                                  createdAt: try record.time(.createdAt) ?? currentUnixTime())
            guard creator.revenueShare >= 0 else { throw record.fail(.revenueShare, "a value between 0 and 1 is required") }
            creator = try CreatorRepository(db).create(creator)
            summary.imported += 1
        }
    }

    // MARK: Members

    /// Organisation members; a learner already in another organisation moves. A file that puts one
    /// learner in two organisations is refused at the second line.
    public func importMembers(from path: String, options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        let organisations = OrganisationRepository(db)
        var placed: [String: (org: String, line: Int)] = [:]
        return try run(path: path, entity: "members", options: options) { (record: ImportRecord<MemberColumn>, summary: inout ImportSummary) in
            let org = try record.requiredText(.org), user = try record.requiredText(.user)
            if let earlier = placed[user], earlier.org != org {
                throw record.fail(.org, "learner '\(user)' is already in organisation '\(earlier.org)' on line \(earlier.line)")
            }
            let manager = try record.bool(.manager) ?? false
            let member = OrgMember(externalID: user, team: try record.requiredText(.team), role: record.text(.role), isManager: manager)
            _ = try organisations.addMember(member, to: org, at: try record.time(.joinedAt) ?? currentUnixTime())
            placed[user] = (org, record.line)
            summary.imported += 1
        }
    }

    // MARK: Courses

    public func importCourses(from path: String, options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        let courses = CourseRepository(db)
        var creatorIDs: [String: Int64] = [:]
        var pending: [(line: Int, courseID: Int64, requires: [String])] = []
        // Row by row, a course costs PostgreSQL a dozen round trips: there they go in batches, unless
        // bad rows are to be skipped (each needs a savepoint of its own).
        var batch = db.isPostgres && !options.skipInvalid ? CourseBatch(db) : nil
        var batchRequires: [(line: Int, slug: String, requires: [String])] = []
        func flush() throws {
            guard let ids = try batch?.flush() else { return }
            for item in batchRequires { if let id = ids[item.slug] { pending.append((item.line, id, item.requires)) } }
            batchRequires.removeAll()
        }
        var summary = try run(path: path, entity: "courses", options: options) { (record: ImportRecord<CourseColumn>, summary: inout ImportSummary) in
            let requires = record.list(.prerequisites)
            if batch != nil {
                do {
                    let course = try courses.readyToCreate(course(record, creatorIDs: &creatorIDs))
                    // A bad tag writes the course first (without tags), so that a fault of the course
                    // itself (its slug taken) or of an earlier line is the one reported, as row by
                    // row, where a course is stored before its tags.
                    let tags: [String]
                    do {
                        tags = try record.list(.tags).map(Validation.tagName)
                    } catch {
                        batch!.append(course, tags: [], line: record.line)
                        throw error
                    }
                    batch!.append(course, tags: tags, line: record.line)
                    if !requires.isEmpty { batchRequires.append((record.line, course.slug, requires)) }
                } catch {
                    try flush()
                    throw error
                }
                if batch!.isFull { try flush() }
            } else {
                let course = try course(record, creatorIDs: &creatorIDs)
                try inSavepoint(if: options.skipInvalid) {
                    let stored = try courses.create(course)
                    let tags = record.list(.tags)
                    if !tags.isEmpty { try courses.tag(courseID: stored.id, with: tags) }
                    if !requires.isEmpty { pending.append((record.line, stored.id, requires)) }
                }
            }
            summary.imported += 1
        } finish: { summary in
            try flush()
            // Prerequisites may name courses later in the file, so they are linked once all exist.
            for item in pending {
                do {
                    let ids = try item.requires.map { slug in
                        guard let course = try courses.find(slug: slug) else {
                            throw StoreError.notFound("line \(item.line): prerequisites: no course '\(slug)'")
                        }
                        return course.id
                    }
                    try courses.addPrerequisites(courseID: item.courseID, requires: ids)
                } catch let error as StoreError where options.skipInvalid {
                    summary.skipped.append((item.line, error.message))
                }
            }
        }
        summary.skipped.sort { $0.line < $1.line }
        return summary
    }

    /// The course a row of a courses file describes; its creator is found by name (once per name).
    private func course(_ record: ImportRecord<CourseColumn>, creatorIDs: inout [String: Int64]) throws -> Course {
        let creatorName = try record.requiredText(.creator)
        let creatorID: Int64
        if let known = creatorIDs[creatorName] {
            creatorID = known
        } else {
            guard let creator = try CreatorRepository(db).find(name: creatorName) else {
                throw record.fail(.creator, "no creator named '\(creatorName)'")
            }
            creatorIDs[creatorName] = creator.id
            creatorID = creator.id
        }
        let createdAt = try record.time(.createdAt) ?? currentUnixTime()
        return Course(
            slug: try record.requiredText(.slug), title: try record.requiredText(.title),
            description: record.text(.description) ?? "", domain: try record.requiredText(.domain),
            difficulty: try record.choice(.difficulty, Course.Difficulty.self) ?? .beginner,
            format: try record.choice(.format, Course.Format.self) ?? .video,
            language: record.text(.language) ?? "en", priceMinor: try record.int(.priceMinor) ?? 0,
            currency: record.text(.currency) ?? "USD", creatorID: creatorID, hours: try record.double(.hours) ?? 0,
            status: try record.choice(.status, Course.Status.self) ?? .published,
            createdAt: createdAt, updatedAt: try record.time(.updatedAt) ?? createdAt, family: record.text(.family))
    }

    // MARK: Users

    public func importUsers(from path: String, options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        // Row by row, a learner costs PostgreSQL a round trip per statement: there they go in batches,
        // unless bad rows are to be skipped (each needs a savepoint of its own).
        if db.isPostgres && !options.skipInvalid { return try importUsersInBatches(from: path, options: options) }
        let learners = LearnerRepository(db)
        let insert = try db.preparedForSQLite(Self.insertUser)
        return try run(path: path, entity: "users", options: options) { (record: ImportRecord<LearnerColumn>, summary: inout ImportSummary) in
            var learner = try Self.learner(record)
            try learners.validate(&learner)
            // Without --skip-invalid any failure rolls back the whole import, so no savepoint is needed.
            try inSavepoint(if: options.skipInvalid) {
                let values: [any SQLBindable] = [learner.externalID, learner.displayName, learner.email, learner.country,
                                                 learner.channel, learner.campaign, learner.createdAt, learner.marketingOptIn ? 1 : 0]
                do {
                    if let insert {
                        try insert.bind(values)
                        try insert.execute()
                        learner.id = connection.lastInsertRowID
                    } else {
                        learner.id = try db.insert(Self.insertUser, values)
                    }
                } catch let error as SQLiteError where error.isUniqueViolation {
                    throw StoreError.conflict("line \(record.line): a learner with external id '\(learner.externalID)' already exists")
                } catch let error as PGError where error.isUniqueViolation {
                    throw StoreError.conflict("line \(record.line): a learner with external id '\(learner.externalID)' already exists")
                }
                try learners.writeInterests(learner)
            }
            summary.imported += 1
        }
    }

    /// The learner a row of a users file describes.
    private static func learner(_ record: ImportRecord<LearnerColumn>) throws -> Learner {
        Learner(externalID: try record.requiredText(.externalID),
                displayName: record.text(.displayName) ?? "", email: record.text(.email),
                country: record.text(.country), interests: record.list(.interests),
                channel: record.text(.channel) ?? "direct", campaign: record.text(.campaign),
                createdAt: try record.time(.createdAt) ?? currentUnixTime(),
                marketingOptIn: try record.bool(.marketingOptIn) ?? false)
    }

    /// `importUsers` on PostgreSQL, a `LearnerBatch` at a time. A row found bad while a batch is
    /// pending writes the batch first, so that an earlier line's fault is the one reported.
    private func importUsersInBatches(from path: String, options: ImportOptions) throws -> ImportSummary {
        let learners = LearnerRepository(db)
        var batch = LearnerBatch(db)
        return try run(path: path, entity: "users", options: options) { (record: ImportRecord<LearnerColumn>, summary: inout ImportSummary) in
            do {
                var learner = try Self.learner(record)
                try learners.validate(&learner)
                batch.append(learner, line: record.line)
            } catch {
                try batch.flush()
                throw error
            }
            summary.imported += 1
            if batch.isFull { try batch.flush() }
        } finish: { _ in
            try batch.flush()
        }
    }

    // MARK: Interactions

    public func importInteractions(from path: String, options: ImportOptions = ImportOptions()) throws -> ImportSummary {
        var userIDs: [String: Int64] = [:]
        for (externalID, id) in try db.all(Self.userIDs, row: { ($0.text(0), $0.int64(1)) }) { userIDs[externalID] = id }
        var courseIDs: [String: (id: Int64, price: Int64)] = [:]
        for (slug, id, price) in try db.all(Self.courseIDs, row: { ($0.text(0), $0.int64(1), $0.int64(2)) }) {
            courseIDs[slug] = (id, price)
        }
        let (users, courses) = (userIDs, courseIDs)
        let parse: @Sendable (ImportRecord<InteractionColumn>) throws -> PostgresInteractionLoad.Parsed = { record in
            let user = try record.requiredText(.user)
            guard let userID = users[user] else { throw record.fail(.user, "no learner with external id '\(user)'") }
            let slug = try record.requiredText(.course)
            guard let course = courses[slug] else { throw record.fail(.course, "no course '\(slug)'") }
            guard let kind = try record.choice(.kind, Interaction.Kind.self) else { throw record.fail(.kind, "a value is required") }
            guard let occurredAt = try record.time(.occurredAt) else { throw record.fail(.occurredAt, "a value is required") }
            let interaction = Interaction(userID: userID, courseID: course.id, kind: kind, value: try record.int(.value),
                                          channel: record.text(.channel), occurredAt: occurredAt,
                                          idempotencyKey: record.text(.key),
                                          reason: try record.choice(.reason, Interaction.Reason.self))
            return (interaction, course.price)
        }
        let count: (RecordOutcome, inout ImportSummary) -> Void = { outcome, summary in
            switch outcome {
            case .recorded: summary.imported += 1
            case .duplicate, .sameEvent: summary.duplicates += 1
            }
        }
        if case .postgres(let session) = db {
            // PostgreSQL: the rules judged batch by batch in memory, new rows sent with COPY.
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            let load = try PostgresInteractionLoad(session, expectedRows: size / BulkLoad.bytesPerRow)
            let summary = try runPipelined(path: path, entity: "interactions", options: options, rowsJudgedInMemory: true,
                                           after: { try load.finish() }, beforeBatch: { try load.prepare($0) },
                                           afterBatch: { try load.flush() }, parse: parse) { parsed, summary in
                count(try load.insert(parsed), &summary)
            }
            // Planner statistics for the new rows now, not when autovacuum comes by (as after pg_restore).
            if summary.imported > 0 { try withStoreErrors { try db.run(Self.analyzeInteractions) } }
            return summary
        }
        // SQLite's bulk load: indexes rebuilt after, a bigger page cache.
        let writer = try InteractionWriter(db)
        let bulk = try db.sqliteConnection.map { try BulkLoad($0, file: path) }
        defer { bulk?.restoreCacheSize() }
        return try runPipelined(path: path, entity: "interactions", options: options,
                                before: { try bulk?.dropDeferredIndexes() }, after: { try bulk?.rebuildDeferredIndexes() },
                                parse: parse) { parsed, summary in
            count(try writer.insert(parsed.0, coursePrice: parsed.1), &summary)
        }
    }

    static let analyzeInteractions = "ANALYZE interactions, daily_course_sales, monthly_learner_activity"

    // MARK: The shared loop

    /// Runs `body` in a savepoint when a failure must undo only this row.
    private func inSavepoint(if needed: Bool, _ body: () throws -> Void) throws {
        if needed { try db.transaction(.immediate, body) } else { try body() }
    }

    /// Runs one row's `body` so that a failure skipped under `skipInvalid` leaves the transaction
    /// usable: on PostgreSQL a failed statement aborts the whole transaction unless it ran in a
    /// savepoint; SQLite undoes only the statement.
    private func storingRow(skipInvalid: Bool, _ body: () throws -> Void) throws {
        if skipInvalid && db.isPostgres { try db.transaction(.immediate, body) } else { try body() }
    }

    /// One parsed row, or why it could not be parsed.
    private enum ParsedRow<Value: Sendable>: Sendable {
        case parsed(line: Int, value: Value)
        case failed(line: Int, error: StoreError)
    }

    /// The import loop with parsing on a second thread: `parse` turns records into values there,
    /// `store` writes them here, in file order, inside one transaction. `beforeBatch` sees each
    /// batch's parsed values before `store` is called for them, and `afterBatch` runs after. When
    /// `rowsJudgedInMemory` (no statement runs per row), a row skipped under `skipInvalid` needs no
    /// savepoint on PostgreSQL.
    private func runPipelined<Column: TransferColumn, Value: Sendable>(
        path: String, entity: String, options: ImportOptions, rowsJudgedInMemory: Bool = false,
        before: () throws -> Void = {}, after: () throws -> Void = {},
        beforeBatch: ([Value]) throws -> Void = { _ in }, afterBatch: () throws -> Void = {},
        parse: @escaping @Sendable (ImportRecord<Column>) throws -> Value,
        store: (Value, inout ImportSummary) throws -> Void
    ) throws -> ImportSummary {
        guard let format = options.format ?? TransferFormat.inferred(from: path) else {
            throw StoreError.invalid("cannot tell the format of '\(path)': name it .csv, .tsv or .jsonl, or pass --format")
        }
        // Opening reads the header, so a bad header fails here, before any thread starts.
        let source = UnsafeSendable(try RecordSource<Column>(path: path, format: format))
        let channel = BatchChannel<ParsedRow<Value>>()
        let progress = AtomicCounter()
        let producer = Self.startParsing(source, with: parse, into: channel, bytesRead: progress)
        defer {
            channel.cancel()
            producer.wait()
        }
        var summary = ImportSummary(entity: entity)
        return try withStoreErrors {
            try db.transaction(.immediate) {
                try before()
                var batches = 0
                while let batch = try channel.take() {
                    batches += 1
                    if batches % 8 == 0 { options.progress?(progress.value, source.value.totalBytes) }
                    try beforeBatch(batch.compactMap { if case .parsed(_, let value) = $0 { value } else { nil } })
                    try storeBatch(batch, options: options, savepoints: !rowsJudgedInMemory, summary: &summary, store: store)
                    try afterBatch()
                }
                try after()
                options.progress?(source.value.totalBytes, source.value.totalBytes)
                return summary
            }
        }
    }

    /// Starts the thread that reads and parses `source`, putting rows into `channel` 2,048 at a
    /// time (a row that fails to parse travels as `.failed`) and `bytesRead` after each batch.
    /// The channel is finished at the end of the file, or with the error that stopped reading.
    /// - Returns: a group the thread leaves when it is done; wait on it after cancelling the channel.
    private static func startParsing<Column: TransferColumn, Value: Sendable>(
        _ source: UnsafeSendable<RecordSource<Column>>,
        with parse: @escaping @Sendable (ImportRecord<Column>) throws -> Value,
        into channel: BatchChannel<ParsedRow<Value>>, bytesRead progress: AtomicCounter
    ) -> DispatchGroup {
        let producer = DispatchGroup()
        producer.enter()
        Thread {
            defer { producer.leave() }
            var record = ImportRecord<Column>()
            var batch: [ParsedRow<Value>] = []
            batch.reserveCapacity(2048)
            do {
                while true {
                    do {
                        guard try source.value.next(into: &record) else { break }
                        batch.append(.parsed(line: record.line, value: try parse(record)))
                    } catch let bad as BadRecord {
                        batch.append(.failed(line: bad.line, error: bad.error))
                    } catch let error as StoreError {
                        batch.append(.failed(line: record.line, error: error))
                    }
                    if batch.count == 2048 {
                        progress.set(source.value.bytesRead)
                        guard channel.put(batch) else { return }
                        batch.removeAll(keepingCapacity: true)
                    }
                }
                if !batch.isEmpty { _ = channel.put(batch) }
                channel.finish()
            } catch {
                if !batch.isEmpty { _ = channel.put(batch) }
                channel.finish(error: error)
            }
        }.start()
        return producer
    }

    /// Stores one batch of parsed rows through `store`, in order. A row that failed to parse, or
    /// that `store` rejects as a row fault or a constraint violation, is listed with its line under
    /// `skipInvalid` and otherwise ends the import.
    /// - Throws: the first bad row's error, prefixed with its line, unless `skipInvalid`.
    private func storeBatch<Value: Sendable>(
        _ batch: [ParsedRow<Value>], options: ImportOptions, savepoints: Bool, summary: inout ImportSummary,
        store: (Value, inout ImportSummary) throws -> Void
    ) throws {
        for row in batch {
            switch row {
            case .parsed(let line, let value):
                do {
                    try storingRow(skipInvalid: options.skipInvalid && savepoints) { try store(value, &summary) }
                } catch let error as StoreError where error.isRowFault {
                    let message = "line \(line): \(error.message)"
                    guard options.skipInvalid else { throw StoreError(error.code, message) }
                    summary.skipped.append((line, message))
                } catch let error as SQLiteError where error.isConstraintViolation {
                    let message = "line \(line): \(error.message)"
                    guard options.skipInvalid else { throw StoreError.invalid(message) }
                    summary.skipped.append((line, message))
                } catch let error as PGError where error.isConstraintViolation {
                    let message = "line \(line): \(error.description)"
                    guard options.skipInvalid else { throw StoreError.invalid(message) }
                    summary.skipped.append((line, message))
                }
            case .failed(let line, let error):
                let message = error.message.hasPrefix("line ") ? error.message : "line \(line): \(error.message)"
                guard options.skipInvalid else { throw StoreError(error.code, message) }
                summary.skipped.append((line, message))
            }
        }
    }

    func run<Column: TransferColumn>(
        path: String, entity: String, options: ImportOptions,
        row: (ImportRecord<Column>, inout ImportSummary) throws -> Void,
        finish: (inout ImportSummary) throws -> Void = { _ in }
    ) throws -> ImportSummary {
        guard let format = options.format ?? TransferFormat.inferred(from: path) else {
            throw StoreError.invalid("cannot tell the format of '\(path)': name it .csv, .tsv or .jsonl, or pass --format")
        }
        let source = try RecordSource<Column>(path: path, format: format)
        var summary = ImportSummary(entity: entity)
        var record = ImportRecord<Column>()
        let progressEvery = 16_384
        var rows = 0
        return try withStoreErrors {
            try db.transaction(.immediate) {
                while true {
                    do {
                        guard try source.next(into: &record) else { break }
                    } catch let bad as BadRecord {
                        guard options.skipInvalid else { throw bad.error }
                        summary.skipped.append((bad.line, bad.error.message))
                        continue
                    }
                    rows += 1
                    if rows % progressEvery == 0 { options.progress?(source.bytesRead, source.totalBytes) }
                    do {
                        try storingRow(skipInvalid: options.skipInvalid) { try row(record, &summary) }
                    } catch let error as StoreError where error.isRowFault {
                        let message = error.message.hasPrefix("line ") ? error.message : "line \(record.line): \(error.message)"
                        guard options.skipInvalid else { throw StoreError(error.code, message) }
                        summary.skipped.append((record.line, message))
                    } catch let error as SQLiteError where error.isConstraintViolation {
                        let message = "line \(record.line): \(error.message)"
                        guard options.skipInvalid else { throw StoreError.invalid(message) }
                        summary.skipped.append((record.line, message))
                    } catch let error as PGError where error.isConstraintViolation {
                        let message = "line \(record.line): \(error.description)"
                        guard options.skipInvalid else { throw StoreError.invalid(message) }
                        summary.skipped.append((record.line, message))
                    }
                }
                try finish(&summary)
                options.progress?(source.totalBytes, source.totalBytes)
                return summary
            }
        }
    }
}
