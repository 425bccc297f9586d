import Testing
@testable import LecternRecommender

@Suite("Event cleaning")
struct EventCleaningTests {
    /// Limits: duplicates within 10 s, bots above 4 events in 60 s or 6 in a UTC day; times from
    /// 1000 to 100000 + 100.
    static let cleaner = EventCleaner(now: 100_000, earliest: 1_000, clockSkew: 100, duplicateWindow: 10,
                                      burstLimit: 4, burstWindow: 60, dailyLimit: 6)

    static func event(_ id: Int64, _ user: Int64, _ course: Int64, _ kind: EventKind, _ time: Int64) -> CleaningEvent {
        CleaningEvent(id: id, user: user, course: course, kind: kind, time: time)
    }

    static let events: [CleaningEvent] = [
        // Learner 1 is a person: 4 events in 12 s (not above 4), 7 in range over two days.
        event(1, 1, 1, .view, 2_000),
        event(2, 1, 1, .view, 2_010),        // exactly 10 s after event 1: duplicate
        event(3, 1, 1, .view, 2_011),        // 11 s after the kept event 1: kept, though 1 s after event 2
        event(4, 1, 1, .wishlist, 2_012),    // another kind
        event(5, 1, 1, .purchase, 2_200),
        event(6, 1, 1, .purchase, 2_201),    // a repeated purchase, but money
        event(7, 1, 2, .view, 50),           // before the earliest time
        event(8, 1, 2, .view, 100_101),      // one second past now + skew
        event(9, 1, 3, .view, 100_100),      // exactly now + skew: fine
        event(25, 1, 1, .refund, 10),        // out of range, but money
        // Learner 2 bursts: 5 events between 5000 and 5040.
        event(10, 2, 1, .view, 5_000),
        event(11, 2, 2, .view, 5_010),
        event(12, 2, 3, .view, 5_020),
        event(13, 2, 4, .view, 5_030),
        event(14, 2, 5, .purchase, 5_040),   // counts toward the burst, never flagged
        event(15, 2, 6, .view, 90_000),      // a calm event, flagged with the rest of a bot's
        event(16, 2, 7, .view, 10),          // out of range wins over bot
        // Learner 3 is steady but tireless: 8 events on day 0, 1000 s apart (and one repeat).
        event(17, 3, 1, .view, 10_000), event(18, 3, 2, .view, 11_000), event(19, 3, 3, .view, 12_000),
        event(20, 3, 4, .view, 13_000), event(21, 3, 5, .view, 14_000), event(22, 3, 6, .view, 15_000),
        event(23, 3, 7, .view, 16_000),
        event(24, 3, 1, .view, 10_005),      // a duplicate of 17, but bot wins
    ]

    @Test func eachRuleByHand() throws {
        let report = try Self.cleaner.clean(Self.events)
        #expect(report.botUsers == [2, 3])
        let reasons = Dictionary(uniqueKeysWithValues: report.flagged.map { ($0.id, $0.reason) })
        #expect(reasons[2] == .duplicate)
        #expect(reasons[7] == .outOfRange && reasons[8] == .outOfRange && reasons[16] == .outOfRange)
        for id: Int64 in [10, 11, 12, 13, 15] + Array(17...24) { #expect(reasons[id] == .bot) }
        for id: Int64 in [1, 3, 4, 5, 6, 9, 14, 25] { #expect(reasons[id] == nil) }
        #expect(report.counts == [.outOfRange: 3, .bot: 13, .duplicate: 1])
        #expect(report.flagged.map(\.id) == report.flagged.map(\.id).sorted())
        #expect(report.flagged.count == 17)
    }

    @Test func moneyIsFlaggedOnlyWhenAsked() throws {
        var cleaner = Self.cleaner
        cleaner.includeMoney = true
        let report = try cleaner.clean(Self.events)
        let reasons = Dictionary(uniqueKeysWithValues: report.flagged.map { ($0.id, $0.reason) })
        #expect(reasons[6] == .duplicate)   // 1 s after purchase 5
        #expect(reasons[14] == .bot)
        #expect(reasons[25] == .outOfRange)
        #expect(reasons[5] == nil)
        #expect(report.counts == [.outOfRange: 4, .bot: 14, .duplicate: 2])
    }

    @Test func theOrderOfTheInputDoesNotMatter() throws {
        var generator = SeededGenerator(seed: 3)
        let shuffled = Self.events.shuffled(using: &generator)
        #expect(try Self.cleaner.clean(shuffled) == Self.cleaner.clean(Self.events))
    }

    @Test func aWindowRestartsAtTheNextKeptEvent() throws {
        // Views at 0, 6, 12, 18 s with a 10 s window: 6 repeats 0, 12 is kept, 18 repeats 12.
        let cleaner = EventCleaner(now: 1_000, duplicateWindow: 10)
        let events = [0, 6, 12, 18].enumerated().map { Self.event(Int64($0.offset), 1, 1, .view, Int64($0.element)) }
        let report = try cleaner.clean(events)
        #expect(report.flagged == [FlaggedEvent(id: 1, reason: .duplicate), FlaggedEvent(id: 3, reason: .duplicate)])
    }

    @Test func theBurstWindowIsHalfOpen() throws {
        // Three events at 0, 30 and 60 s: 0 and 60 are 60 s apart, so no 60 s window holds three.
        let cleaner = EventCleaner(now: 1_000, burstLimit: 2, burstWindow: 60)
        let spread = [0, 30, 60].enumerated().map { Self.event(Int64($0.offset), 1, Int64($0.offset), .view, Int64($0.element)) }
        #expect(try cleaner.clean(spread).botUsers.isEmpty)
        let tight = [0, 30, 59].enumerated().map { Self.event(Int64($0.offset), 1, Int64($0.offset), .view, Int64($0.element)) }
        #expect(try cleaner.clean(tight).botUsers == [1])
    }

    @Test func daysAreUTCDays() throws {
        // Two events either side of midnight are on different days; two before it on the same.
        let cleaner = EventCleaner(now: 200_000, dailyLimit: 1)
        let apart = [Self.event(1, 1, 1, .view, 86_399), Self.event(2, 1, 2, .view, 86_400)]
        #expect(try cleaner.clean(apart).botUsers.isEmpty)
        let together = [Self.event(1, 1, 1, .view, 86_000), Self.event(2, 1, 2, .view, 86_399)]
        #expect(try cleaner.clean(together).botUsers == [1])
    }

    @Test func emptyInputHasNothingToFlag() throws {
        let report = try Self.cleaner.clean([])
        #expect(report.flagged.isEmpty && report.botUsers.isEmpty)
        #expect(report.counts == [.outOfRange: 0, .bot: 0, .duplicate: 0])
    }

    @Test func parametersOutOfRangeAreRefused() {
        #expect(throws: RecommenderError.self) { try EventCleaner(now: 10, earliest: 11).clean([]) }
        #expect(throws: RecommenderError.self) { try EventCleaner(now: 10, clockSkew: -1).clean([]) }
        #expect(throws: RecommenderError.self) { try EventCleaner(now: 10, duplicateWindow: -1).clean([]) }
        #expect(throws: RecommenderError.self) { try EventCleaner(now: 10, burstLimit: 0).clean([]) }
        #expect(throws: RecommenderError.self) { try EventCleaner(now: 10, dailyLimit: 0).clean([]) }
    }
}
