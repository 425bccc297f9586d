import LecternStore

/// Sections about learners: segments and the top spenders.
extension HTMLReport {
    /// Net revenue per learner by segment, one chart per currency, then the segments table.
    func segmentsSection() throws -> String {
        let rows = try SegmentReport(builder.db).rows(builder.filter)
        var html = note("Learner segments from `lectern segments build` (k-means on domain and tag affinity): how many learners, how many paid, the net revenue they bring per learner in each currency, and how many of their purchases they completed.")
        if rows.isEmpty {
            html += empty("No segments yet: run `lectern segments build`.")
        } else {
            for currency in Set(rows.flatMap { $0.net.map(\.currency) }).sorted() {
                let perLearner = rows.map { row in row.netPerLearner.first { $0.currency == currency }?.minor ?? 0 }
                html += figure(caption: "Net revenue per learner by segment, \(currency)") {
                    SVGChart.horizontalBars(
                        labels: rows.map(\.segment),
                        series: [.init(name: "net revenue per learner, \(currency)", values: perLearner.map { Double($0) / 100 },
                                       color: SVGChart.palette[4])],
                        format: compactMoney, title: "Net revenue per learner by segment (\(currency))", layout: $0)
                }
            }
            html += table(try builder.segments(), caption: "Segments")
        }
        return html
    }

    /// The top spenders in each currency, under pseudonyms unless personal data was asked for.
    func learnersSection() throws -> String {
        var html = note(builder.options.includePersonalData
            ? "The learners who spent most in each currency, with their personal data (asked for with --include-personal-data)."
            : "The learners who spent most in each currency, under pseudonyms: the same learner has the same pseudonym in every report of this database.")
        html += table(try builder.learners(), caption: "Top \(builder.options.learnerLimit) by net spend in each currency")
        return html
    }
}
