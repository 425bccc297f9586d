import ArgumentParser
import Foundation
import LecternStore

extension Lectern {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reports with exact figures: sales, creator payouts, the funnel and acquisition channels.",
            discussion: """
                sales: orders, gross, refunds, net revenue and average price, by day, week, month, course, \
                domain or creator (--by). creators: each creator's net revenue, revenue share, the payout owed \
                and the platform's part; their totals reconcile with sales to the cent. Money is in the \
                catalog currency's major unit (49.90). funnel: learner-course pairs that viewed, enrolled \
                (or bought), bought and completed, the conversion at each step and the median days between \
                steps, by course, domain or channel (--by; default domain). channels: learners acquired, \
                activated, paying, net revenue and conversion by acquisition channel and campaign, and how many \
                bought in a second domain.
                """)

        enum Kind: String, ExpressibleByArgument, CaseIterable { case sales, creators, funnel, channels, cohorts, catalog, recommendations }
        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, md }

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "sales or creators.") var kind: Kind
        @Option(help: "From this date on (inclusive).") var since: String?
        @Option(help: "Before this date (exclusive).") var until: String?
        @Option(help: "Only this domain.") var domain: String?
        @Option(help: "Only this creator (id or name).") var creator: String?
        @Option(help: "Only learners acquired through this channel.") var channel: String?
        @Option(help: "sales: day, week, month (default), course, domain or creator; funnel: course, domain (default) or channel.")
        var by: String?
        @Option(help: "cohorts: activity or purchase.") var measure: CohortReport.Measure = .activity
        @Option(help: "table, csv, json or md.") var format: Format = .table
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func run() throws {
            let since = try self.since.map { try parseTime($0, option: "--since") }
            let until = try self.until.map { try parseTime($0, option: "--until") }
            if let since, let until, since > until { throw CommandFailure("--since is after --until") }
            let db = try database.openExisting()
            var filter = ReportFilter(since: since, until: until, domain: domain, channel: channel)
            if let creator { filter.creatorID = try CreatorRepository(db).resolve(creator).id }
            let report = SalesReport(db)
            var listing: Listing
            switch kind {
            case .sales:
                guard let grouping = SalesReport.Grouping(rawValue: by ?? "month") else {
                    throw CommandFailure("unknown --by '\(by!)' for sales: use day, week, month, course, domain or creator")
                }
                let (rows, total) = try report.sales(filter, by: grouping)
                listing = Listing([grouping.rawValue, "orders", "gross", "refunds", "refunded", "net", "average_price"])
                for row in rows + [total] {
                    listing.append([.text(row.key), .int(Int64(row.orders)), .money(row.grossMinor), .int(Int64(row.refunds)),
                                    .money(row.refundedMinor), .money(row.netMinor), .money(row.averagePriceMinor)])
                }
            case .funnel:
                guard let grouping = FunnelReport.Grouping(rawValue: by ?? "domain") else {
                    throw CommandFailure("unknown --by '\(by!)' for funnel: use course, domain or channel")
                }
                let (rows, total) = try FunnelReport(db).funnel(filter, by: grouping)
                listing = Listing([grouping.rawValue, "viewed", "enrolled", "purchased", "completed", "view_to_enroll",
                                   "enroll_to_purchase", "purchase_to_complete", "days_to_enroll", "days_to_purchase", "days_to_complete"])
                for row in rows + [total] {
                    listing.append([.text(row.key), .int(Int64(row.viewed)), .int(Int64(row.enrolled)), .int(Int64(row.purchased)),
                                    .int(Int64(row.completed))] + row.conversions.map { .number($0, decimals: 3) }
                                   + row.medianDays.map { .number($0, decimals: 1) })
                }
            case .channels:
                let rows = try FunnelReport(db).channels(filter)
                listing = Listing(["channel", "campaign", "acquired", "activated", "paying", "conversion", "net", "second_domain_buyers"])
                for row in rows {
                    listing.append([.text(row.channel), .text(row.campaign), .int(Int64(row.acquired)), .int(Int64(row.activated)),
                                    .int(Int64(row.paying)), .number(row.conversion, decimals: 3), .money(row.netMinor),
                                    .int(Int64(row.crossDomainBuyers))])
                }
            case .cohorts:
                let rows = try CohortReport(db).cohorts(filter, measure: measure)
                let months = min(24, rows.map(\.active.count).max() ?? 0)
                listing = Listing(["cohort", "learners"] + (0..<months).map { "m\($0)" })
                for row in rows {
                    listing.append([.text(row.cohort), .int(Int64(row.learners))] + (0..<months).map { .number(row.share($0), decimals: 3) })
                }
            case .catalog:
                let (rows, total) = try CatalogReport(db).domains(filter)
                listing = Listing(["domain", "courses", "draft", "published", "archived", "beginner", "intermediate", "advanced",
                                   "video", "audio", "ebook", "live", "article", "never_viewed", "never_bought", "tags", "longest_chain"])
                for row in rows + [total] {
                    let counts = [row.courses] + row.byStatus + row.byDifficulty + row.byFormat
                        + [row.neverViewed, row.neverBought, row.tags, row.longestChain]
                    listing.append([.text(row.domain)] + counts.map { .int(Int64($0)) })
                }
            case .recommendations:
                listing = Listing(["algorithm", "run", "trained_at", "learners", "rows", "coverage", "creator_gini", "domain_gini",
                                   "ndcg@10", "precision@10"])
                for row in try RecommendationReport(db).rows() {
                    listing.append([.text(row.algorithm), .int(row.runID), .text(Timestamp.format(row.finishedAt)),
                                    .int(Int64(row.learners)), .int(Int64(row.rows)), .number(row.coverage, decimals: 3),
                                    .number(row.creatorGini, decimals: 3), .number(row.domainGini, decimals: 3),
                                    .number(row.ndcgAt10, decimals: 4), .number(row.precisionAt10, decimals: 4)])
                }
            case .creators:
                let earnings = try report.creators(filter)
                listing = Listing(["creator", "courses", "learners", "net", "share", "payout", "platform"])
                for e in earnings {
                    listing.append([.text(e.name), .int(Int64(e.courses)), .int(Int64(e.learners)), .money(e.netMinor),
                                    .number(e.revenueShare, decimals: 2), .money(e.payoutMinor), .money(e.platformMinor)])
                }
                listing.append([.text("total"), .int(Int64(earnings.map(\.courses).reduce(0, +))), .text(nil),
                                .money(earnings.map(\.netMinor).reduce(0, +)), .text(nil),
                                .money(earnings.map(\.payoutMinor).reduce(0, +)), .money(earnings.map(\.platformMinor).reduce(0, +))])
            }
            let text: String
            switch format {
            case .table: text = listing.rendered(.table)
            case .csv: text = listing.rendered(.csv)
            case .json: text = listing.rendered(.json)
            case .md: text = listing.markdown()
            }
            guard let out else {
                print(text, terminator: "")
                return
            }
            // Written beside the target and renamed, so a failure leaves no partial file.
            let temporary = out + ".\(getpid()).tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8)) else {
                throw CommandFailure("cannot write '\(out)'")
            }
            if rename(temporary, out) != 0 {
                unlink(temporary)
                throw CommandFailure("cannot write '\(out)': \(String(cString: strerror(errno)))")
            }
            print("Wrote the \(kind.rawValue) report to \(out)")
        }
    }
}


extension CohortReport.Measure: ExpressibleByArgument {}
