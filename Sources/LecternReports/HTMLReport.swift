import Foundation
import LecternStore

/// One self-contained HTML page: headline figures, tables and inline SVG charts for every report.
/// No scripts, no fonts, no images from anywhere: it opens offline, prints, and reads on a phone.
public struct HTMLReport {
    let builder: ReportBuilder
    /// Shown in the page header (for example the database's file name).
    public var source: String
    /// The time the page says it was made (Unix seconds).
    public var generatedAt: Int64

    public init(_ builder: ReportBuilder, source: String, generatedAt: Int64) {
        self.builder = builder
        self.source = source
        self.generatedAt = generatedAt
    }

    /// The page for `kinds` (every report by default).
    public func render(_ kinds: [ReportKind] = ReportKind.allCases) throws -> String {
        var body = header() + (kinds.count > 2 ? try headline() + contents(kinds) : "")
        for kind in kinds {
            body += try section(kind)
        }
        body += """
            <footer>Made by <code>lectern report</code> on \(escape(Timestamp.format(generatedAt))). Money is in each \
            course's own currency, in its major unit, named beside every amount; it is never converted, so every total \
            is per currency. Refunds are netted out of revenue and payouts. \
            \(builder.options.includePersonalData
                ? "<strong>This page holds personal data</strong> (asked for with --include-personal-data)."
                : "Learners appear under pseudonyms (a keyed hash, stable for this database); no personal data is shown.")</footer>
            """
        return page(title: "Lectern report: \(source)", body: body)
    }

    // MARK: sections

    func header() -> String {
        let filter = builder.options.filter
        var scope: [String] = []
        if let since = filter.since { scope.append("from \(Timestamp.formatDate(since))") }
        if let until = filter.until { scope.append("before \(Timestamp.formatDate(until))") }
        if let domain = filter.domain { scope.append("domain \(domain)") }
        if filter.creatorID != nil { scope.append("one creator") }
        if let channel = filter.channel { scope.append("learners from \(channel)") }
        return """
            <header><h1>Lectern report</h1><p class="sub">\(escape(source)) · \(escape(scope.isEmpty ? "all time, whole catalog" : scope.joined(separator: ", "))) · \
            made \(escape(Timestamp.format(generatedAt)))</p></header>
            """
    }

    func contents(_ kinds: [ReportKind]) -> String {
        "<nav>" + kinds.map { "<a href=\"#\($0.rawValue)\">\(Self.titles[$0]!)</a>" }.joined(separator: " ") + "</nav>"
    }

    static let titles: [ReportKind: String] = [
        .sales: "Sales", .creators: "Creator payouts", .funnel: "Funnel", .channels: "Channels", .cohorts: "Cohorts",
        .catalog: "Catalog", .recommendations: "Recommendations", .experiments: "Experiments", .segments: "Segments", .learners: "Top learners",
    ]

    /// Net revenue, orders, average price, payouts (one line per currency) and view-to-purchase conversion at a glance.
    func headline() throws -> String {
        let (_, totals) = try builder.salesResult(by: .month)
        let earnings = try builder.creatorEarnings()
        let (_, funnel) = try builder.funnelResult(by: .domain)
        let payouts = Money.totals(earnings.compactMap { e in e.currency.map { Money.Amount(currency: $0, minor: e.payoutMinor) } })
        let platform = Money.totals(earnings.compactMap { e in e.currency.map { Money.Amount(currency: $0, minor: e.platformMinor) } })
        let none = [(value: formatMoney(0), currency: "", note: "nothing sold")]
        let cards: [(title: String, lines: [(value: String, currency: String, note: String)])] = [
            ("Net revenue", totals.isEmpty ? none : totals.map {
                (formatMoney($0.netMinor), $0.currency, "\(SVGChart.grouped($0.orders)) orders, \(SVGChart.grouped($0.refunds)) refunded")
            }),
            ("Average price", totals.isEmpty ? none : totals.map {
                (formatMoney($0.averagePriceMinor), $0.currency, "gross \(formatMoney($0.grossMinor, $0.currency))")
            }),
            ("Owed to creators", payouts.isEmpty ? none : zip(payouts, platform).map {
                (formatMoney($0.minor), $0.currency, "platform keeps \(formatMoney($1.minor, $1.currency))")
            }),
            ("Viewed → bought", [(funnel.viewed > 0 ? SVGChart.percent(Double(funnel.purchased) / Double(funnel.viewed)) : "–", "",
                                  "\(SVGChart.grouped(funnel.purchased)) of \(SVGChart.grouped(funnel.viewed)) learner-course pairs")]),
        ]
        return "<section class=\"cards\">" + cards.map { title, lines in
            "<div class=\"card\"><div class=\"k\">\(escape(title))</div>" + lines.map { value, currency, note in
                "<div class=\"v\">\(escape(value))\(currency.isEmpty ? "" : " <span class=\"cur\">\(escape(currency))</span>")</div>"
                    + "<div class=\"n\">\(escape(note))</div>"
            }.joined() + "</div>"
        }.joined() + "</section>"
    }

    func section(_ kind: ReportKind) throws -> String {
        let title = Self.titles[kind]!
        var html = "<section id=\"\(kind.rawValue)\"><h2>\(title)</h2>"
        switch kind {
        case .sales:
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
                    html += figure(SVGChart.lines(
                        xLabels: keys,
                        series: [.init(name: "net revenue, \(currency)", values: keys.map { Double(byMonth[$0]?.netMinor ?? 0) / 100 },
                                       color: SVGChart.palette[0]),
                                 .init(name: "gross, \(currency)", values: keys.map { Double(byMonth[$0]?.grossMinor ?? 0) / 100 },
                                       color: SVGChart.palette[1])],
                        format: compactMoney, title: "Net and gross revenue by month (\(currency))"), caption: "Revenue by month, \(currency)")
                }
                for currency in currencies {
                    let top = domains.filter { $0.currency == currency }.sorted { $0.netMinor > $1.netMinor }
                    html += figure(SVGChart.horizontalBars(
                        labels: top.map(\.key),
                        series: [.init(name: "net revenue, \(currency)", values: top.map { Double($0.netMinor) / 100 }, color: SVGChart.palette[0])],
                        format: compactMoney, title: "Net revenue by domain (\(currency))"), caption: "Net revenue by domain, \(currency)")
                }
            }
            html += table(try builder.sales(by: .month), caption: "By month")
            html += table(try builder.sales(by: .domain), caption: "By domain", collapsed: true)
            html += table(try builder.sales(by: .course), caption: "By course", collapsed: true)
        case .creators:
            let earnings = try builder.creatorEarnings().sorted { $0.netMinor > $1.netMinor }
            html += note("Each creator's net revenue split into the payout owed (net × revenue share, to the cent) and the platform's part, per currency. The totals equal net sales in each currency exactly.")
            for currency in Set(earnings.compactMap(\.currency)).sorted() {
                let inCurrency = earnings.filter { $0.currency == currency }
                let shown = Array(inCurrency.prefix(20))
                guard shown.contains(where: { $0.netMinor != 0 }) else { continue }
                html += figure(SVGChart.horizontalBars(
                    labels: shown.map(\.name),
                    series: [.init(name: "payout, \(currency)", values: shown.map { Double($0.payoutMinor) / 100 }, color: SVGChart.palette[2]),
                             .init(name: "platform, \(currency)", values: shown.map { Double($0.platformMinor) / 100 }, color: SVGChart.palette[5])],
                    stacked: true, format: compactMoney, title: "Payout and platform part by creator (\(currency))"),
                    caption: (shown.count < inCurrency.count ? "Top \(shown.count) creators by net revenue" : "Creators by net revenue") + ", \(currency)")
            }
            html += table(try builder.creators(), caption: "Payouts", collapsed: earnings.count > 30)
        case .funnel:
            let (rows, total) = try builder.funnelResult(by: .domain)
            html += note("Learner-course pairs reaching each step: viewed, enrolled (or bought), bought, completed; the share of the step before, and the median days between steps.")
            if total.viewed + total.enrolled + total.purchased > 0 {
                html += figure(SVGChart.funnel(steps: [("viewed", total.viewed), ("enrolled", total.enrolled),
                                                       ("purchased", total.purchased), ("completed", total.completed)],
                                               title: "View to completion funnel"), caption: "The whole funnel")
                func share(_ part: Int, _ whole: Int) -> Double { whole > 0 ? Double(part) / Double(whole) : 0 }
                let ordered = rows.sorted { share($0.purchased, $0.viewed) > share($1.purchased, $1.viewed) }
                html += figure(SVGChart.horizontalBars(
                    labels: ordered.map(\.key),
                    series: [.init(name: "viewed → bought", values: ordered.map { share($0.purchased, $0.viewed) }, color: SVGChart.palette[1]),
                             .init(name: "bought → completed", values: ordered.map { share($0.completed, $0.purchased) }, color: SVGChart.palette[2])],
                    format: SVGChart.percent, title: "Conversion by domain"), caption: "Conversion by domain")
            } else {
                html += empty("No activity in this period.")
            }
            html += table(try builder.funnel(by: .domain), caption: "By domain")
            html += table(try builder.funnel(by: .channel), caption: "By acquisition channel", collapsed: true)
        case .channels:
            let rows = try builder.channelRows()
            var byChannel: [String: (acquired: Int, paying: Int, net: [Money.Amount], second: Int)] = [:]
            for row in rows {
                var entry = byChannel[row.channel] ?? (0, 0, [], 0)
                entry.acquired += row.acquired; entry.paying += row.paying; entry.net += row.net; entry.second += row.crossDomainBuyers
                byChannel[row.channel] = entry
            }
            let channels = byChannel.sorted { $0.value.acquired > $1.value.acquired }
            html += note("Cross-over marketing: learners each channel and campaign brought, how many did anything, how many paid, their net revenue (per currency), and how many went on to buy in a second domain.")
            if !channels.isEmpty {
                html += figure(SVGChart.horizontalBars(
                    labels: channels.map(\.key),
                    series: [.init(name: "acquired", values: channels.map { Double($0.value.acquired) }, color: SVGChart.palette[5]),
                             .init(name: "paying", values: channels.map { Double($0.value.paying) }, color: SVGChart.palette[0]),
                             .init(name: "second domain", values: channels.map { Double($0.value.second) }, color: SVGChart.palette[1])],
                    format: { SVGChart.grouped(Int($0)) }, title: "Learners by acquisition channel"), caption: "Learners by channel")
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
        case .cohorts:
            html += note("Of the learners who signed up in a month, the share active (any event) or buying in each month after. Darker is more.")
            for measure in CohortReport.Measure.allCases {
                let rows = try builder.cohortRows(measure)
                let columns = min(24, rows.map(\.active.count).max() ?? 0)
                if rows.isEmpty || columns == 0 { html += empty("No learners signed up in this period."); break }
                html += figure(SVGChart.heatMap(rows: rows.map { row in (row.cohort, row.learners, (0..<columns).map { row.share($0) }) },
                                                columns: columns,
                                                title: measure == .activity ? "Active share by months since signup" : "Buying share by months since signup"),
                               caption: measure == .activity ? "Activity retention (%)" : "Repurchase (%)")
            }
            html += table(try builder.cohorts(.activity), caption: "Activity retention", collapsed: true)
            html += table(try builder.cohorts(.purchase), caption: "Repurchase", collapsed: true)
        case .catalog:
            let (rows, _) = try CatalogReport(builder.db).domains(builder.filter)
            html += note("Courses per domain by status, difficulty and format; courses never viewed or never bought; tags and the longest prerequisite chain.")
            if !rows.isEmpty {
                let statuses = ["draft", "published", "archived"]
                html += figure(SVGChart.horizontalBars(
                    labels: rows.map(\.domain),
                    series: statuses.indices.map { s in
                        .init(name: statuses[s], values: rows.map { Double($0.byStatus[s]) }, color: [SVGChart.palette[6], SVGChart.palette[0], SVGChart.palette[5]][s])
                    },
                    stacked: true, format: { SVGChart.grouped(Int($0)) }, title: "Courses by domain and status"), caption: "Courses by domain and status")
            }
            html += table(try builder.catalog(), caption: "By domain")
        case .recommendations:
            let rows = try RecommendationReport(builder.db).rows()
            html += note("For each active model: learners reached, the share of the catalog recommended (coverage), how unevenly exposure spreads over creators and domains (Gini: 0 even, 1 all on one), and the latest offline NDCG and precision at 10.")
            if !rows.isEmpty {
                html += figure(SVGChart.horizontalBars(
                    labels: rows.map(\.algorithm.rawValue),
                    series: [.init(name: "coverage", values: rows.map { $0.coverage ?? 0 }, color: SVGChart.palette[2]),
                             .init(name: "creator Gini", values: rows.map { $0.creatorGini ?? 0 }, color: SVGChart.palette[3])]
                        // Offline quality only once `lectern evaluate` has measured it, never a made-up 0.
                        + (rows.contains { $0.ndcgAt10 != nil }
                           ? [.init(name: "NDCG@10", values: rows.map { $0.ndcgAt10 ?? 0 }, color: SVGChart.palette[0])] : []),
                    format: { String(format: "%.2f", $0) }, title: "Coverage, exposure inequality and quality by model"),
                    caption: "Coverage, exposure and quality")
            } else {
                html += empty("No model has been trained: run `lectern train`.")
            }
            html += table(try builder.recommendations(), caption: "Active models")
        case .experiments:
            html += note("Online A/B tests: per variant, learners, impressions, click-through, conversion, revenue per learner, and the p-value of its conversion against the first variant.")
            let listing = try builder.experiments()
            html += listing.rows.isEmpty ? empty("No experiments yet: see `lectern experiment create`.") : table(listing, caption: "Variants")
        case .segments:
            let rows = try SegmentReport(builder.db).rows(builder.filter)
            html += note("Learner segments from `lectern segments build` (k-means on domain and tag affinity): how many learners, how many paid, the net revenue they bring per learner in each currency, and how many of their purchases they completed.")
            if rows.isEmpty {
                html += empty("No segments yet: run `lectern segments build`.")
            } else {
                for currency in Set(rows.flatMap { $0.net.map(\.currency) }).sorted() {
                    let perLearner = rows.map { row in row.netPerLearner.first { $0.currency == currency }?.minor ?? 0 }
                    html += figure(SVGChart.horizontalBars(
                        labels: rows.map(\.segment),
                        series: [.init(name: "net revenue per learner, \(currency)", values: perLearner.map { Double($0) / 100 },
                                       color: SVGChart.palette[4])],
                        format: compactMoney, title: "Net revenue per learner by segment (\(currency))"),
                        caption: "Net revenue per learner by segment, \(currency)")
                }
                html += table(try builder.segments(), caption: "Segments")
            }
        case .learners:
            html += note(builder.options.includePersonalData
                ? "The learners who spent most in each currency, with their personal data (asked for with --include-personal-data)."
                : "The learners who spent most in each currency, under pseudonyms: the same learner has the same pseudonym in every report of this database.")
            html += table(try builder.learners(), caption: "Top \(builder.options.learnerLimit) by net spend in each currency")
        }
        return html + "</section>"
    }

    // MARK: pieces

    func note(_ text: String) -> String { "<p class=\"note\">\(escape(text))</p>" }
    func empty(_ text: String) -> String { "<p class=\"empty\">\(escape(text))</p>" }

    func figure(_ svg: String, caption: String) -> String {
        "<figure>\(svg)<figcaption>\(escape(caption))</figcaption></figure>"
    }

    /// A table that scrolls sideways on a narrow screen; long ones fold into a <details>.
    func table(_ listing: Listing, caption: String, collapsed: Bool = false) -> String {
        let numeric = listing.columns.indices.map { index in
            listing.rows.allSatisfy { $0[index].isNumeric || $0[index].display.isEmpty }
        }
        var html = "<div class=\"scroll\"><table><thead><tr>"
        for (index, column) in listing.columns.enumerated() {
            html += "<th\(numeric[index] ? " class=\"num\"" : "")>\(escape(column.replacingOccurrences(of: "_", with: " ")))</th>"
        }
        html += "</tr></thead><tbody>"
        for row in listing.rows {
            let isTotal = row.first?.display == "total"
            html += isTotal ? "<tr class=\"total\">" : "<tr>"
            for (index, cell) in row.enumerated() {
                html += "<td\(numeric[index] ? " class=\"num\"" : "")>\(escape(cell.display))</td>"
            }
            html += "</tr>"
        }
        html += "</tbody></table></div>"
        if listing.rows.isEmpty { html = empty("Nothing to show.") }
        return collapsed || listing.rows.count > 40
            ? "<details><summary>\(escape(caption)) (\(listing.rows.count) rows)</summary>\(html)</details>"
            : "<h3>\(escape(caption))</h3>\(html)"
    }

    func compactMoney(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1_000_000 { return String(format: "%.1fM", value / 1_000_000) }
        if magnitude >= 10_000 { return String(format: "%.0fk", value / 1_000) }
        if magnitude >= 1_000 { return String(format: "%.1fk", value / 1_000) }
        return String(format: "%.0f", value)
    }

    func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        :root { --fg: #1d2330; --muted: #5b6474; --line: #e3e7ee; --bg: #ffffff; --panel: #f6f8fb; --accent: #2f6fdf; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
               color: var(--fg); background: var(--bg); }
        header, section, footer, nav { max-width: 1080px; margin: 0 auto; padding: 0 20px; }
        header { padding-top: 28px; }
        h1 { font-size: 28px; margin: 0 0 4px; }
        h2 { font-size: 21px; margin: 36px 0 6px; padding-top: 12px; border-top: 1px solid var(--line); }
        h3 { font-size: 15px; margin: 18px 0 6px; color: var(--muted); }
        .sub, .note, figcaption, footer { color: var(--muted); }
        .note { margin: 0 0 10px; max-width: 760px; }
        nav { margin: 14px auto 0; display: flex; flex-wrap: wrap; gap: 6px 14px; }
        nav a { color: var(--accent); text-decoration: none; font-weight: 600; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin-top: 20px; }
        .card { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; }
        .card .k { color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .04em; }
        .card .v { font-size: 26px; font-weight: 700; margin: 4px 0; font-variant-numeric: tabular-nums; }
        .card .v .cur { font-size: 15px; font-weight: 600; color: var(--muted); letter-spacing: .04em; }
        .card .n { color: var(--muted); font-size: 13px; }
        .card .n + .v { margin-top: 10px; }
        figure { margin: 12px 0 18px; }
        figcaption { font-size: 13px; margin-top: 2px; }
        svg.chart { width: 100%; height: auto; max-width: 760px; display: block; }
        svg.chart text { font-family: inherit; font-size: 12px; fill: var(--fg); }
        svg.chart text.axis { fill: var(--muted); font-size: 11px; }
        svg.chart text.val { fill: var(--muted); font-size: 11px; }
        svg.chart text.heat-dark { fill: #ffffff; font-size: 10px; }
        svg.chart text.heat-light { fill: #1d2330; font-size: 10px; }
        svg.chart line.grid { stroke: var(--line); stroke-width: 1; }
        .scroll { overflow-x: auto; -webkit-overflow-scrolling: touch; }
        table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; min-width: 50%; }
        th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
        th { background: var(--panel); font-weight: 600; position: sticky; top: 0; }
        td.num, th.num { text-align: right; }
        tr.total td { font-weight: 700; border-top: 2px solid var(--fg); }
        tr.total + tr.total td { border-top: 1px solid var(--line); }
        details { margin: 10px 0; }
        summary { cursor: pointer; color: var(--accent); font-weight: 600; }
        .empty { color: var(--muted); font-style: italic; }
        footer { margin-top: 40px; padding-bottom: 40px; font-size: 13px; border-top: 1px solid var(--line); padding-top: 12px; }
        @media (max-width: 600px) { body { font-size: 14px; } h1 { font-size: 23px; } .card .v { font-size: 22px; }
                                    svg.chart text { font-size: 15px; } svg.chart text.axis, svg.chart text.val { font-size: 14px; }
                                    header, section, footer, nav { padding: 0 12px; } }
        @media print { nav, summary { display: none; } details { display: block; } h2 { break-before: auto; } }
        </style></head>
        <body>
        \(body)
        </body></html>

        """
    }
}
