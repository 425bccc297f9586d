import Foundation
import LecternStore
import Testing
import LecternTestSupport

/// The one place the rules for recording events live (issue 15): the CLI and the HTTP API both
/// call `ActivityService`, so a rule checked here holds for both.
@Suite("Activity service")
struct ActivityServiceTests {
    static func event(_ kind: String, rating: Int64? = nil, amount: Int64? = nil, at: String? = nil,
                      key: String? = nil) -> EventInput {
        EventInput(user: "u1", course: "py-101", kind: kind, rating: rating, amountMinor: amount, at: at, idempotencyKey: key)
    }

    @Test(arguments: [
        (event("teleport"), "kind must be one of view, wishlist, enroll, purchase, complete, rate, refund, dismiss, got 'teleport'"),
        (event("rate"), "a rate event needs --rating from 1 to 5"),
        (event("view", rating: 4), "--rating is only for rate events"),
        (event("complete", amount: 100), "--amount is only for purchase and refund events"),
        (event("view", at: "yesterday"), "--at must be a time such as 2025-03-01T09:30:00Z or Unix seconds"),
        (event("view", at: "253402300800"), "--at must be a time such as"),
        (event("view", key: String(repeating: "k", count: 201)), "an idempotency key is at most 200 characters"),
    ] as [(EventInput, String)])
    func eachRuleIsCheckedBeforeTheDatabase(input: EventInput, message: String) throws {
        let error = #expect(throws: StoreError.self) { try ActivityService.check(input, now: newYear2025, fields: .cli) }
        #expect(error?.code == .invalidInput)
        #expect(error?.message.hasPrefix(message) == true, "got: \(error?.message ?? "")")
    }

    @Test func aCheckedEventCarriesItsValueAndTime() throws {
        let rated = try ActivityService.check(Self.event("rate", rating: 4, at: "2025-03-01T09:30:00Z"), now: 0)
        #expect(rated.kind == .rate && rated.value == 4 && rated.occurredAt == 1_740_821_400)
        let bought = try ActivityService.check(Self.event("purchase", amount: 4_990), now: newYear2025)
        #expect(bought.value == 4_990 && bought.occurredAt == newYear2025)
        #expect(try ActivityService.check(Self.event("view"), now: 7).value == nil)
        // The API's field names in its messages.
        let error = #expect(throws: StoreError.self) { try ActivityService.check(Self.event("rate"), now: 0, fields: .api) }
        #expect(error?.message == "a rate event needs 'rating' from 1 to 5")
    }

    @Test(arguments: TestEngine.allCases)
    func aBatchIsRecordedWholeOrNotAtAll(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let creator = try makeCreator(in: db)
            try makeCourse(in: db, slug: "py-101", creator: creator, priceMinor: 2_500)
            try makeLearner(in: db, externalID: "u1")
            let activity = ActivityService(db)
            let view = try ActivityService.check(Self.event("view", at: "2025-03-01"), now: 0)
            let purchase = try ActivityService.check(Self.event("purchase", at: "2025-03-02", key: "order-1"), now: 0)
            var refund = try ActivityService.check(Self.event("refund", at: "2025-03-03"), now: 0)
            refund.user = "ghost"
            let refused = #expect(throws: StoreError.self) { try activity.record([view, purchase, refund]) }
            #expect(refused?.message == "event 2: no learner with external id 'ghost'")
            #expect(try InteractionRepository(db).count() == 0)

            let outcomes = try activity.record([view, purchase])
            #expect(outcomes.count == 2)
            guard case .recorded(let purchaseID) = outcomes[1] else { Issue.record("not recorded: \(outcomes)"); return }
            // The writer's rules apply: a purchase without an amount is charged the course price ...
            let stored = try InteractionRepository(db).list().first { $0.interaction.id == purchaseID }
            #expect(stored?.interaction.value == 2_500)
            // ... and the same events again are recognised, by key and by identity.
            #expect(try activity.record([view, purchase]) == [.sameEvent(id: outcomes[0].id!), .duplicate(key: "order-1")])
            #expect(try InteractionRepository(db).count() == 2)
        }
    }
}

extension RecordOutcome {
    var id: Int64? {
        if case .recorded(let id) = self { return id }
        return nil
    }
}
