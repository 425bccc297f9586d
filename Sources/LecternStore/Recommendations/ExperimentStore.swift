import LecternCore
internal import LecternSQLite

/// An online experiment and its variants.
public struct Experiment: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var status: String
    public var windowDays: Double
    public var createdAt: Int64
    public var stoppedAt: Int64?
    /// Only learners in this segment take part; everyone else is served as usual and not logged.
    public var segment: String?
    /// (variant name, algorithm, traffic percent), in order.
    public var variants: [(name: String, algorithm: Algorithm, traffic: Int)]

    public static func == (a: Experiment, b: Experiment) -> Bool {
        a.id == b.id && a.status == b.status && a.segment == b.segment && a.variants.map(\.name) == b.variants.map(\.name)
    }
}

/// One variant's outcome so far.
public struct VariantOutcome: Sendable, Equatable {
    public var variant: String
    public var algorithm: Algorithm
    public var learners: Int
    public var impressions: Int
    public var clicks: Int
    public var converters: Int
    /// Impressions followed within the window by the learner dismissing the impressed course.
    public var dismissals: Int
    /// What the converting purchases brought in, per currency, in currency order.
    public var revenue: [Money.Amount]
}

/// Experiments, their variants and the impressions logged while they run.
public struct ExperimentStore {
    let db: Executor

    public init(_ db: Database) {
        self.db = db.executor
    }

    init(_ db: Connection) {
        self.db = .sqlite(db)
    }

    static let insertExperiment = "INSERT INTO experiments (name, window_days, created_at, segment) VALUES (?, ?, ?, ?)"
    static let insertVariant = "INSERT INTO experiment_variants (experiment_id, name, algorithm, traffic, position) VALUES (?, ?, ?, ?, ?)"
    static let byName = "SELECT id, name, status, window_days, created_at, stopped_at, segment FROM experiments WHERE name = ?"
    static let running = "SELECT id, name, status, window_days, created_at, stopped_at, segment FROM experiments WHERE status = 'running' ORDER BY id DESC LIMIT 1"
    static let all = "SELECT id, name, status, window_days, created_at, stopped_at, segment FROM experiments ORDER BY id"
    static let inSegment = """
        SELECT 1 FROM user_segments us JOIN segments s ON s.id = us.segment_id WHERE us.user_id = ? AND s.name = ?
        """
    static let variants = "SELECT name, algorithm, traffic FROM experiment_variants WHERE experiment_id = ? ORDER BY position"
    static let stop = "UPDATE experiments SET status = 'stopped', stopped_at = ? WHERE id = ? AND status = 'running'"
    static let insertImpression = """
        INSERT INTO impressions (experiment_id, variant, user_id, course_id, rank, run_id, shown_at) VALUES (?, ?, ?, ?, ?, ?, ?)
        """
    /// Per variant: exposed learners, impressions, impressions followed by a view, enrollment or purchase
    /// of that course by that learner within the window, learners who bought an impressed course
    /// within the window, and impressions followed by a dismissal of that course by that learner
    /// within the window (the same window as a click: from the impression to `window_days` after it).
    /// Each impression is a seek in `interactions_by_user` (learner, course, kind, time) per question.
    /// (`sum(CASE WHEN EXISTS ...)` rather than SQLite's `sum(EXISTS ...)`: PostgreSQL does not sum booleans.)
    static let outcome = """
        SELECT count(DISTINCT i.user_id), count(*),
               sum(CASE WHEN EXISTS (SELECT 1 FROM interactions e WHERE e.user_id = i.user_id AND e.course_id = i.course_id
                           AND e.kind IN ('view', 'enroll', 'purchase')
                           AND e.occurred_at >= i.shown_at AND e.occurred_at <= i.shown_at + ?3) THEN 1 ELSE 0 END),
               count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM interactions e WHERE e.user_id = i.user_id
                           AND e.course_id = i.course_id AND e.kind = 'purchase'
                           AND e.occurred_at >= i.shown_at AND e.occurred_at <= i.shown_at + ?3) THEN i.user_id END),
               sum(CASE WHEN EXISTS (SELECT 1 FROM interactions e WHERE e.user_id = i.user_id AND e.course_id = i.course_id
                           AND e.kind = 'dismiss'
                           AND e.occurred_at >= i.shown_at AND e.occurred_at <= i.shown_at + ?3) THEN 1 ELSE 0 END)
        FROM impressions i WHERE i.experiment_id = ?1 AND i.variant = ?2
        """
    /// Per currency: what a variant's purchases of an impressed course within the window brought in.
    static let revenue = """
        SELECT c.currency, sum(e.value) FROM interactions e JOIN courses c ON c.id = e.course_id
        WHERE e.kind = 'purchase' AND EXISTS (
            SELECT 1 FROM impressions j WHERE j.experiment_id = ?1 AND j.variant = ?2 AND j.user_id = e.user_id
            AND j.course_id = e.course_id AND e.occurred_at >= j.shown_at AND e.occurred_at <= j.shown_at + ?3)
        GROUP BY c.currency ORDER BY c.currency
        """

    private func read(_ s: Row) -> Experiment {
        Experiment(id: s.int64(0), name: s.text(1), status: s.text(2), windowDays: s.double(3), createdAt: s.int64(4),
                   stoppedAt: s.optionalInt64(5), segment: s.optionalText(6), variants: [])
    }

    private func withVariants(_ experiment: Experiment) throws -> Experiment {
        var experiment = experiment
        experiment.variants = try db.all(Self.variants, [experiment.id]) {
            ($0.text(0), try Algorithm(stored: $0.text(1), in: "experiment '\(experiment.name)'"), $0.int(2))
        }
        return experiment
    }

    /// Creates a running experiment; traffic must add up to 100.
    @discardableResult
    public func create(name: String, variants: [(name: String, algorithm: Algorithm, traffic: Int)], windowDays: Double,
                       segment: String? = nil) throws -> Experiment {
        guard !name.isEmpty, name.count <= 80 else { throw StoreError.invalid("an experiment needs a name of 1 to 80 characters") }
        guard variants.count >= 2 else { throw StoreError.invalid("an experiment needs at least two variants") }
        guard Set(variants.map(\.name)).count == variants.count else { throw StoreError.invalid("variant names must differ") }
        guard variants.allSatisfy({ (0...100).contains($0.traffic) }), variants.map(\.traffic).reduce(0, +) == 100 else {
            throw StoreError.invalid("traffic must add up to 100, got \(variants.map { String($0.traffic) }.joined(separator: "/"))")
        }
        guard windowDays > 0, windowDays.isFinite else { throw StoreError.invalid("the window must be a positive number of days") }
        if try find(name: name) != nil { throw StoreError.conflict("an experiment named '\(name)' already exists") }
        if let segment, try db.scalarInt(SegmentStore.segmentNamed, [segment]) == 0 {
            throw StoreError.notFound("no segment '\(segment)' (see `lectern segments list`)")
        }
        return try withStoreErrors {
            try db.transaction(.immediate) {
                let id = try db.insert(Self.insertExperiment, [name, windowDays, currentUnixTime(), segment])
                for (position, variant) in variants.enumerated() {
                    try db.run(Self.insertVariant, [id, variant.name, variant.algorithm.rawValue, variant.traffic, position])
                }
                return try find(name: name)!
            }
        }
    }

    public func find(name: String) throws -> Experiment? {
        try db.first(Self.byName, [name], row: read).map(withVariants)
    }

    /// The newest running experiment, if any.
    public func running() throws -> Experiment? {
        try db.first(Self.running, row: read).map(withVariants)
    }

    public func list() throws -> [Experiment] {
        try db.all(Self.all, row: read).map(withVariants)
    }

    /// Whether a learner takes part in `experiment` (always, unless it is limited to a segment).
    public func includes(_ experiment: Experiment, userID: Int64) throws -> Bool {
        guard let segment = experiment.segment else { return true }
        return try withStoreErrors { try db.exists(Self.inSegment, [userID, segment]) }
    }

    /// Stops a running experiment: no more impressions are logged; its report stays.
    public func stop(name: String) throws {
        guard let experiment = try find(name: name) else { throw StoreError.notFound("no experiment '\(name)'") }
        guard experiment.status == "running" else { throw StoreError.conflict("experiment '\(name)' is already stopped") }
        try withStoreErrors { try db.run(Self.stop, [currentUnixTime(), experiment.id]) }
    }

    /// Logs what a learner was shown, in one transaction.
    public func logImpressions(experimentID: Int64, variant: String, userID: Int64, courseIDs: [Int64], runID: Int64?, at time: Int64) throws {
        try withStoreErrors {
            try db.transaction(.immediate) {
                for (rank, courseID) in courseIDs.enumerated() {
                    try db.run(Self.insertImpression, [experimentID, variant, userID, courseID, rank + 1, runID, time])
                }
            }
        }
    }

    /// Every variant's outcome.
    public func outcomes(of experiment: Experiment) throws -> [VariantOutcome] {
        let window = Int64(experiment.windowDays * 86_400)
        return try experiment.variants.map { variant in
            let revenue = try db.all(Self.revenue, [experiment.id, variant.name, window]) {
                Money.Amount(currency: $0.text(0), minor: $0.int64(1))
            }
            return try db.first(Self.outcome, [experiment.id, variant.name, window]) {
                VariantOutcome(variant: variant.name, algorithm: variant.algorithm, learners: $0.int(0), impressions: $0.int(1),
                               clicks: $0.int(2), converters: $0.int(3), dismissals: $0.int(4), revenue: revenue)
            }!
        }
    }
}
