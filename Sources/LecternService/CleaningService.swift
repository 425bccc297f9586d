import LecternRecommender
import LecternStore

/// Why `clean` sets an interaction aside, most serious first; an event gets only its most serious.
public enum CleaningRule: String, Sendable, CaseIterable, Comparable {
    /// Its learner or course does not exist (a row `PRAGMA foreign_key_check` reports).
    case unknownEntity = "unknown-entity"
    /// Its course is a draft: never released, so nobody could have used it.
    case draftCourse = "draft-course"
    /// A view, rating or other non-money event held by the anonymous holder of forgotten learners'
    /// purchases, which should hold nothing else.
    case anonymousLearner = "anonymous-learner"
    /// Before the earliest believable time, or later than now plus the clock skew.
    case outOfRange = "out-of-range"
    /// Before its learner signed up.
    case beforeSignup = "before-signup"
    /// Before its course was created.
    case beforeCourse = "before-course"
    /// Its learner acts faster or more than a person does.
    case bot
    /// The same learner did the same to the same course moments before.
    case duplicate

    public static func < (lhs: CleaningRule, rhs: CleaningRule) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// The thresholds `clean` applies (`EventCleaner`'s, plus the creation-time check).
public struct CleaningOptions: Sendable, Equatable {
    public var now: Int64
    /// Nil for the earliest course's creation minus 365 days (0 with no course).
    public var earliest: Int64?
    public var clockSkew: Int64 = 300
    public var duplicateWindow: Int64 = 60
    public var burstLimit = 30
    public var burstWindow: Int64 = 60
    public var dailyLimit = 1_000
    /// Remove flagged purchases and refunds too; otherwise they are reported and kept.
    public var includeMoney = false
    /// Flag events before their learner's signup or their course's creation.
    public var checkCreationTimes = true

    public init(now: Int64 = currentUnixTime(), earliest: Int64? = nil) {
        self.now = now
        self.earliest = earliest
    }
}

/// One interaction `clean` found wrong.
public struct FlaggedInteraction: Sendable, Equatable {
    public var event: StoredEvent
    public var rule: CleaningRule
    /// False for a purchase or refund kept because money was not included.
    public var isRemoved: Bool
}

/// What `clean` found and what it removed.
public struct CleaningOutcome: Sendable {
    /// The earliest believable time used.
    public var earliest: Int64
    /// Every flagged interaction, by id.
    public var flagged: [FlaggedInteraction]
    /// Learners whose activity looks automated, by id.
    public var botLearners: [Int64]
    /// How many interactions were deleted (0 for a dry run).
    public var removed: Int
    public var dryRun: Bool

    /// The flagged interactions that are (or, in a dry run, would be) removed.
    public var removable: [FlaggedInteraction] { flagged.filter(\.isRemoved) }
    /// Flagged purchases and refunds kept for the accounts.
    public var keptMoney: [FlaggedInteraction] { flagged.filter { !$0.isRemoved } }
}

/// Finds interactions that should not be there (on missing or unreleased things, at impossible
/// times, from bots, repeated) and removes them in one transaction.
public struct CleaningService {
    let db: Database

    public init(_ db: Database) {
        self.db = db
    }

    /// Checks every interaction and, unless `dryRun`, deletes the flagged ones (purchases and
    /// refunds only with `options.includeMoney`) in the same transaction as the reading. With money
    /// included, a refund goes with the last purchase it could refund.
    ///
    /// Bots and duplicates are `EventCleaner`'s rules over the events of known learners and courses;
    /// the anonymous holder of forgotten learners' purchases is checked only for range and for
    /// holding anything but money.
    /// - Throws: `RecommenderError` for thresholds out of range; nothing is removed then.
    /// - Complexity: O(interactions log interactions).
    public func clean(_ options: CleaningOptions, dryRun: Bool) throws -> CleaningOutcome {
        try db.transaction {
            let store = CleaningStore(db)
            let earliest = try options.earliest ?? store.earliestCourseCreation().map { $0 - 365 * 86_400 } ?? 0
            let cleaner = EventCleaner(now: options.now, earliest: earliest, clockSkew: options.clockSkew,
                                       duplicateWindow: options.duplicateWindow, burstLimit: options.burstLimit,
                                       burstWindow: options.burstWindow, dailyLimit: options.dailyLimit, includeMoney: true)
            try cleaner.validate()
            let latest = options.now.addingReportingOverflow(options.clockSkew).overflow ? Int64.max : options.now + options.clockSkew

            let events = try store.events()
            var rules: [Int64: CleaningRule] = [:]
            func flag(_ id: Int64, _ rule: CleaningRule) {
                if let current = rules[id], current <= rule { return }
                rules[id] = rule
            }
            var ordinary: [CleaningEvent] = []
            for event in events {
                guard let learner = event.learner, let course = event.course else {
                    flag(event.id, .unknownEntity)
                    continue
                }
                if course.status == .draft { flag(event.id, .draftCourse) }
                if learner.isAnonymous && !event.movesMoney { flag(event.id, .anonymousLearner) }
                if event.occurredAt < earliest || event.occurredAt > latest { flag(event.id, .outOfRange) }
                if options.checkCreationTimes {
                    if !learner.isAnonymous && event.occurredAt < learner.createdAt { flag(event.id, .beforeSignup) }
                    if event.occurredAt < course.createdAt { flag(event.id, .beforeCourse) }
                }
                if !learner.isAnonymous {
                    ordinary.append(CleaningEvent(id: event.id, user: event.userID, course: event.courseID,
                                                  kind: EventKind(event.kind), time: event.occurredAt))
                }
            }
            let report = try cleaner.clean(ordinary)
            for found in report.flagged {
                switch found.reason {
                case .outOfRange: flag(found.id, .outOfRange)
                case .bot: flag(found.id, .bot)
                case .duplicate: flag(found.id, .duplicate)
                }
            }

            if options.includeMoney { flagOrphanedRefunds(events, &rules) }

            let flagged = events.compactMap { event in
                rules[event.id].map { FlaggedInteraction(event: event, rule: $0, isRemoved: options.includeMoney || !event.movesMoney) }
            }
            let removed = dryRun ? 0 : try store.remove(ids: flagged.filter(\.isRemoved).map(\.event.id))
            return CleaningOutcome(earliest: earliest, flagged: flagged, botLearners: report.botUsers, removed: removed,
                                   dryRun: dryRun)
        }
    }

    /// Flags the refunds of a learner's course whose purchases are all flagged, with the rule of the
    /// last of those purchases: a refund of nothing would take money from the accounts.
    func flagOrphanedRefunds(_ events: [StoredEvent], _ rules: inout [Int64: CleaningRule]) {
        struct Pair: Hashable {
            var user: Int64, course: Int64
        }
        var purchases: [Pair: (kept: Int, rule: CleaningRule?)] = [:]
        for event in events where event.kind == .purchase {
            let pair = Pair(user: event.userID, course: event.courseID)
            if let rule = rules[event.id] {
                purchases[pair, default: (0, nil)].rule = rule
            } else {
                purchases[pair, default: (0, nil)].kept += 1
            }
        }
        for event in events where event.kind == .refund && rules[event.id] == nil {
            if let state = purchases[Pair(user: event.userID, course: event.courseID)], state.kept == 0, let rule = state.rule {
                rules[event.id] = rule
            }
        }
    }
}
