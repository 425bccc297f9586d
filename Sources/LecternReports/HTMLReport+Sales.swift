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
                     + "The lines are net and gross revenue per month; the bars, net revenue per domain; one chart per currency.")
        if months.isEmpty {
            html += empty("No purchases in this period.")
        } else {
            let keys = Set(months.map(\.key)).sorted()
            for currency in currencies {
                var byMonth: [String: SalesRow] = [:]
                for row in months where row.currency == currency { byMonth[row.key] = row }
                html += figure(caption: "Revenue by month, \(currency)") {
                    SVGChart.lines(
                        xLabels: keys,
                        series: [.init(name: "net revenue, \(currency)", values: keys.map { Double(byMonth[$0]?.netMinor ?? 0) / 100 },
                                       color: SVGChart.palette[0]),
                                 .init(name: "gross, \(currency)", values: keys.map { Double(byMonth[$0]?.grossMinor ?? 0) / 100 },
                                       color: SVGChart.palette[1])],
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
        let earnings = try builder.creatorEarnings().sorted { $0.netMinor > $1.netMinor }
        var html = note("Each creator's net revenue split into the payout owed (net × revenue share, to the cent) and the platform's part, per currency. The totals equal net sales in each currency exactly.")
        for currency in Set(earnings.compactMap(\.currency)).sorted() {
            let inCurrency = earnings.filter { $0.currency == currency }
            let shown = Array(inCurrency.prefix(20))
            guard shown.contains(where: { $0.netMinor != 0 }) else { continue }
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
