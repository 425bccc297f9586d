import Foundation
import LecternStore

/// Sections about the catalog and the models: courses, recommendations and experiments.
extension HTMLReport {
    /// Courses by domain and status, then the catalog by domain, then the most dismissed courses.
    func catalogSection() throws -> String {
        let (rows, _) = try CatalogReport(builder.db).domains(builder.filter)
        var html = note("Courses per domain by status, difficulty and format; courses never viewed or never bought; tags and the longest prerequisite chain.")
        if !rows.isEmpty {
            let statuses = ["draft", "published", "archived"]
            html += figure(caption: "Courses by domain and status") {
                SVGChart.horizontalBars(
                    labels: rows.map(\.domain),
                    series: statuses.indices.map { s in
                        .init(name: statuses[s], values: rows.map { Double($0.byStatus[s]) }, color: [SVGChart.palette[6], SVGChart.palette[0], SVGChart.palette[5]][s])
                    },
                    stacked: true, format: { SVGChart.grouped(Int($0)) }, title: "Courses by domain and status", layout: $0)
            }
        }
        html += table(try builder.catalog(), caption: "By domain")
        return html + (try dismissedCoursesPart())
    }

    /// The courses most learners dismissed in the period: learners by reason (stacked bars), then the table.
    func dismissedCoursesPart() throws -> String {
        var html = "<h3>Most dismissed courses</h3>" + note("""
            Courses learners said "not for me" to in the period: learners who dismissed each (by the reason of \
            their latest dismissal), those whose dismissal still held at the period's end (they did not view, \
            wishlist, enroll in or buy it since), and their share of the learners who touched the course.
            """)
        let rows = try builder.dismissedCourseRows()
        guard !rows.isEmpty else { return html + empty("No learner dismissed a course in this period.") }
        let reasons = Interaction.Reason.allCases.map(\.rawValue) + ["unspecified"]
        let counts = rows.map { row in Interaction.Reason.allCases.map { Double(row.reasons[$0] ?? 0) } + [Double(row.unspecified)] }
        let colors = [0, 1, 2, 3, 4, 7, 5].map { SVGChart.palette[$0] }
        html += figure(caption: "Learners who dismissed each course, by the reason of their latest dismissal") {
            SVGChart.horizontalBars(
                labels: rows.map(\.slug),
                series: reasons.indices.map { r in .init(name: reasons[r], values: counts.map { $0[r] }, color: colors[r]) },
                stacked: true, format: { SVGChart.grouped(Int($0)) }, title: "Most dismissed courses by reason", layout: $0)
        }
        return html + table(try builder.mostDismissed(), caption: "By course")
    }

    /// Each active model's coverage, exposure inequality, offline quality and dismiss rate, with what to run while
    /// the offline figures are blank.
    func recommendationsSection() throws -> String {
        let rows = try builder.recommendationRows()
        var html = note("For each active model: learners reached, the share of the catalog recommended (coverage), how unevenly exposure spreads over creators and domains (Gini: 0 even, 1 all on one), the latest offline NDCG and precision at 10, and the served courses their learners dismissed in the period after the model was trained (dismissed, and their share of the rows: dismiss rate).")
        if !rows.isEmpty {
            html += figure(caption: "Coverage, exposure and quality") {
                SVGChart.horizontalBars(
                    labels: rows.map(\.algorithm.rawValue),
                    series: [.init(name: "coverage", values: rows.map { $0.coverage ?? 0 }, color: SVGChart.palette[2]),
                             .init(name: "creator Gini", values: rows.map { $0.creatorGini ?? 0 }, color: SVGChart.palette[3])]
                        // Offline quality only once `lectern evaluate` has measured it, never a made-up 0.
                        + (rows.contains { $0.ndcgAt10 != nil }
                           ? [.init(name: "NDCG@10", values: rows.map { $0.ndcgAt10 ?? 0 }, color: SVGChart.palette[0])] : [])
                        // Dismissals once any learner has dismissed a served course, so the chart stays as it was until then.
                        + (rows.contains { $0.dismissed > 0 }
                           ? [.init(name: "dismiss rate", values: rows.map { $0.dismissRate ?? 0 }, color: SVGChart.palette[1])] : []),
                    format: { String(format: "%.2f", $0) }, title: "Coverage, exposure inequality and quality by model", layout: $0)
            }
        } else {
            html += empty("No model has been trained: run `lectern train`.")
        }
        let unevaluated = rows.filter { $0.ndcgAt10 == nil && $0.precisionAt10 == nil }.map(\.algorithm.rawValue)
        if !unevaluated.isEmpty {
            html += hint("No offline figures yet for \(unevaluated.joined(separator: ", ")): the NDCG@10 and precision@10 columns "
                         + "stay empty until `lectern evaluate --algorithm \(unevaluated.joined(separator: ","))` has measured "
                         + "them (at k = 10, its default). Run it, then make this report again.")
        }
        html += table(try builder.recommendations(), caption: "Active models")
        return html
    }

    /// Every experiment's variants, or what to run to start one.
    func experimentsSection() throws -> String {
        var html = note("Online A/B tests: per variant, learners, impressions, click-through, conversion, the p-value of its conversion against the first variant, the share of impressions the learner dismissed within the experiment's window (dismiss rate, with its 95% interval), and revenue per learner.")
        let listing = try builder.experiments()
        html += listing.rows.isEmpty ? empty("No experiments yet: see `lectern experiment create`.") : table(listing, caption: "Variants")
        return html
    }

    /// Every campaign's uplift, or what to run to record one.
    func campaignsSection() throws -> String {
        var html = note("Marketing campaigns (`lectern audience --campaign`): of the opted-in audience, the targeted learners were sent the list and a seeded random holdout was not. Conversion is enrolling in or buying the course after the campaign; the uplift is the targeted rate minus the held-out rate, with its 95% interval and the p-value of a two-proportion z-test. Raw conversion alone would credit the campaign with learners who would have come anyway.")
        let listing = try builder.campaigns()
        html += listing.rows.isEmpty ? empty("No campaigns yet: see `lectern audience --campaign`.") : table(listing, caption: "Campaigns")
        return html
    }
}
