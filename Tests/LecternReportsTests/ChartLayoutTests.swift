@testable import LecternReports
import Foundation
import Testing
import LecternTestSupport

/// What an SVG chart draws, read back from its markup: the viewBox, every text with its box (estimated
/// as `ChartLayout` does: 0.62 em a character, 0.93 em above the baseline and 0.24 below) and every rect.
struct DrawnChart {
    struct Box: CustomStringConvertible {
        var left, top, right, bottom: Double
        var description: String { "(\(left), \(top))-(\(right), \(bottom))" }

        func overlaps(_ other: Box) -> Bool {
            min(right, other.right) - max(left, other.left) > 0.5 && min(bottom, other.bottom) - max(top, other.top) > 0.5
        }

        func contains(_ other: Box) -> Bool {
            other.left >= left - 0.5 && other.right <= right + 0.5 && other.top >= top - 0.5 && other.bottom <= bottom + 0.5
        }
    }

    var width = 0.0, height = 0.0
    var texts: [(content: String, size: Double, box: Box)] = []
    var rects: [Box] = []

    init(_ svg: String) {
        func attribute(_ name: String, in tag: Substring) -> String? {
            guard let start = tag.range(of: " \(name)=\"") else { return nil }
            return String(tag[start.upperBound...].prefix { $0 != "\"" })
        }
        let viewBox = svg.firstRange(of: "viewBox=\"").map { svg[$0.upperBound...].prefix { $0 != "\"" } } ?? ""
        let numbers = viewBox.split(separator: " ").compactMap { Double($0) }
        (width, height) = (numbers[2], numbers[3])
        for piece in svg.split(separator: "<text")[1...] {
            let tag = piece.prefix { $0 != ">" }
            let content = piece.dropFirst(tag.count + 1).prefix { $0 != "<" }
                .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
            let x = Double(attribute("x", in: tag)!)!, y = Double(attribute("y", in: tag)!)!
            let size = Double(attribute("font-size", in: tag) ?? "0")!
            let width = ChartLayout.textWidth(content, size: size)
            let left = switch attribute("text-anchor", in: tag) {
            case "end": x - width
            case "middle": x - width / 2
            default: x
            }
            texts.append((content, size, Box(left: left, top: y - 0.93 * size, right: left + width, bottom: y + 0.24 * size)))
        }
        for piece in svg.split(separator: "<rect").dropFirst() {
            let tag = piece.prefix { $0 != ">" }
            let x = Double(attribute("x", in: tag)!)!, y = Double(attribute("y", in: tag)!)!
            let w = Double(attribute("width", in: tag)!)!, h = Double(attribute("height", in: tag)!)!
            if w > 0 && h > 0 { rects.append(Box(left: x, top: y, right: x + w, bottom: y + h)) }
        }
    }

    /// Every text inside the box, none over another, none partly over a bar, cell or swatch (a number
    /// wholly inside its heat-map cell is fine), and none smaller than 11 px where the drawing is
    /// shown narrowest (`ChartLayout.narrowestShown`).
    func expectTidy(_ layout: ChartLayout, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(width == layout.width, "\(what): drawn \(width) wide for a \(layout.width) layout", sourceLocation: sourceLocation)
        let box = Box(left: 0, top: 0, right: width, bottom: height)
        for text in texts {
            #expect(box.contains(text.box), "\(what): \"\(text.content)\" at \(text.box) leaves the \(width) x \(height) box",
                    sourceLocation: sourceLocation)
            let onScreen = text.size * layout.narrowestShown / layout.width
            #expect(onScreen >= 11, "\(what): \"\(text.content)\" is \(onScreen) px on screen", sourceLocation: sourceLocation)
            for rect in rects where rect.overlaps(text.box) {
                #expect(rect.contains(text.box), "\(what): \"\(text.content)\" runs into the shape at \(rect)",
                        sourceLocation: sourceLocation)
            }
        }
        for (i, a) in texts.enumerated() {
            for b in texts[(i + 1)...] where a.box.overlaps(b.box) {
                Issue.record("\(what): \"\(a.content)\" and \"\(b.content)\" overlap", sourceLocation: sourceLocation)
            }
        }
    }
}

/// Charts drawn for a laptop and for a phone keep their text readable and inside the chart.
@Suite("Chart layouts")
struct ChartLayoutTests {
    static let longLabels = ["personal-development", "software-engineering-for-data-platforms-and-teams", "J", "Yong Lin",
                             "机器学习实战入门课程", "a"]

    static func money(_ value: Double) -> String {
        value >= 1_000_000 ? String(format: "%.1fM", value / 1_000_000) : value >= 1000 ? String(format: "%.0fk", value / 1000)
            : String(format: "%.0f", value)
    }

    @Test(arguments: ChartLayout.all)
    func barsKeepLongLabelsAndBigValuesInside(layout: ChartLayout) {
        let values = [1_234_567.0, 980_000, 5, 0, 42_000, 999_999]
        for (name, series, stacked) in [
            ("one series", [SVGChart.Series(name: "net revenue per learner, USD", values: values, color: "#000")], false),
            ("side by side", [SVGChart.Series(name: "acquired", values: values, color: "#000"),
                              SVGChart.Series(name: "paying learners from this channel", values: values.map { $0 / 2 }, color: "#111"),
                              SVGChart.Series(name: "second domain", values: values.map { $0 / 3 }, color: "#222")], false),
            ("stacked", [SVGChart.Series(name: "payout, USD", values: values, color: "#000"),
                         SVGChart.Series(name: "platform, USD", values: values, color: "#111")], true),
        ] {
            let svg = SVGChart.horizontalBars(labels: Self.longLabels, series: series, stacked: stacked, format: Self.money,
                                              title: "t", layout: layout)
            DrawnChart(svg).expectTidy(layout, "\(layout.name) bars, \(name)")
        }
    }

    /// The issue's "ersonal-development": on a phone the label has a line of its own and is shown whole.
    @Test func aPhoneShowsABarsWholeLabelAboveIt() throws {
        let svg = SVGChart.horizontalBars(labels: ["personal-development", "finance"],
                                          series: [.init(name: "net", values: [22_000, 34_000], color: "#000")],
                                          format: Self.money, title: "t", layout: .narrow)
        let chart = DrawnChart(svg)
        let label = try #require(chart.texts.first { $0.content == "personal-development" })
        let bar = try #require(chart.rects.first)
        #expect(label.box.left >= 0 && label.box.bottom <= bar.top)
        #expect(bar.right - bar.left > 200, "the bar has the width the label column took")
    }

    @Test(arguments: ChartLayout.all, [1, 2, 14, 40])
    func linesKeepAxisLabelsApart(layout: ChartLayout, months: Int) {
        let labels = (0..<months).map { String(format: "%04d-%02d", 2024 + $0 / 12, $0 % 12 + 1) }
        let series = [SVGChart.Series(name: "net revenue, USD", values: labels.indices.map { Double($0) * 31_000 }, color: "#000"),
                      SVGChart.Series(name: "gross revenue before refunds, USD", values: labels.indices.map { Double($0) * 33_000 },
                                      color: "#111")]
        let svg = SVGChart.lines(xLabels: labels, series: series, format: Self.money, title: "t", layout: layout)
        let chart = DrawnChart(svg)
        chart.expectTidy(layout, "\(layout.name) lines over \(months) months")
        let shown = chart.texts.filter { labels.contains($0.content) }
        #expect(shown.first?.content == labels.first && shown.last?.content == labels.last)
        #expect(shown.count <= (layout.labelsAbove ? 3 : 6))
    }

    @Test(arguments: ChartLayout.all)
    func funnelTextFitsBesideTheBands(layout: ChartLayout) {
        let steps = [("viewed", 12_345_678), ("enrolled", 2_345_678), ("purchased", 1_234_567), ("completed", 3)]
        DrawnChart(SVGChart.funnel(steps: steps, title: "t", layout: layout)).expectTidy(layout, "\(layout.name) funnel")
    }

    @Test(arguments: ChartLayout.all, [1, 3, 14, 24])
    func heatMapLabelsAndNumbersFit(layout: ChartLayout, columns: Int) {
        var rows: [(label: String, size: Int, shares: [Double?])] = []
        for r in 0..<columns {
            let shares: [Double?] = (0..<columns).map { c in c < columns - r ? 1 / Double(c + 1) : nil }
            rows.append((String(format: "2025-%02d", r % 12 + 1), 12_345 * (r + 1), shares))
        }
        let chart = DrawnChart(SVGChart.heatMap(rows: rows, columns: columns, title: "t", layout: layout))
        chart.expectTidy(layout, "\(layout.name) heat map, \(columns) columns")
        #expect(chart.texts.contains { $0.content == "m0" })
    }

    /// A legend wraps instead of running past the edge or into the next swatch.
    @Test func legendWrapsOnAPhone() {
        let series = ["net revenue per learner, USD", "gross revenue per learner, USD", "refunds, USD"].map {
            SVGChart.Series(name: $0, values: [1], color: "#000")
        }
        let legend = SVGChart.legendRows(series, x: 2, top: 4, layout: .narrow)
        let chart = DrawnChart("<svg viewBox=\"0 0 360 \(legend.height + 8)\">" + legend.svg + "</svg>")
        chart.expectTidy(.narrow, "legend")
        #expect(Set(chart.texts.map(\.box.top)).count == 3, "three names, three lines")
        #expect(chart.rects.count == 3)
    }

    /// Both drawings are on the page, and the CSS shows the phone's only below 700 px.
    @Test(arguments: TestEngine.allCases) func thePageCarriesBothDrawings(engine: TestEngine) throws {
        try withDatabase(on: engine) { db in
            let shop = try Shop(db)
            let html = try HTMLReport(shop.builder(), source: "shop.db", generatedAt: 0).render()
            let wide = html.components(separatedBy: "<svg class=\"chart\" data-layout=\"wide\"").count - 1
            #expect(wide > 0 && wide == html.components(separatedBy: "<svg class=\"chart\" data-layout=\"narrow\"").count - 1)
            #expect(html.contains("@media (max-width: 699px) { svg.chart[data-layout=\"wide\"] { display: none; } "
                                  + "svg.chart[data-layout=\"narrow\"] { display: block; } }"))
            #expect(ChartLayout.wide.narrowestShown >= 660, "a 700 px window leaves a 660 px column")
        }
    }
}
