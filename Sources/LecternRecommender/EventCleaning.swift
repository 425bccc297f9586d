/// One recorded event, as the cleaner sees it.
public struct CleaningEvent: Sendable, Equatable {
    public var id: Int64
    public var user: Int64
    public var course: Int64
    public var kind: EventKind
    /// Unix seconds.
    public var time: Int64

    public init(id: Int64, user: Int64, course: Int64, kind: EventKind, time: Int64) {
        self.id = id
        self.user = user
        self.course = course
        self.kind = kind
        self.time = time
    }

    /// Purchases and refunds: money changed hands, so they are left alone unless asked.
    public var movesMoney: Bool { kind == .purchase || kind == .refund }
}

/// Why an event looks wrong, most serious first.
public enum CleaningReason: String, Sendable, CaseIterable, Comparable {
    /// Its time is before the earliest believable time or after now (plus clock skew).
    case outOfRange = "out-of-range"
    /// Its learner acts faster or more than a person does.
    case bot
    /// The same learner did the same to the same course moments before.
    case duplicate

    public static func < (lhs: CleaningReason, rhs: CleaningReason) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// An event the cleaner would set aside, and why.
public struct FlaggedEvent: Sendable, Equatable {
    public var id: Int64
    public var reason: CleaningReason

    public init(id: Int64, reason: CleaningReason) {
        self.id = id
        self.reason = reason
    }
}

/// What the cleaner found.
public struct CleaningReport: Sendable, Equatable {
    /// Flagged events by id, each with its most serious reason.
    public var flagged: [FlaggedEvent]
    /// How many events each reason flagged (every reason present, 0 when none).
    public var counts: [CleaningReason: Int]
    /// Learners whose activity looks automated, ascending.
    public var botUsers: [Int64]

    public init(flagged: [FlaggedEvent], counts: [CleaningReason: Int], botUsers: [Int64]) {
        self.flagged = flagged
        self.counts = counts
        self.botUsers = botUsers
    }

    public var flaggedIDs: Set<Int64> { Set(flagged.map(\.id)) }
}

/// Finds recorded events that should not train a model: impossible times, bots, and repeats.
///
/// Rules, in order of seriousness (an event gets only its most serious reason):
/// 1. Out of range: a time before `earliest` or after `now + clockSkew`.
/// 2. Bot: the learner has more than `burstLimit` in-range events within `burstWindow` seconds
///    (any window: times t with first <= t < first + burstWindow), or more than `dailyLimit` in one
///    UTC day; all of that learner's events are flagged.
/// 3. Duplicate: among a learner's in-range events of one kind on one course, in time order (then
///    id), an event at most `duplicateWindow` seconds after the last kept one; the first is kept,
///    and the window restarts at the next event kept.
///
/// Every in-range event counts toward the bot limits, but purchases and refunds are never flagged
/// unless `includeMoney` is true.
public struct EventCleaner: Sendable, Equatable {
    public var now: Int64
    /// The earliest believable time (Unix seconds), such as the platform's launch.
    public var earliest: Int64
    /// How far past `now` a time may be before it is out of range, for clocks that run ahead.
    public var clockSkew: Int64
    public var duplicateWindow: Int64
    public var burstLimit: Int
    public var burstWindow: Int64
    public var dailyLimit: Int
    public var includeMoney: Bool

    public init(now: Int64, earliest: Int64 = 0, clockSkew: Int64 = 300, duplicateWindow: Int64 = 60,
                burstLimit: Int = 30, burstWindow: Int64 = 60, dailyLimit: Int = 1_000, includeMoney: Bool = false) {
        self.now = now
        self.earliest = earliest
        self.clockSkew = clockSkew
        self.duplicateWindow = duplicateWindow
        self.burstLimit = burstLimit
        self.burstWindow = burstWindow
        self.dailyLimit = dailyLimit
        self.includeMoney = includeMoney
    }

    public func validate() throws {
        guard earliest <= now else { throw RecommenderError("the earliest time \(earliest) is after now (\(now))") }
        guard clockSkew >= 0 else { throw RecommenderError("the clock skew cannot be negative, got \(clockSkew)") }
        guard duplicateWindow >= 0 else {
            throw RecommenderError("the duplicate window cannot be negative, got \(duplicateWindow)")
        }
        guard burstLimit >= 1, burstWindow >= 1 else {
            throw RecommenderError("the burst limit needs at least 1 event in at least 1 second, got \(burstLimit) in \(burstWindow)")
        }
        guard dailyLimit >= 1 else { throw RecommenderError("the daily limit must be at least 1, got \(dailyLimit)") }
    }

    /// Checks `events`, given in any order.
    ///
    /// - Throws: `RecommenderError` for parameters out of range.
    /// - Complexity: O(events log events).
    public func clean(_ events: [CleaningEvent]) throws -> CleaningReport {
        try validate()
        let latest = now.addingReportingOverflow(clockSkew).overflow ? Int64.max : now + clockSkew
        var reasons: [Int64: CleaningReason] = [:]
        func flag(_ event: CleaningEvent, _ reason: CleaningReason) {
            guard includeMoney || !event.movesMoney else { return }
            if let current = reasons[event.id], current <= reason { return }
            reasons[event.id] = reason
        }
        var inRange: [CleaningEvent] = []
        for event in events {
            if event.time < earliest || event.time > latest {
                flag(event, .outOfRange)
            } else {
                inRange.append(event)
            }
        }
        inRange.sort { ($0.time, $0.id) < ($1.time, $1.id) }

        var botUsers: [Int64] = []
        for (user, own) in Dictionary(grouping: inRange, by: \.user) {
            if isBot(own.map(\.time)) {
                botUsers.append(user)
                for event in own { flag(event, .bot) }
            }
        }
        botUsers.sort()

        struct Key: Hashable {
            var user: Int64, course: Int64, kind: EventKind
        }
        var lastKept: [Key: Int64] = [:]
        for event in inRange {
            let key = Key(user: event.user, course: event.course, kind: event.kind)
            if let kept = lastKept[key], event.time - kept <= duplicateWindow {
                flag(event, .duplicate)
            } else {
                lastKept[key] = event.time
            }
        }

        var counts = Dictionary(uniqueKeysWithValues: CleaningReason.allCases.map { ($0, 0) })
        for reason in reasons.values { counts[reason]! += 1 }
        let flagged = reasons.map { FlaggedEvent(id: $0.key, reason: $0.value) }.sorted { $0.id < $1.id }
        return CleaningReport(flagged: flagged, counts: counts, botUsers: botUsers)
    }

    /// Whether ascending `times` break the burst or the daily limit.
    func isBot(_ times: [Int64]) -> Bool {
        var start = 0
        for end in times.indices {
            while times[end] - times[start] >= burstWindow { start += 1 }
            if end - start + 1 > burstLimit { return true }
        }
        var perDay: [Int64: Int] = [:]
        for time in times {
            let day = time >= 0 ? time / 86_400 : (time - 86_399) / 86_400
            perDay[day, default: 0] += 1
            if perDay[day]! > dailyLimit { return true }
        }
        return false
    }
}
