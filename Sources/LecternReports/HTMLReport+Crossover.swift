import LecternStore

/// Domain flows: where learners buy after their first purchase.
extension HTMLReport {
    /// The domain x domain heat map and the table of flows.
    func crossoverSection() throws -> String {
        let result = try builder.crossoverResult()
        var html = note("""
            Of the learners whose first purchase was in a domain (the row), the share who later bought in another \
            (the column), counting purchases not refunded. The table adds the median days from the first purchase to \
            the first in the other domain, the net revenue of those later purchases per currency, and the channels \
            that brought the learners who crossed.
            """)
        guard !result.rows.isEmpty else {
            return html + empty("No learner has bought in a second domain after their first purchase yet.")
        }
        let index = Dictionary(uniqueKeysWithValues: result.domains.enumerated().map { ($1, $0) })
        var cells = result.domains.map { _ in [SVGChart.Flow?](repeating: nil, count: result.domains.count) }
        for row in result.rows {
            cells[index[row.from]!][index[row.to]!] = SVGChart.Flow(share: row.share ?? 0, crossed: row.crossed, medianDays: row.medianDays)
        }
        let starts = result.domains.map { result.starts[$0] ?? 0 }
        html += figure(caption: "Domain crossover: of the learners who first bought in the row's domain (their number in brackets), "
                       + "the share who later bought in the column's; darker is more, on the scale under the map") {
            SVGChart.crossoverMap(domains: result.domains, starts: starts, cells: cells, title: "Domain crossover", layout: $0)
        }
        return html + table(try builder.crossover(), caption: "Flows between domains", collapsed: true)
    }
}
