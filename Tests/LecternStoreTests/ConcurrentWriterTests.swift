import Foundation
import LecternCore
import LecternStore
import Testing
import LecternTestSupport

/// Two sessions writing one learner's events at once, as two API nodes on one PostgreSQL database
/// do. Each write checks what is stored, then inserts (the same event sent twice is recognised; a
/// purchase is refunded once): under READ COMMITTED the second session would not see the first's
/// uncommitted row and would insert too. The learner's advisory lock makes the second wait for the
/// first's commit. The first session holds its transaction open while the second starts, so without
/// the lock these tests fail every time, not by luck. (SQLite has one writer: nothing to race.)
@Suite("Concurrent writers of one learner (PostgreSQL)", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG or run bash .ci/run"))
struct ConcurrentWriterTests {
    static func event(_ kind: String, at: String, amount: Int64? = nil) throws -> CheckedEvent {
        try ActivityService.check(EventInput(user: "u1", course: "py-101", kind: kind, amountMinor: amount, at: at), now: 0)
    }

    /// Records `held` in session one inside a transaction kept open, starts `racing` in session two,
    /// checks that it waits, then commits session one; returns both outcomes (a thrown error as nil).
    static func race(_ url: String, held: CheckedEvent, racing: CheckedEvent, setUp: (Database) throws -> Void)
        throws -> (first: RecordOutcome, second: Result<RecordOutcome, any Error>, waited: Bool) {
        let one = try LecternDatabase.open(path: url)
        try setUp(one)
        let two = UnsafeSendable(try LecternDatabase.open(path: url))
        let finished = DispatchSemaphore(value: 0)
        let second = UnsafeSendable(Box<Result<RecordOutcome, any Error>>())
        var waited = false
        let first = try one.transaction {
            let outcome = try ActivityService(one).record(held)
            Thread.detachNewThread {
                second.value.value = Result(catching: { try ActivityService(two.value).record(racing) })
                finished.signal()
            }
            // The second session must still be waiting for this transaction's lock.
            waited = finished.wait(timeout: .now() + 0.5) == .timedOut
            return outcome
        }
        if waited { finished.wait() }
        return (first, try #require(second.value.value), waited)
    }

    final class Box<T> {
        var value: T?
    }

    @Test("the same event without a key, from two sessions at once, is stored once")
    func sameEventOnce() throws {
        try TestPostgres.withDatabase { url in
            let view = try Self.event("view", at: "2025-03-01T10:00:00Z")
            let (first, second, waited) = try Self.race(url, held: view, racing: view) { db in
                try makeLearner(in: db, externalID: "u1")
                try makeCourse(in: db, slug: "py-101", creator: try makeCreator(in: db), priceMinor: 2_500)
            }
            #expect(waited, "the second session did not wait for the first")
            guard case .recorded(let id) = first else { Issue.record("first: \(first)"); return }
            #expect(try second.get() == .sameEvent(id: id))
            let db = try LecternDatabase.open(path: url)
            #expect(try InteractionRepository(db).count() == 1)
        }
    }

    @Test("two refunds of one purchase, from two sessions at once: one is stored, the other refused")
    func oneRefund() throws {
        try TestPostgres.withDatabase { url in
            let purchase = try Self.event("purchase", at: "2025-03-01T10:00:00Z", amount: 2_500)
            let (first, second, waited) = try Self.race(
                url, held: try Self.event("refund", at: "2025-03-02T10:00:00Z"), racing: try Self.event("refund", at: "2025-03-03T10:00:00Z")) { db in
                    try makeLearner(in: db, externalID: "u1")
                    try makeCourse(in: db, slug: "py-101", creator: try makeCreator(in: db), priceMinor: 2_500)
                    _ = try ActivityService(db).record(purchase)
                }
            #expect(waited, "the second session did not wait for the first")
            #expect(first.id != nil)
            #expect(throws: StoreError.self) { try second.get() }
            let db = try LecternDatabase.open(path: url)
            #expect(try InteractionRepository(db).count() == 2)
        }
    }
}
