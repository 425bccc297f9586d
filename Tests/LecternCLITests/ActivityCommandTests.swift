import Foundation
import Testing

@Suite("lectern record and activity")
struct ActivityCommandTests {
    @Test func eventsAreRecordedWithDefaultsAndKeys() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        try lectern.ok(["record", "view", "--user", "u1", "--course", "py-101", "--at", "2025-03-01T09:00:00Z", "--channel", "app"])
        try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-101", "--at", "2025-03-01T10:00:00Z", "--key", "order-1"])
        let again = try lectern.ok(["record", "purchase", "--user", "u1", "--course", "py-101", "--key", "order-1"])
        #expect(again.contains("Already recorded"))
        try lectern.ok(["record", "complete", "--user", "u1", "--course", "py-101", "--at", "2025-03-20"])
        try lectern.ok(["record", "rate", "--user", "u1", "--course", "py-101", "--rating", "5", "--at", "2025-03-21"])
        try lectern.ok(["record", "purchase", "--user", "u2", "--course", "2", "--amount", "60", "--at", "2025-04-01"])
        try lectern.ok(["record", "refund", "--user", "u2", "--course", "py-201", "--at", "2025-04-02"])

        let rows = try parseJSON(try lectern.ok(["activity", "--format", "json"])) as! [[String: Any]]
        #expect(rows.count == 6)
        #expect(rows.first?["kind"] as? String == "refund")
        #expect(rows.first?["value"] as? Double == 60)  // refund defaults to what was paid
        let purchase = rows.first { $0["kind"] as? String == "purchase" && $0["user"] as? String == "u1" }
        #expect(purchase?["value"] as? Double == 49.9)  // purchase defaults to the price
        #expect(purchase?["currency"] as? String == "USD")
        #expect(purchase?["occurred_at"] as? String == "2025-03-01T10:00:00Z")

        let onlyU1 = try parseJSON(try lectern.ok(["activity", "--user", "u1", "--kind", "view", "--format", "json"])) as! [[String: Any]]
        #expect(onlyU1.count == 1)
        #expect(onlyU1.first?["channel"] as? String == "app")
        let march = try parseJSON(try lectern.ok(["activity", "--since", "2025-03-01", "--until", "2025-03-21", "--format", "json"])) as! [[String: Any]]
        #expect(march.count == 3)

        let user = try parseJSON(try lectern.ok(["user", "show", "u2", "--format", "json"])) as! [String: Any]
        #expect((user["net_spend"] as? [String: Any])?["USD"] as? Double == 0)  // per currency: bought and refunded in USD
        #expect(user["refunds"] as? Int == 1)

        let stats = try parseJSON(try lectern.ok(["stats", "--format", "json"])) as! [String: Any]
        let best = stats["best_sellers"] as! [[String: Any]]
        #expect(best.first?["course"] as? String == "py-101")
        #expect(best.first?["net_revenue"] as? Double == 49.9)
        #expect(best.first?["currency"] as? String == "USD")
    }
}
