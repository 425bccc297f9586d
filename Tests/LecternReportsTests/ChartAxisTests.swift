@testable import LecternReports
import Testing

/// A line chart's x labels never crowd each other or leave the chart's box.
@Suite("Chart axes")
struct ChartAxisTests {
    @Test(arguments: Array(1...60))
    func shownLabelsAreSpacedAndKeepBothEnds(count: Int) {
        let shown = SVGChart.shownLabels(count: count)
        let every = max(1, Int((Double(count) / 6).rounded(.up)))
        #expect(shown.first == 0 && shown.last == count - 1)
        #expect(zip(shown, shown.dropFirst()).allSatisfy { $1 - $0 >= min(every, count - 1) }, "\(shown)")
        #expect(shown.count <= 7)
    }

    /// Fourteen months (the report's "2026-01 2026-0" case): the last label ends at the plot's right
    /// edge instead of being centred past it, and the one before it is far enough away.
    @Test func theLastMonthHangsInward() {
        var months: [String] = []
        for index in 0..<14 {
            let year = 2025 + index / 12, month = index % 12 + 1
            months.append("\(year)-" + (month < 10 ? "0" : "") + "\(month)")
        }
        let series = SVGChart.Series(name: "net", values: Array(repeating: 1.0, count: 14), color: "#000")
        let svg = SVGChart.lines(xLabels: months, series: [series], format: { String($0) }, title: "t")
        #expect(svg.contains("text-anchor=\"end\" font-size=\"11\" class=\"axis\">2026-02<"))
        #expect(svg.contains("text-anchor=\"start\" font-size=\"11\" class=\"axis\">2025-01<"))
        #expect(!svg.contains(">2026-01<"))
    }
}
