import LecternStore
import Testing

@Suite("Money")
struct MoneyTests {
    @Test(arguments: [("49", 4900), ("49.9", 4990), ("49.90", 4990), ("0.05", 5), ("0", 0), ("10.01", 1001),
                      ("10000000000", 1_000_000_000_000), ("10000000000.00", Money.maxMinor)] as [(String, Int64)])
    func parsesExactly(text: String, minor: Int64) {
        #expect(Money.parse(text) == minor)
    }

    @Test(arguments: ["", "-1", "+1", "1.234", "1.", ".5", "1,50", "١٢", "49.9O", "92233720368547758.08", "1e3",
                      "10000000000.01", "46116860184273879.04"])
    func refusesWhatIsNotAnAmount(text: String) {
        #expect(Money.parse(text) == nil)
    }

    @Test func formatsWithTwoDecimals() {
        #expect(Money.format(4990) == "49.90")
        #expect(Money.format(5) == "0.05")
        #expect(Money.format(-3998) == "-39.98")
        #expect(Money.format(Int64.min) == "-92233720368547758.08")
    }
}
