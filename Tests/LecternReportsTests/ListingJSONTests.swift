import Foundation
import LecternCore
import LecternReports
import LecternStore
import Testing

/// The exact JSON of listings and records: the layouts and number forms `lectern --format json` has
/// always printed (scripts read them), now written through Codable.
@Suite("Listings in JSON")
struct ListingJSONTests {
    static func listing() -> Listing {
        var listing = Listing(["course", "orders", "share", "net", "spend", "tags"])
        listing.append([.text("py-101 \"中文\" 🚀"), .int(2), .number(0.283, decimals: 4), .money(24_800),
                        .amounts([.init(currency: "CNY", minor: 12_000), .init(currency: "USD", minor: 4_990)]), .list(["ai", "中文"])])
        listing.append([.text(nil), .int(nil), .number(.nan, decimals: 3), .money(nil), .amounts([]), .list([])])
        listing.append([.text("total"), .int(0), .number(nil, decimals: 1), .money(-5), .amounts([.init(currency: "USD", minor: 0)]),
                        .list(["a\tb"])])
        return listing
    }

    @Test func aListingIsAnArrayOfRowsOnePerLineKeyedInColumnOrder() {
        #expect(Self.listing().rendered(.json) == """
            [
              {"course": "py-101 \\"中文\\" 🚀", "orders": 2, "share": 0.2830, "net": 248.00, "spend": {"CNY": 120.00, "USD": 49.90}, "tags": ["ai","中文"]},
              {"course": null, "orders": null, "share": null, "net": null, "spend": {}, "tags": []},
              {"course": "total", "orders": 0, "share": null, "net": -0.05, "spend": {"USD": 0.00}, "tags": ["a\\tb"]}
            ]

            """)
        #expect(Listing(["a"]).rendered(.json) == "[]\n")
    }

    @Test func aRecordIsAnObjectOneFieldPerLine() {
        let record = Listing.record([("slug", .text("py-101")), ("price", .money(4_990)), ("tags", .list(["x"]))], format: .json)
        #expect(record == "{\n  \"slug\": \"py-101\",\n  \"price\": 49.90,\n  \"tags\": [\"x\"]\n}\n")
    }

    @Test func aReportOfSeveralListingsIsAnObjectOfThemByName() throws {
        var one = Listing(["n"])
        one.append([.int(1)])
        one.append([.int(2)])
        let report = ReportJSON.listings(JSONObject([("one", one), ("none", Listing(["n"]))], layout: ReportJSON.objectLayout))
        #expect(try JSONWriter.text(of: report) == "{\n\"one\": [\n  {\"n\": 1},\n  {\"n\": 2}\n],\n\"none\": []\n}")
        #expect(try JSONWriter.text(of: ReportJSON.listing(one)) == "[\n  {\"n\": 1},\n  {\"n\": 2}\n]")
    }

    @Test func moneyParsesBackToItsAmount() throws {
        let rows = try JSONSerialization.jsonObject(with: Data(Self.listing().rendered(.json).utf8)) as? [[String: Any]]
        #expect(rows?.first?["net"] as? Double == 248)
        #expect(rows?.first?["spend"] as? [String: Double] == ["CNY": 120, "USD": 49.9])
        #expect(rows?[1]["course"] is NSNull)
    }
}
