import LecternStore

/// Sections about money: sales and creator payouts.
extension HTMLReport {
    /// Revenue by month (lines) and by domain (bars), one chart per currency, then the sales by month, domain and course.
    func salesSection() throws -> String {
        var html = ""
        let (months, _) = try builder.salesResult(by: .month)
        let (domains, _) = try builder.salesResult(by: .domain)
        // A chart per currency: amounts in two currencies share no axis.
        let currencies = Set(months.map(\.currency)).sorted()
        html += note("Orders, gross, refunds and net revenue, per currency: amounts in different currencies are never added or converted. "
                     + "Organisations' seat purchases are rows of their own, marked (seats), and count in the totals. "
                     + "The lines are net and gross revenue per month (seats included, and drawn on their own when there are any); "
                     + "the bars, net revenue per domain; one chart per currency.")
        if months.isEmpty {
            html += empty("No purchases in this period.")
        } else {
            // A seat row's key is its month and " (seats)".
            func month(_ row: SalesRow) -> String { row.isSeats ? String(row.key.prefix(7)) : row.key }
            let keys = Set(months.map(month)).sorted()
            for currency in currencies {
                var byMonth: [String: (net: Int64, gross: Int64, seats: Int64)] = [:]
                for row in months where row.currency == currency {
                    byMonth[month(row), default: (0, 0, 0)].net += row.netMinor
                    byMonth[month(row), default: (0, 0, 0)].gross += row.grossMinor
                    if row.isSeats { byMonth[month(row), default: (0, 0, 0)].seats += row.netMinor }
                }
                let seats = months.contains { $0.isSeats && $0.currency == currency }
                html += figure(caption: "Revenue by month, \(currency)") {
                    SVGChart.lines(
                        xLabels: keys,
                        series: [.init(name: "net revenue, \(currency)", values: keys.map { Double(byMonth[$0]?.net ?? 0) / 100 },
                                       color: SVGChart.palette[0]),
                                 .init(name: "gross, \(currency)", values: keys.map { Double(byMonth[$0]?.gross ?? 0) / 100 },
                                       color: SVGChart.palette[1])]
                            + (seats ? [.init(name: "seats, \(currency)", values: keys.map { Double(byMonth[$0]?.seats ?? 0) / 100 },
                                              color: SVGChart.palette[4])] : []),
                        format: compactMoney, title: "Net and gross revenue by month (\(currency))", layout: $0)
                }
            }
            for currency in currencies {
                let top = domains.filter { $0.currency == currency }.sorted { $0.netMinor > $1.netMinor }
                html += figure(caption: "Net revenue by domain, \(currency)") {
                    SVGChart.horizontalBars(
                        labels: top.map(\.key),
                        series: [.init(name: "net revenue, \(currency)", values: top.map { Double($0.netMinor) / 100 }, color: SVGChart.palette[0])],
                        format: compactMoney, title: "Net revenue by domain (\(currency))", layout: $0)
                }
            }
        }
        html += table(try builder.sales(by: .month), caption: "By month")
        html += table(try builder.sales(by: .domain), caption: "By domain", collapsed: true)
        html += table(try builder.sales(by: .course), caption: "By course", collapsed: true)
        return html
    }

    /// Each creator's payout and the platform's part (stacked bars, the top 20 per currency), then the payouts table.
    func creatorsSection() throws -> String {
        let earnings = try builder.creatorEarnings().sorted { $0.earnedMinor > $1.earnedMinor }
        var html = note("Each creator's net revenue and part of the seat revenue (split by their courses' share of members' enrolments and completions) split into the payout owed ((net + seat revenue) × revenue share, to the cent) and the platform's part, per currency. Seat revenue no member's learning claimed stays with the platform (unused seats). The totals equal net sales, seats included, in each currency exactly.")
        for currency in Set(earnings.compactMap(\.currency)).sorted() {
            let inCurrency = earnings.filter { $0.currency == currency }
            let shown = Array(inCurrency.prefix(20))
            guard shown.contains(where: { $0.earnedMinor != 0 }) else { continue }
            html += figure(caption: (shown.count < inCurrency.count ? "Top \(shown.count) creators by net revenue" : "Creators by net revenue") + ", \(currency)") {
                SVGChart.horizontalBars(
                    labels: shown.map(\.name),
                    series: [.init(name: "payout, \(currency)", values: shown.map { Double($0.payoutMinor) / 100 }, color: SVGChart.palette[2]),
                             .init(name: "platform, \(currency)", values: shown.map { Double($0.platformMinor) / 100 }, color: SVGChart.palette[5])],
                    stacked: true, format: compactMoney, title: "Payout and platform part by creator (\(currency))", layout: $0)
            }
        }
        html += table(try builder.creators(), caption: "Payouts", collapsed: earnings.count > 30)
        return html
    }
}
