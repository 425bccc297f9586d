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

@Suite("Money for people")
struct GroupedMoneyTests {
    @Test(arguments: [(42862886, "428,628.86"), (99, "0.99"), (100000, "1,000.00"), (99999, "999.99"),
                      (-123456789, "-1,234,567.89"), (Money.maxMinor, "10,000,000,000.00")] as [(Int64, String)])
    func thousandsSeparators(minor: Int64, text: String) {
        #expect(Money.format(minor, grouped: true) == text)
        #expect(Money.format(minor) == text.replacingOccurrences(of: ",", with: ""))  // machines get the plain number
    }
}
