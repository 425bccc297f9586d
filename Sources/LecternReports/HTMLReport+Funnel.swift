import LecternStore

/// Sections about how learners arrive and stay: the funnel, acquisition channels and signup cohorts.
extension HTMLReport {
    /// The whole funnel and the conversion by domain, then the funnel by domain and by acquisition channel.
    func funnelSection() throws -> String {
        let (rows, total) = try builder.funnelResult(by: .domain)
        var html = note("Learner-course pairs reaching each step: viewed, enrolled (or bought), bought, completed; the share of the step before, and the median days between steps.")
        if total.viewed + total.enrolled + total.purchased > 0 {
            html += figure(caption: "The whole funnel") {
                SVGChart.funnel(steps: [("viewed", total.viewed), ("enrolled", total.enrolled),
                                        ("purchased", total.purchased), ("completed", total.completed)],
                                title: "View to completion funnel", layout: $0)
            }
            func share(_ part: Int, _ whole: Int) -> Double { whole > 0 ? Double(part) / Double(whole) : 0 }
            let ordered = rows.sorted { share($0.purchased, $0.viewed) > share($1.purchased, $1.viewed) }
            html += figure(caption: "Conversion by domain") {
                SVGChart.horizontalBars(
                    labels: ordered.map(\.key),
                    series: [.init(name: "viewed → bought", values: ordered.map { share($0.purchased, $0.viewed) }, color: SVGChart.palette[1]),
                             .init(name: "bought → completed", values: ordered.map { share($0.completed, $0.purchased) }, color: SVGChart.palette[2])],
                    format: SVGChart.percent, title: "Conversion by domain", layout: $0)
            }
        } else {
            html += empty("No activity in this period.")
        }
        html += table(try builder.funnel(by: .domain), caption: "By domain")
        html += table(try builder.funnel(by: .channel), caption: "By acquisition channel", collapsed: true)
        return html
    }

    /// Learners by acquisition channel (acquired, paying, buying in a second domain), a table per channel and one per campaign.
    func channelsSection() throws -> String {
        var html = ""
        let rows = try builder.channelRows()
        var byChannel: [String: (acquired: Int, paying: Int, net: [Money.Amount], second: Int)] = [:]
        for row in rows {
            var entry = byChannel[row.channel] ?? (0, 0, [], 0)
            entry.acquired += row.acquired; entry.paying += row.paying; entry.net += row.net; entry.second += row.crossDomainBuyers
            byChannel[row.channel] = entry
        }
        // Most acquired first; ties by name, as a dictionary's order changes from run to run.
        let channels = byChannel.sorted { a, b in a.value.acquired != b.value.acquired ? a.value.acquired > b.value.acquired : a.key < b.key }
        html += note("Cross-over marketing: learners each channel and campaign brought, how many did anything, how many paid, their net revenue (per currency), and how many went on to buy in a second domain.")
        if !channels.isEmpty {
            html += figure(caption: "Learners by channel") {
                SVGChart.horizontalBars(
                    labels: channels.map(\.key),
                    series: [.init(name: "acquired", values: channels.map { Double($0.value.acquired) }, color: SVGChart.palette[5]),
                             .init(name: "paying", values: channels.map { Double($0.value.paying) }, color: SVGChart.palette[0]),
                             .init(name: "second domain", values: channels.map { Double($0.value.second) }, color: SVGChart.palette[1])],
                    format: { SVGChart.grouped(Int($0)) }, title: "Learners by acquisition channel", layout: $0)
            }
        }
        var summary = Listing(["channel", "acquired", "paying", "conversion", "second_domain_buyers", "currency", "net"])
        for (channel, entry) in channels {
            summary.append([.text(channel)],
                           shared: [.int(Int64(entry.acquired)), .int(Int64(entry.paying)),
                                    .number(entry.acquired > 0 ? Double(entry.paying) / Double(entry.acquired) : nil, decimals: 3),
                                    .int(Int64(entry.second))],
                           perCurrency: Money.totals(entry.net).map { ($0.currency, [.money($0.minor)]) }, zero: [.money(0)])
        }
        html += table(summary, caption: "By channel")
        html += table(try builder.channels(), caption: "By channel and campaign", collapsed: true)
        return html
    }

    /// The activity and repurchase cohort triangles as heat maps, then as tables.
    func cohortsSection() throws -> String {
        var html = note("Of the learners who signed up in a month, the share active (any event) or buying in each month after. Darker is more.")
        for measure in CohortReport.Measure.allCases {
            let rows = try builder.cohortRows(measure)
            let columns = min(24, rows.map(\.active.count).max() ?? 0)
            if rows.isEmpty || columns == 0 { html += empty("No learners signed up in this period."); break }
            html += figure(caption: measure == .activity ? "Activity retention (%)" : "Repurchase (%)") {
                SVGChart.heatMap(rows: rows.map { row in (row.cohort, row.learners, (0..<columns).map { row.share($0) }) },
                                 columns: columns,
                                 title: measure == .activity ? "Active share by months since signup" : "Buying share by months since signup",
                                 layout: $0)
            }
        }
        html += table(try builder.cohorts(.activity), caption: "Activity retention", collapsed: true)
        html += table(try builder.cohorts(.purchase), caption: "Repurchase", collapsed: true)
        return html
    }
}
