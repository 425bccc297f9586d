import Foundation

/// The width a chart is drawn for and the size of its text, in the SVG's user units. A drawing scaled
/// down by its `viewBox` shrinks its text with it, so the report draws every chart twice, for a laptop's
/// column and for a phone, and its CSS shows the one that fits (`data-layout="wide"` or `"narrow"`).
struct ChartLayout: Sendable, Equatable {
    /// The SVG's `data-layout`, which the page's CSS shows or hides.
    var name: String
    /// The `viewBox`'s width.
    var width: Double
    /// Labels of bars, rows and funnel steps.
    var fontSize: Double
    /// Axis ticks, values and legend names.
    var smallFontSize: Double
    /// Numbers printed inside heat-map cells.
    var cellFontSize: Double
    /// Bars get their label on a line of its own above them, instead of in a column to their left.
    var labelsAbove: Bool
    /// The narrowest the drawing is shown, in CSS px: the column of a 700 px window, and of a 390 px
    /// phone (smaller phones scale it further down).
    var narrowestShown: Double

    /// Shown in a window of 700 px and more, 660 to 760 px wide (scale 1.03 to 1.19): text 11.3 to 14.3 px
    /// on screen.
    static let wide = ChartLayout(name: "wide", width: 640, fontSize: 12, smallFontSize: 11, cellFontSize: 11, labelsAbove: false,
                                   narrowestShown: 660)
    /// Shown below that, at most 480 px wide: on a 390 px phone 366 px (scale 1.02, text 12 to 14 px),
    /// on a 320 px one 296 px (scale 0.82, text 10 to 11.5 px).
    static let narrow = ChartLayout(name: "narrow", width: 360, fontSize: 14, smallFontSize: 13, cellFontSize: 12, labelsAbove: true,
                                     narrowestShown: 366)
    static let all = [wide, narrow]

    /// How wide `text` is at most at `size`: 0.62 em a terminal cell (`displayWidth`: a CJK character
    /// takes two), the widest of the fonts the page falls back to (DejaVu Sans, Linux's `system-ui`:
    /// digits 0.64 em, letters 0.6 on average; Arial's are narrower).
    static func textWidth(_ text: String, size: Double) -> Double {
        Double(displayWidth(text)) * 0.62 * size
    }

    /// The height of a line of text at `size`: DejaVu Sans' ascent 0.93 em and descent 0.24 em, rounded up.
    static func lineHeight(_ size: Double) -> Double {
        size * 1.2
    }

    /// The baseline that centres a line of text at `size` on `middle` (its box is 0.93 em above the
    /// baseline and 0.24 below).
    static func baseline(centredOn middle: Double, size: Double) -> Double {
        middle + 0.35 * size
    }

    /// `text` cut with "…" to fit `width` at `size`.
    static func fitted(_ text: String, width: Double, size: Double) -> String {
        truncate(text, max(1, Int(width / (0.62 * size))))
    }
}

/// Inline SVG charts for the HTML report: no scripts, no external files. Each function draws one chart
/// for one `ChartLayout`; the drawing scales to its container through its `viewBox`.
enum SVGChart {
    /// The report's palette, chosen to stay apart for the common colour-vision deficiencies.
    static let palette = ["#2f6fdf", "#e8871e", "#2a9d8f", "#c0392b", "#8e5ea2", "#6c7a89", "#d4a017", "#1f9e4d"]

    struct Series {
        var name: String
        var values: [Double]
        var color: String
    }

    /// Horizontal bars, one row per label; `series` side by side (or stacked when `stacked`). A wide
    /// layout puts the labels in a column to the left of the bars, a narrow one on a line above them.
    static func horizontalBars(labels: [String], series: [Series], stacked: Bool = false,
                               format: (Double) -> String, title: String, layout: ChartLayout = .wide) -> String {
        let size = layout.fontSize, small = layout.smallFontSize, width = layout.width
        let sideBySide = !stacked && series.count > 1
        let totals = labels.indices.map { index in
            stacked ? series.reduce(0) { $0 + max(0, $1.values[index]) } : series.map { max(0, $0.values[index]) }.max() ?? 0
        }
        let maximum = max(totals.max() ?? 0, 1e-9)
        let valueTexts = stacked ? totals.map(format) : series.flatMap { $0.values.map(format) }
        let valueWidth = (valueTexts.map { ChartLayout.textWidth($0, size: small) }.max() ?? 0) + 6
        // A narrow layout keeps 2 units from the left edge, where a J or a Y overhangs its origin.
        let labelColumn = layout.labelsAbove ? 2.0 : 170.0
        let plot = max(40, width - labelColumn - valueWidth - 4)
        // A bar is at least as tall as its value's text, so the values of side-by-side bars never touch.
        let barHeight = sideBySide ? max(12, (ChartLayout.lineHeight(small)).rounded(.up)) : max(16, ChartLayout.lineHeight(size))
        let bars = sideBySide ? Double(series.count) * (barHeight + 2) - 2 : barHeight
        let labelLine = layout.labelsAbove ? ChartLayout.lineHeight(size) + 2 : 0
        let rowHeight = labelLine + bars + 8
        let legend = series.count > 1 ? legendRows(series, x: labelColumn, top: 4, layout: layout) : (svg: "", height: 0)
        let first = 4 + legend.height
        var svg = open(width: width, height: first + Double(labels.count) * rowHeight + 4, title: title, layout: layout)
        svg += legend.svg
        for (index, label) in labels.enumerated() {
            let top = first + Double(index) * rowHeight + 4, barsTop = top + labelLine
            if layout.labelsAbove {
                svg += text(ChartLayout.fitted(label, width: width - labelColumn, size: size), x: labelColumn, y: top + 0.95 * size, anchor: "start",
                            cls: "lbl", size: size)
            } else {
                svg += text(ChartLayout.fitted(label, width: labelColumn - 10, size: size), x: labelColumn - 8,
                            y: ChartLayout.baseline(centredOn: barsTop + bars / 2, size: size), anchor: "end", cls: "lbl", size: size)
            }
            var x = labelColumn
            for (s, item) in series.enumerated() {
                let value = max(0, item.values[index])
                let length = value / maximum * plot
                let tip = "\(label), \(item.name): \(format(item.values[index]))"
                if stacked {
                    svg += rect(x: x, y: barsTop, width: length, height: barHeight, fill: item.color, tip: tip)
                    x += length
                } else {
                    let y = barsTop + Double(s) * (barHeight + 2)
                    svg += rect(x: labelColumn, y: y, width: length, height: barHeight, fill: item.color, tip: tip)
                    svg += text(format(item.values[index]), x: labelColumn + length + 4,
                                y: ChartLayout.baseline(centredOn: y + barHeight / 2, size: small), anchor: "start", cls: "val", size: small)
                }
            }
            if stacked {
                svg += text(format(totals[index]), x: x + 4, y: ChartLayout.baseline(centredOn: barsTop + barHeight / 2, size: small),
                            anchor: "start", cls: "val", size: small)
            }
        }
        return svg + "</svg>"
    }

    /// Lines over ordered x labels (months, weeks), with a zero-based y axis and gridlines. The x labels
    /// shown are as many as fit the layout's width (`shownLabels`).
    static func lines(xLabels: [String], series: [Series], format: (Double) -> String, title: String,
                      layout: ChartLayout = .wide) -> String {
        let size = layout.smallFontSize, width = layout.width, height = layout.labelsAbove ? 240.0 : 260.0
        let values = series.flatMap(\.values)
        let low = min(0, values.min() ?? 0), high = max(values.max() ?? 1, low + 1e-9)
        let (ticks, step) = niceTicks(low: low, high: high)
        let yMin = ticks.first ?? low, yMax = max(ticks.last ?? high, yMin + step)
        let left = max(40, (ticks.map { ChartLayout.textWidth(format($0), size: size) }.max() ?? 0) + 12), right = 12.0
        let legend = series.count > 1 ? legendRows(series, x: layout.labelsAbove ? 2 : left, top: 4, layout: layout) : (svg: "", height: 0)
        // Room above the top gridline for half its label, and below the plot for the x labels.
        let top = 4 + legend.height + size, bottom = ChartLayout.lineHeight(size) + 10
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ i: Int) -> Double { left + (xLabels.count > 1 ? Double(i) / Double(xLabels.count - 1) * plotWidth : plotWidth / 2) }
        func py(_ v: Double) -> Double { top + (1 - (v - yMin) / (yMax - yMin)) * plotHeight }
        var svg = open(width: width, height: height, title: title, layout: layout)
        svg += legend.svg
        for tick in ticks {
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(py(tick)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(tick)))\"/>"
            svg += text(format(tick), x: left - 6, y: ChartLayout.baseline(centredOn: py(tick), size: size), anchor: "end", cls: "axis", size: size)
        }
        let labelWidth = xLabels.map { ChartLayout.textWidth($0, size: size) }.max() ?? 0
        for i in Self.shownLabels(count: xLabels.count, most: mostLabels(plotWidth: plotWidth, labelWidth: labelWidth)) {
            // The first and last labels hang inward from the plot's edges, so none is cut by the box.
            let anchor = xLabels.count > 1 && i == 0 ? "start" : xLabels.count > 1 && i == xLabels.count - 1 ? "end" : "middle"
            svg += text(xLabels[i], x: px(i), y: height - bottom + 6 + 0.95 * size, anchor: anchor, cls: "axis", size: size)
        }
        for item in series {
            let points = item.values.enumerated().map { "\(f(px($0.offset))),\(f(py($0.element)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(item.color)\" stroke-width=\"2.5\" stroke-linejoin=\"round\" points=\"\(points)\"/>"
            for (i, value) in item.values.enumerated() {
                svg += "<circle cx=\"\(f(px(i)))\" cy=\"\(f(py(value)))\" r=\"3\" fill=\"\(item.color)\"><title>\(escape("\(xLabels[i]), \(item.name): \(format(value))"))</title></circle>"
            }
        }
        return svg + "</svg>"
    }

    /// How many x labels of at most `labelWidth` fit a plot `plotWidth` wide, at most six: the first
    /// hangs right from the plot's left edge and the next is centred on its point, so neighbours need
    /// 1.5 label widths and a gap between them.
    static func mostLabels(plotWidth: Double, labelWidth: Double) -> Int {
        max(2, min(6, Int(plotWidth / (1.5 * labelWidth + 12))))
    }

    /// A funnel: one centred band per step, its width the step's count, with the conversion from the
    /// step before in two lines of text beside it.
    static func funnel(steps: [(name: String, count: Int)], title: String, layout: ChartLayout = .wide) -> String {
        let size = layout.fontSize, small = layout.smallFontSize
        let band = 46.0, gap = 8.0
        let captions: [(String, String)] = steps.indices.map { index in
            let step = steps[index]
            let share = index > 0 && steps[index - 1].count > 0
                ? percent(Double(step.count) / Double(steps[index - 1].count)) + " of previous" : nil
            // A phone has room for the count beside the name, and for the share on a line of its own.
            if layout.labelsAbove { return ("\(step.name) · \(grouped(step.count))", share ?? "") }
            return (step.name, grouped(step.count) + (share.map { " · " + $0 } ?? ""))
        }
        let textWidth = captions.map { max(ChartLayout.textWidth($0.0, size: size), ChartLayout.textWidth($0.1, size: small)) }.max() ?? 0
        let plot = max(80, min(360, layout.width - textWidth - 24)), centre = 4 + plot / 2
        let height = Double(steps.count) * (band + gap) + 8
        let maximum = Double(max(steps.map(\.count).max() ?? 1, 1))
        var svg = open(width: layout.width, height: height, title: title, layout: layout)
        for (index, step) in steps.enumerated() {
            let y = 4 + Double(index) * (band + gap)
            let w = max(2, Double(step.count) / maximum * plot)
            let next = index + 1 < steps.count ? max(2, Double(steps[index + 1].count) / maximum * plot) : w
            let points = [(centre - w / 2, y), (centre + w / 2, y), (centre + next / 2, y + band), (centre - next / 2, y + band)]
                .map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
            svg += "<polygon points=\"\(points)\" fill=\"\(palette[index % palette.count])\"><title>\(escape("\(step.name): \(step.count)"))</title></polygon>"
            svg += text(captions[index].0, x: 4 + plot + 16, y: y + band / 2 - 3, anchor: "start", cls: "lbl", size: size)
            if !captions[index].1.isEmpty {
                svg += text(captions[index].1, x: 4 + plot + 16, y: y + band / 2 + 3 + 0.95 * small, anchor: "start", cls: "val", size: small)
            }
        }
        return svg + "</svg>"
    }

    /// A cohort triangle as a heat map: rows are cohorts, columns months since signup, colour the share.
    /// Cells print their percentage where it fits; month labels are thinned to the ones that fit.
    static func heatMap(rows: [(label: String, size: Int, shares: [Double?])], columns: Int, title: String,
                        layout: ChartLayout = .wide) -> String {
        let size = layout.smallFontSize, columns = max(columns, 1)
        let labels = rows.map { "\($0.label) (\(grouped($0.size)))" }
        let labelWidth = (labels.map { ChartLayout.textWidth($0, size: size) }.max() ?? 0) + 12
        let monthWidth = ChartLayout.textWidth("m\(columns - 1)", size: size)
        // The last month's label is centred on its cell and may be wider than it.
        let right = max(4, monthWidth / 2)
        let cell = min(34, (layout.width - labelWidth - right) / Double(columns))
        let cellHeight = max(cell, ChartLayout.lineHeight(size) + 2)
        let every = Int(((monthWidth + 6) / cell).rounded(.up))
        let numbers = cell >= ChartLayout.textWidth("100", size: layout.cellFontSize) + 4
            && cellHeight >= ChartLayout.lineHeight(layout.cellFontSize)
        let top = ChartLayout.lineHeight(size) + 6
        var svg = open(width: layout.width, height: top + Double(rows.count) * cellHeight + 4, title: title, layout: layout)
        for column in stride(from: 0, to: columns, by: max(1, every)) {
            svg += text("m\(column)", x: labelWidth + (Double(column) + 0.5) * cell, y: top - 6, anchor: "middle", cls: "axis", size: size)
        }
        for (r, row) in rows.enumerated() {
            let y = top + Double(r) * cellHeight
            svg += text(labels[r], x: labelWidth - 6, y: ChartLayout.baseline(centredOn: y + cellHeight / 2, size: size), anchor: "end",
                        cls: "axis", size: size)
            for (c, share) in row.shares.prefix(columns).enumerated() {
                guard let share else { continue }
                let x = labelWidth + Double(c) * cell
                svg += rect(x: x + 1, y: y + 1, width: cell - 2, height: cellHeight - 2, fill: heat(share),
                            tip: "\(row.label), month \(c): \(percent(share))")
                if numbers {
                    svg += text(String(Int((share * 100).rounded())), x: x + cell / 2,
                                y: ChartLayout.baseline(centredOn: y + cellHeight / 2, size: layout.cellFontSize), anchor: "middle",
                                cls: share > 0.45 ? "heat-dark" : "heat-light", size: layout.cellFontSize)
                }
            }
        }
        return svg + "</svg>"
    }

    /// White to deep blue.
    static func heat(_ share: Double) -> String {
        let t = max(0, min(1, share))
        let r = Int(247 - t * (247 - 23)), g = Int(251 - t * (251 - 72)), b = Int(255 - t * (255 - 160))
        return String(format: "#%02x%02x%02x", r, g, b)
    }

    // MARK: pieces

    static func open(width: Double, height: Double, title: String, layout: ChartLayout) -> String {
        "<svg class=\"chart\" data-layout=\"\(layout.name)\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(escape(title))</title>"
    }

    /// A legend from `x` that wraps: a swatch and a name per series, as many on a line as fit the
    /// layout's width (a name longer than a whole line is cut with "…").
    static func legendRows(_ series: [Series], x: Double, top: Double, layout: ChartLayout) -> (svg: String, height: Double) {
        let size = layout.smallFontSize, line = ChartLayout.lineHeight(size) + 4
        var svg = "", left = x, y = top
        for item in series {
            let name = ChartLayout.fitted(item.name, width: layout.width - x - 14, size: size)
            let itemWidth = 14 + ChartLayout.textWidth(name, size: size)
            if left > x, left + itemWidth > layout.width {
                left = x
                y += line
            }
            let middle = y + line / 2
            svg += "<rect class=\"swatch\" x=\"\(f(left))\" y=\"\(f(middle - 5))\" width=\"10\" height=\"10\" fill=\"\(item.color)\"/>"
            svg += text(name, x: left + 14, y: ChartLayout.baseline(centredOn: middle, size: size), anchor: "start", cls: "axis", size: size)
            left += itemWidth + 14
        }
        return (svg, y + line - top)
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tip: String) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(max(0, width)))\" height=\"\(f(max(0, height)))\" fill=\"\(fill)\"><title>\(escape(tip))</title></rect>"
    }

    /// Which of `count` x labels a line chart shows: about `most`, evenly spaced, always the first and
    /// the last; when the last would sit closer to the one before it than the spacing, it takes that
    /// one's place (the "2026-01 2026-0" overlap).
    static func shownLabels(count: Int, most: Int = 6) -> [Int] {
        guard count > 0 else { return [] }
        let every = max(1, Int((Double(count) / Double(max(most, 1))).rounded(.up)))
        var shown = Array(stride(from: 0, to: count, by: every))
        if shown.last != count - 1 {
            if let previous = shown.last, count - 1 - previous < every, shown.count > 1 { shown.removeLast() }
            shown.append(count - 1)
        }
        return shown
    }

    static func text(_ content: String, x: Double, y: Double, anchor: String, cls: String, size: Double) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" font-size=\"\(f(size))\" class=\"\(cls)\">\(escape(content))</text>"
    }

    /// Round tick values covering low...high, about five of them.
    static func niceTicks(low: Double, high: Double) -> ([Double], Double) {
        let span = high - low
        let raw = span / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        let start = floor(low / step) * step
        var ticks: [Double] = []
        var tick = start
        while tick <= high + step * 0.999, ticks.count < 12 {
            ticks.append(tick)
            tick += step
        }
        return (ticks, step)
    }

    static func f(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func percent(_ share: Double) -> String {
        String(format: "%.1f%%", share * 100)
    }

    /// 12345 as `12,345`.
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }
}

/// Text made safe for HTML and SVG content and attribute values.
func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for character in text {
        switch character {
        case "&": out += "&amp;"
        case "<": out += "&lt;"
        case ">": out += "&gt;"
        case "\"": out += "&quot;"
        case "'": out += "&#39;"
        default: out.append(character)
        }
    }
    return out
}
