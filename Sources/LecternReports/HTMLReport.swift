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

    /// Links to each report's section; to each organisation's, for the org report.
    func contents(_ kinds: [ReportKind]) throws -> String {
        var links: [String] = []
        for kind in kinds {
            if kind == .org, case let organisations = try shownOrganisations(), !organisations.isEmpty {
                links += organisations.map { "<a href=\"#\(orgAnchor($0.slug))\">\(escape($0.name))</a>" }
            } else {
                links.append("<a href=\"#\(kind.rawValue)\">\(Self.titles[kind]!)</a>")
            }
        }
        return "<nav>" + links.joined(separator: " ") + "</nav>"
    }

    static let titles: [ReportKind: String] = [
        .sales: "Sales", .creators: "Creator payouts", .funnel: "Funnel", .channels: "Channels", .cohorts: "Cohorts",
        .catalog: "Catalog", .recommendations: "Recommendations", .experiments: "Experiments", .segments: "Segments", .learners: "Top learners",
        .crossover: "Domain crossover", .org: "Organisations", .campaigns: "Campaigns",
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
        return self.cards(cards)
    }

    /// Headline figures as cards: a title, then each line's value (with its currency) and a note under it;
    /// in a `<section>` of their own, or a `<div>` inside a report's section.
    func cards(_ cards: [(title: String, lines: [(value: String, currency: String, note: String)])], element: String = "section") -> String {
        "<\(element) class=\"cards\">" + cards.map { title, lines in
            "<div class=\"card\"><div class=\"k\">\(escape(title))</div>" + lines.map { value, currency, note in
                "<div class=\"v\">\(escape(value))\(currency.isEmpty ? "" : " <span class=\"cur\">\(escape(currency))</span>")</div>"
                    + "<div class=\"n\">\(escape(note))</div>"
            }.joined() + "</div>"
        }.joined() + "</\(element)>"
    }

    /// One report's section: its title, a note on what it shows, its charts and its tables.
    /// The org report has a section per organisation (`organisationSections`).
    func section(_ kind: ReportKind) throws -> String {
        if kind == .org { return try organisationSections() }
        let body = switch kind {
        case .sales: try salesSection()
        case .creators: try creatorsSection()
        case .funnel: try funnelSection()
        case .channels: try channelsSection()
        case .cohorts: try cohortsSection()
        case .catalog: try catalogSection()
        case .recommendations: try recommendationsSection()
        case .experiments: try experimentsSection()
        case .segments: try segmentsSection()
        case .learners: try learnersSection()
        case .campaigns: try campaignsSection()
        case .crossover: try crossoverSection()
        case .org: ""
        }
        return "<section id=\"\(kind.rawValue)\"><h2>\(Self.titles[kind]!)</h2>" + body + "</section>"
    }

    // MARK: pieces

    func note(_ text: String) -> String { "<p class=\"note\">\(escape(text))</p>" }
    func empty(_ text: String) -> String { "<p class=\"empty\">\(escape(text))</p>" }
    /// What to run to fill in what the page leaves blank, with `commands` in code type.
    func hint(_ text: String) -> String {
        let parts = escape(text).components(separatedBy: "`")
        return "<p class=\"hint\">" + parts.enumerated().map { $0.offset % 2 == 1 ? "<code>\($0.element)</code>" : $0.element }.joined() + "</p>"
    }

    /// A chart drawn for a laptop's column and for a phone (the page's CSS shows one), with its caption.
    func figure(caption: String, _ draw: (ChartLayout) -> String) -> String {
        "<figure>" + ChartLayout.all.map(draw).joined() + "<figcaption>\(escape(caption))</figcaption></figure>"
    }

    /// A table that scrolls sideways when it is wider than the page (a shadow at the edge says there is
    /// more); long ones fold into a <details>.
    func table(_ listing: Listing, caption: String, collapsed: Bool = false) -> String {
        let numeric = listing.columns.indices.map { index in
            listing.rows.allSatisfy { $0[index].isNumeric || $0[index].display.isEmpty }
        }
        var html = "<div class=\"table-wrap\"><table><thead><tr>"
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
        header, section, footer, nav { max-width: 1500px; margin: 0 auto; padding: 0 20px; }
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
        svg.chart { width: 100%; height: auto; display: block; }
        svg.chart[data-layout="wide"] { max-width: 760px; }
        svg.chart[data-layout="narrow"] { display: none; max-width: 480px; }
        svg.chart text { font-family: inherit; fill: var(--fg); }
        svg.chart text.axis, svg.chart text.val { fill: var(--muted); }
        svg.chart text.heat-dark { fill: #ffffff; }
        svg.chart text.heat-light { fill: #1d2330; }
        svg.chart line.grid { stroke: var(--line); stroke-width: 1; }
        .table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%;
                      background: linear-gradient(to right, var(--bg) 30%, transparent) left / 40px 100% no-repeat local,
                                  linear-gradient(to left, var(--bg) 30%, transparent) right / 40px 100% no-repeat local,
                                  radial-gradient(farthest-side at 0 50%, rgba(29,35,48,.18), transparent) left / 12px 100% no-repeat scroll,
                                  radial-gradient(farthest-side at 100% 50%, rgba(29,35,48,.18), transparent) right / 12px 100% no-repeat scroll; }
        table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; min-width: 50%; }
        th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
        th { background: var(--panel); font-weight: 600; position: sticky; top: 0; white-space: normal; vertical-align: bottom; }
        td.num, th.num { text-align: right; }
        tr.total td { font-weight: 700; border-top: 2px solid var(--fg); }
        tr.total + tr.total td { border-top: 1px solid var(--line); }
        details { margin: 10px 0; }
        summary { cursor: pointer; color: var(--accent); font-weight: 600; }
        .empty { color: var(--muted); font-style: italic; }
        .hint { margin: 10px 0; padding: 8px 12px; max-width: 760px; background: var(--panel); border-left: 3px solid var(--accent); }
        footer { margin-top: 40px; padding-bottom: 40px; font-size: 13px; border-top: 1px solid var(--line); padding-top: 12px; }
        @media (max-width: 699px) { svg.chart[data-layout="wide"] { display: none; } svg.chart[data-layout="narrow"] { display: block; } }
        @media (max-width: 600px) { body { font-size: 14px; } h1 { font-size: 23px; } .card .v { font-size: 22px; }
                                    header, section, footer, nav { padding: 0 12px; } }
        @media print { nav, summary { display: none; } details { display: block; } h2 { break-before: auto; }
                       svg.chart[data-layout="wide"] { display: block; } svg.chart[data-layout="narrow"] { display: none; } }
        </style></head>
        <body>
        \(body)
        </body></html>

        """
    }
}
