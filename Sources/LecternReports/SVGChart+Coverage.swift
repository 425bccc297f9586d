/// A team x skill heat map for the org report.
extension SVGChart {
    /// How a team stands on one skill: the share of its members covering it at the start and now (nil
    /// for a team without members).
    struct Coverage {
        var start: Double?
        var now: Double?
    }

    /// A team x skill heat map as rows of tiles: a row per team (its name to the left, or on a line above
    /// in a narrow layout), a tile per target skill, coloured by the share covering it now and holding
    /// the skill's name and "start → now". When every skill fits on one line, each skill keeps its column
    /// (a matrix with gaps where a skill is not the team's target); otherwise each team's tiles are packed
    /// and wrap onto more lines, so names stay whole and legible on a phone.
    /// `cells[team][skill]` is nil where the skill is not one of the team's targets (no tile).
    static func coverageMap(teams: [String], skills: [String], cells: [[Coverage?]], title: String,
                            layout: ChartLayout = .wide) -> String {
        let size = layout.cellFontSize, labelSize = layout.fontSize, gap = 6.0
        // "→" is wider than a letter: measured as two.
        let textWidth = max(skills.map { ChartLayout.textWidth($0, size: size) }.max() ?? 0,
                            ChartLayout.textWidth("100% -> 100%", size: size))
        let labelColumn = layout.labelsAbove ? 2.0
            : min(170, (teams.map { ChartLayout.textWidth($0, size: labelSize) }.max() ?? 0) + 14)
        let tileWidth = min(textWidth + 12, layout.width - labelColumn)
        let tileHeight = 2 * ChartLayout.lineHeight(size) + 10
        let perLine = max(1, Int((layout.width - labelColumn + gap) / (tileWidth + gap)))
        let aligned = skills.count <= perLine
        // Each team's tiles: (skill, slot), the slot its place in the rows of tiles.
        let placed = cells.map { row in
            row.indices.filter { row[$0] != nil }.enumerated().map { (skill: $0.element, slot: aligned ? $0.element : $0.offset) }
        }
        let labelLine = layout.labelsAbove ? ChartLayout.lineHeight(labelSize) + 4 : 0
        let heights = placed.map { tiles in
            labelLine + Double(max(1, ((tiles.map(\.slot).max() ?? 0) / perLine) + 1)) * (tileHeight + gap) + 6
        }
        var svg = open(width: layout.width, height: heights.reduce(2, +), title: title, layout: layout)
        var top = 2.0
        for (t, team) in teams.enumerated() {
            let tilesTop = top + labelLine
            if layout.labelsAbove {
                svg += text(ChartLayout.fitted(team, width: layout.width - 4, size: labelSize), x: labelColumn,
                            y: top + 0.95 * labelSize, anchor: "start", cls: "lbl", size: labelSize)
            } else {
                svg += text(ChartLayout.fitted(team, width: labelColumn - 10, size: labelSize), x: labelColumn - 8,
                            y: ChartLayout.baseline(centredOn: tilesTop + tileHeight / 2, size: labelSize), anchor: "end", cls: "lbl",
                            size: labelSize)
            }
            for (s, slot) in placed[t] {
                let x = labelColumn + Double(slot % perLine) * (tileWidth + gap), y = tilesTop + Double(slot / perLine) * (tileHeight + gap)
                svg += tile(team: team, skill: skills[s], cells[t][s]!, x: x, y: y, width: tileWidth, height: tileHeight, size: size)
            }
            top += heights[t]
        }
        return svg + "</svg>"
    }

    /// One tile: its colour the share now, the skill's name, and "start → now" (or "no members").
    static func tile(team: String, skill: String, _ cell: Coverage, x: Double, y: Double, width: Double, height: Double,
                     size: Double) -> String {
        let line = ChartLayout.lineHeight(size)
        let change = cell.now.map { now in "\(percentText(cell.start ?? 0)) → \(percentText(now))" } ?? "no members"
        let tip = cell.now.map { now in "\(team), \(skill): \(percent(cell.start ?? 0)) at the start, \(percent(now)) now" }
            ?? "\(team), \(skill): the team has no members"
        // White text only where it contrasts more than dark text does (WCAG luminance: from a share of about 0.69).
        let cls = (cell.now ?? 0) > 0.68 ? "heat-dark" : "heat-light"
        var svg = rect(x: x, y: y, width: width, height: height, fill: cell.now.map(heat) ?? "#eef1f5", tip: tip)
        svg += text(ChartLayout.fitted(skill, width: width - 8, size: size), x: x + width / 2,
                    y: ChartLayout.baseline(centredOn: y + 5 + line / 2, size: size), anchor: "middle", cls: cls, size: size)
        svg += text(change, x: x + width / 2, y: ChartLayout.baseline(centredOn: y + 5 + 1.5 * line, size: size), anchor: "middle",
                    cls: cls, size: size)
        return svg
    }

    /// A share as a whole percentage: `80%`.
    static func percentText(_ share: Double) -> String {
        "\(Int((share * 100).rounded()))%"
    }
}
