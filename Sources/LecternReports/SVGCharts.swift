import Foundation

/// Inline SVG charts for the HTML report: no scripts, no external files. Every chart scales to its
/// container through its `viewBox`, so one drawing serves a laptop and a phone.
enum SVGChart {
    /// The report's palette, chosen to stay apart for the common colour-vision deficiencies.
    static let palette = ["#2f6fdf", "#e8871e", "#2a9d8f", "#c0392b", "#8e5ea2", "#6c7a89", "#d4a017", "#1f9e4d"]

    struct Series {
        var name: String
        var values: [Double]
        var color: String
    }

    /// Horizontal bars, one row per label; `series` side by side (or stacked when `stacked`).
    static func horizontalBars(labels: [String], series: [Series], stacked: Bool = false,
                               format: (Double) -> String, title: String) -> String {
        let rowHeight = stacked || series.count == 1 ? 22.0 : 14.0 * Double(series.count) + 8
        let labelWidth = 170.0, width = 640.0, right = 70.0
        let legend = series.count > 1 ? 24.0 : 0
        let height = legend + Double(labels.count) * rowHeight + 8
        let totals = labels.indices.map { index in
            stacked ? series.reduce(0) { $0 + max(0, $1.values[index]) } : series.map { max(0, $0.values[index]) }.max() ?? 0
        }
        let maximum = max(totals.max() ?? 0, 1e-9)
        let plot = width - labelWidth - right
        var svg = open(width: width, height: height, title: title)
        if series.count > 1 { svg += legendRow(series, x: labelWidth, y: 14) }
        for (index, label) in labels.enumerated() {
            let top = legend + Double(index) * rowHeight + 4
            svg += text(truncate(label, 22), x: labelWidth - 8, y: top + rowHeight / 2 + 4, anchor: "end", cls: "lbl")
            var x = labelWidth
            for (s, item) in series.enumerated() {
                let value = max(0, item.values[index])
                let length = value / maximum * plot
                if stacked {
                    svg += rect(x: x, y: top + 2, width: length, height: rowHeight - 6, fill: item.color,
                                tip: "\(label), \(item.name): \(format(item.values[index]))")
                    x += length
                } else {
                    let barHeight = series.count == 1 ? rowHeight - 6 : 12.0
                    let y = top + 2 + Double(s) * (barHeight + 2)
                    svg += rect(x: labelWidth, y: y, width: length, height: barHeight, fill: item.color,
                                tip: "\(label), \(item.name): \(format(item.values[index]))")
                    svg += text(format(item.values[index]), x: labelWidth + length + 4, y: y + barHeight - 2, anchor: "start", cls: "val")
                }
            }
            if stacked {
                svg += text(format(totals[index]), x: x + 4, y: top + rowHeight / 2 + 4, anchor: "start", cls: "val")
            }
        }
        return svg + "</svg>"
    }

    /// Lines over ordered x labels (months, weeks), with a zero-based y axis and gridlines.
    static func lines(xLabels: [String], series: [Series], format: (Double) -> String, title: String) -> String {
        let width = 640.0, height = 260.0, left = 64.0, right = 16.0, top = series.count > 1 ? 30.0 : 14.0, bottom = 40.0
        let values = series.flatMap(\.values)
        let low = min(0, values.min() ?? 0), high = max(values.max() ?? 1, low + 1e-9)
        let (ticks, step) = niceTicks(low: low, high: high)
        let yMin = ticks.first ?? low, yMax = max(ticks.last ?? high, yMin + step)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func px(_ i: Int) -> Double { left + (xLabels.count > 1 ? Double(i) / Double(xLabels.count - 1) * plotWidth : plotWidth / 2) }
        func py(_ v: Double) -> Double { top + (1 - (v - yMin) / (yMax - yMin)) * plotHeight }
        var svg = open(width: width, height: height, title: title)
        if series.count > 1 { svg += legendRow(series, x: left, y: 14) }
        for tick in ticks {
            svg += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(py(tick)))\" x2=\"\(f(width - right))\" y2=\"\(f(py(tick)))\"/>"
            svg += text(format(tick), x: left - 6, y: py(tick) + 4, anchor: "end", cls: "axis")
        }
        for i in Self.shownLabels(count: xLabels.count) {
            // The first and last labels hang inward from the plot's edges, so none is cut by the box.
            let anchor = xLabels.count > 1 && i == 0 ? "start" : xLabels.count > 1 && i == xLabels.count - 1 ? "end" : "middle"
            svg += text(xLabels[i], x: px(i), y: height - bottom + 18, anchor: anchor, cls: "axis")
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

    /// A funnel: one centred band per step, its width the step's count, with the conversion from the step before.
    static func funnel(steps: [(name: String, count: Int)], title: String) -> String {
        let width = 640.0, band = 46.0, gap = 8.0
        let height = Double(steps.count) * (band + gap) + 8
        let maximum = Double(max(steps.map(\.count).max() ?? 1, 1))
        var svg = open(width: width, height: height, title: title)
        let plot = 360.0, centre = 250.0
        for (index, step) in steps.enumerated() {
            let y = 4 + Double(index) * (band + gap)
            let w = max(2, Double(step.count) / maximum * plot)
            let next = index + 1 < steps.count ? max(2, Double(steps[index + 1].count) / maximum * plot) : w
            let points = [(centre - w / 2, y), (centre + w / 2, y), (centre + next / 2, y + band), (centre - next / 2, y + band)]
                .map { "\(f($0.0)),\(f($0.1))" }.joined(separator: " ")
            svg += "<polygon points=\"\(points)\" fill=\"\(palette[index % palette.count])\"><title>\(escape("\(step.name): \(step.count)"))</title></polygon>"
            svg += text("\(step.name)", x: centre + plot / 2 + 16, y: y + 20, anchor: "start", cls: "lbl")
            var detail = grouped(step.count)
            if index > 0, steps[index - 1].count > 0 {
                detail += " · " + percent(Double(step.count) / Double(steps[index - 1].count)) + " of previous"
            }
            svg += text(detail, x: centre + plot / 2 + 16, y: y + 38, anchor: "start", cls: "val")
        }
        return svg + "</svg>"
    }

    /// A cohort triangle as a heat map: rows are cohorts, columns months since signup, colour the share.
    static func heatMap(rows: [(label: String, size: Int, shares: [Double?])], columns: Int, title: String) -> String {
        let labelWidth = 110.0, cell = max(18.0, min(34.0, 500.0 / Double(max(columns, 1))))
        let top = 22.0
        let width = labelWidth + Double(columns) * cell + 8, height = top + Double(rows.count) * cell + 8
        var svg = open(width: width, height: height, title: title)
        for column in 0..<columns where columns <= 16 || column % 2 == 0 {
            svg += text("m\(column)", x: labelWidth + (Double(column) + 0.5) * cell, y: 15, anchor: "middle", cls: "axis")
        }
        for (r, row) in rows.enumerated() {
            let y = top + Double(r) * cell
            svg += text("\(row.label) (\(grouped(row.size)))", x: labelWidth - 6, y: y + cell / 2 + 4, anchor: "end", cls: "axis")
            for (c, share) in row.shares.prefix(columns).enumerated() {
                guard let share else { continue }
                let x = labelWidth + Double(c) * cell
                svg += rect(x: x + 1, y: y + 1, width: cell - 2, height: cell - 2, fill: heat(share),
                            tip: "\(row.label), month \(c): \(percent(share))")
                if cell >= 26 {
                    svg += text(String(Int((share * 100).rounded())), x: x + cell / 2, y: y + cell / 2 + 4, anchor: "middle",
                                cls: share > 0.45 ? "heat-dark" : "heat-light")
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

    static func open(width: Double, height: Double, title: String) -> String {
        "<svg class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(height))\" role=\"img\" aria-label=\"\(escape(title))\" xmlns=\"http://www.w3.org/2000/svg\"><title>\(escape(title))</title>"
    }

    static func legendRow(_ series: [Series], x: Double, y: Double) -> String {
        var svg = "", offset = x
        for item in series {
            svg += "<rect x=\"\(f(offset))\" y=\"\(f(y - 9))\" width=\"10\" height=\"10\" fill=\"\(item.color)\"/>"
            svg += text(item.name, x: offset + 14, y: y, anchor: "start", cls: "axis")
            // Room for the name at the phone's larger text (14 units, about 8 a character), so names
            // such as "net revenue, USD" do not run into the next one.
            offset += 24 + Double(item.name.count) * 8
        }
        return svg
    }

    static func rect(x: Double, y: Double, width: Double, height: Double, fill: String, tip: String) -> String {
        "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(max(0, width)))\" height=\"\(f(max(0, height)))\" fill=\"\(fill)\"><title>\(escape(tip))</title></rect>"
    }

    /// Which of `count` x labels a line chart shows: about six, evenly spaced, always the first and
    /// the last; when the last would sit closer to the one before it than the spacing, it takes that
    /// one's place (the "2026-01 2026-0" overlap).
    static func shownLabels(count: Int) -> [Int] {
        guard count > 0 else { return [] }
        let every = max(1, Int((Double(count) / 6).rounded(.up)))
        var shown = Array(stride(from: 0, to: count, by: every))
        if shown.last != count - 1 {
            if let previous = shown.last, count - 1 - previous < every, shown.count > 1 { shown.removeLast() }
            shown.append(count - 1)
        }
        return shown
    }

    static func text(_ content: String, x: Double, y: Double, anchor: String, cls: String) -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" text-anchor=\"\(anchor)\" class=\"\(cls)\">\(escape(content))</text>"
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

    static func truncate(_ text: String, _ width: Int) -> String {
        text.count <= width ? text : String(text.prefix(width - 1)) + "…"
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
