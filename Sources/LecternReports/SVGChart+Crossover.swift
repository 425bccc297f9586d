import Foundation

/// The domain x domain heat map of the crossover report.
extension SVGChart {
    /// One cell of the crossover map: the share of `from`'s learners who later bought in `to`.
    struct Flow {
        var share: Double
        var crossed: Int
        var medianDays: Double?
    }

    /// A square heat map: a row per domain of first purchase (its name and learner count to the left), a
    /// column per domain bought in later (names slanted above), each cell coloured by the share on a scale
    /// from 0 to the largest share, with the share in % printed in it (without the sign); the diagonal is grey. A legend of
    /// five swatches under it gives the scale. `cells[from][to]` is nil where nobody crossed.
    static func crossoverMap(domains: [String], starts: [Int], cells: [[Flow?]], title: String, layout: ChartLayout = .wide) -> String {
        // A phone's column is too narrow for names beside and above the cells: rows and columns are numbered,
        // and a key under the legend names the numbers.
        let numbered = layout.labelsAbove, size = layout.smallFontSize
        let names = zip(domains, starts).map { "\($0) (\(grouped($1)))" }
        let rowLabels = numbered ? domains.indices.map { String($0 + 1) } : names
        let columnLabels = numbered ? rowLabels : domains
        let labelColumn = min(190, (rowLabels.map { ChartLayout.textWidth($0, size: size) }.max() ?? 0) + 10)
        let columnText = min(150, columnLabels.map { ChartLayout.textWidth($0, size: size) }.max() ?? 0)
        let n = max(domains.count, 1)
        // Column names stand upright (rotated a quarter turn), each in its column.
        let right = 4.0
        let cell = max(12, min(52, (layout.width - labelColumn - right) / Double(n)))
        let top = (numbered ? ChartLayout.lineHeight(size) : columnText + 4) + ChartLayout.lineHeight(size) + 8
        let maxShare = cells.flatMap { $0.compactMap { $0?.share } }.max() ?? 0
        let scale = maxShare > 0 ? niceScale(maxShare) : 1
        var fontSize = layout.cellFontSize
        while fontSize > 11, cell < ChartLayout.textWidth("88", size: fontSize) + 3 { fontSize -= 1 }
        // Text under 11 px is not legible: a cell too small for it shows its colour, its value in the tooltip.
        let printsValues = cell >= ChartLayout.textWidth("88", size: fontSize) + 3
        let keyLine = ChartLayout.lineHeight(size) + 2
        var svg = open(width: layout.width, height: top + Double(n) * cell + 64 + (numbered ? Double(n) * keyLine + 8 : 0), title: title,
                       layout: layout)
        if numbered {
            svg += text("row: first bought in; column: later", x: 4, y: ChartLayout.lineHeight(size), anchor: "start", cls: "axis", size: size)
        } else {
            svg += text("later bought in →", x: labelColumn, y: ChartLayout.lineHeight(size), anchor: "start", cls: "axis", size: size)
            svg += text("first bought in ↓", x: labelColumn - 6, y: top - 4, anchor: "end", cls: "axis", size: size)
        }
        for (c, label) in columnLabels.enumerated() {
            let x = labelColumn + (Double(c) + 0.5) * cell, y = top - 4
            svg += numbered ? text(label, x: x, y: y, anchor: "middle", cls: "axis", size: fontSize)
                : "<text x=\"\(f(x + 0.35 * size))\" y=\"\(f(y))\" text-anchor=\"start\" font-size=\"\(f(size))\" class=\"axis\" "
                    + "transform=\"rotate(-90 \(f(x + 0.35 * size)) \(f(y)))\">\(escape(ChartLayout.fitted(label, width: columnText, size: size)))</text>"
        }
        for (r, label) in rowLabels.enumerated() {
            let y = top + Double(r) * cell
            svg += text(ChartLayout.fitted(label, width: labelColumn - 8, size: size), x: labelColumn - 6,
                        y: ChartLayout.baseline(centredOn: y + cell / 2, size: size), anchor: "end", cls: "axis", size: size)
            for c in domains.indices {
                svg += crossoverCell(from: domains[r], to: domains[c], cells[r][c], diagonal: r == c, x: labelColumn + Double(c) * cell,
                                     y: y, size: cell, scale: scale, fontSize: printsValues ? fontSize : nil)
            }
        }
        svg += crossoverLegend(scale: scale, x: numbered ? 4 : labelColumn, top: top + Double(n) * cell + 12, layout: layout)
        if numbered {
            for (r, name) in names.enumerated() {
                svg += text(ChartLayout.fitted("\(r + 1). \(name)", width: layout.width - 8, size: size), x: 4,
                            y: top + Double(n) * cell + 64 + Double(r + 1) * keyLine, anchor: "start", cls: "axis", size: size)
            }
        }
        return svg + "</svg>"
    }

    /// One cell: grey on the diagonal, white where nobody crossed, else coloured by share / scale.
    static func crossoverCell(from: String, to: String, _ flow: Flow?, diagonal: Bool, x: Double, y: Double, size: Double,
                              scale: Double, fontSize: Double?) -> String {
        if diagonal { return rect(x: x + 1, y: y + 1, width: size - 2, height: size - 2, fill: "#e3e7ee", tip: "\(from): the same domain") }
        let share = flow?.share ?? 0, t = share / scale
        var tip = "\(from) → \(to): \(percent(share)) later bought in \(to)"
        if let flow { tip += " (\(grouped(flow.crossed)) learners" + (flow.medianDays.map { String(format: ", median %.0f days", $0) } ?? "") + ")" }
        var svg = rect(x: x + 1, y: y + 1, width: size - 2, height: size - 2, fill: heat(t), tip: tip)
        guard let fontSize else { return svg }
        let value = share * 100
        let shown = value == 0 ? "0" : value < 1 ? "<1" : String(Int(value.rounded()))
        svg += text(shown, x: x + size / 2, y: ChartLayout.baseline(centredOn: y + size / 2, size: fontSize),
                    anchor: "middle", cls: t > 0.45 ? "heat-dark" : "heat-light", size: fontSize)
        return svg
    }

    /// Five swatches from 0 to `scale`, labelled in %.
    static func crossoverLegend(scale: Double, x: Double, top: Double, layout: ChartLayout) -> String {
        let size = layout.smallFontSize, swatch = 34.0
        var svg = text("share in % (colour scale)", x: x, y: top + size, anchor: "start", cls: "axis", size: size)
        for step in 0...4 {
            let share = scale * Double(step) / 4, left = x + Double(step) * (swatch + 6)
            svg += rect(x: left, y: top + size + 6, width: swatch, height: 14, fill: heat(Double(step) / 4), tip: percent(share))
            svg += text(shortPercent(share), x: left + swatch / 2, y: top + size + 20 + ChartLayout.lineHeight(size), anchor: "middle",
                        cls: "axis", size: size)
        }
        return svg
    }

    /// A share in % with no trailing zeros: `6%`, `2.5%`, `0.25%`.
    static func shortPercent(_ share: Double) -> String {
        var text = String(format: "%.2f", share * 100)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }

    /// The top of the colour scale: four times the smallest round step that reaches the largest share, so
    /// the legend's five swatches read 0, 6%, 12%, 18%, 24% rather than 6.25%.
    static func niceScale(_ share: Double) -> Double {
        let steps = [0.0025, 0.005, 0.01, 0.02, 0.025, 0.03, 0.04, 0.05, 0.06, 0.08, 0.1, 0.125, 0.15, 0.2, 0.25]
        return 4 * (steps.first { 4 * $0 >= share - 1e-12 } ?? 0.25)
    }
}
