import Foundation
import LecternCore
import LecternService
import LecternStore

/// The reports `lectern report` prints.
public enum ReportKind: String, CaseIterable, Sendable {
    case sales, creators, funnel, channels, cohorts, catalog, recommendations, experiments, segments, learners
    /// Domain x domain: where learners buy after their first purchase.
    case crossover
    /// One organisation's training (`options.org`); in the HTML page, a section per organisation.
    case org
    /// Each marketing campaign's uplift: later conversion of the targeted against the held out.
    case campaigns
}

/// What a report covers and how it groups.
public struct ReportOptions: Sendable {
    public var filter: ReportFilter
    /// sales: day, week, month, course, domain or creator (nil = month).
    public var salesGrouping: SalesReport.Grouping = .month
    /// funnel: course, domain or channel.
    public var funnelGrouping: FunnelReport.Grouping = .domain
    public var cohortMeasure: CohortReport.Measure = .activity
    /// Learners are shown under pseudonyms unless this is set.
    public var includePersonalData = false
    /// How many learners the learners report lists.
    public var learnerLimit = 20
    /// How many of the most dismissed courses the catalog report lists.
    public var courseLimit = 20
    /// org: the organisation (slug or id).
    public var org: String?
    /// campaigns: only this campaign (an unknown name is an error).
    public var campaign: String?
    /// org: the time statuses and coverage are worked out at (nil: when the report is made).
    public var now: Int64?

    public init(filter: ReportFilter = ReportFilter()) {
        self.filter = filter
    }
}

/// Computes reports as listings (for table, csv, json and md output) from one database.
public struct ReportBuilder {
    let db: Database
    public let options: ReportOptions

    /// What this builder has computed already, so a page that shows one result as a chart and as a table
    /// (the HTML report) reads the database for it once.
    final class Results {
        var sales: [SalesReport.Grouping: (rows: [SalesRow], totals: [SalesRow])] = [:]
        var creators: [CreatorEarnings]?
        var funnel: [FunnelReport.Grouping: (rows: [FunnelRow], total: FunnelRow)] = [:]
        var channels: [ChannelRow]?
        var cohorts: [CohortReport.Measure: [CohortRow]] = [:]
        var recommendations: [RecommendationReportRow]?
        var dismissedCourses: [DismissedCourseRow]?
        var organisations: [String: OrgReportResult] = [:]
        var crossover: CrossoverResult?
    }
    let results = Results()

    public init(_ db: Database, options: ReportOptions) {
        self.db = db
        self.options = options
    }

    var filter: ReportFilter { options.filter }

    func salesResult(by grouping: SalesReport.Grouping) throws -> (rows: [SalesRow], totals: [SalesRow]) {
        if let known = results.sales[grouping] { return known }
        let result = try SalesReport(db).sales(filter, by: grouping)
        results.sales[grouping] = result
        return result
    }

    func creatorEarnings() throws -> [CreatorEarnings] {
        if let known = results.creators { return known }
        let result = try SalesReport(db).creators(filter)
        results.creators = result
        return result
    }

    func funnelResult(by grouping: FunnelReport.Grouping) throws -> (rows: [FunnelRow], total: FunnelRow) {
        if let known = results.funnel[grouping] { return known }
        // The HTML page shows the funnel by domain and by channel: one pass over the events gives both.
        let groupings: Set<FunnelReport.Grouping> = grouping == .course ? [.course] : [.domain, .channel]
        for (computed, result) in try FunnelReport(db).funnels(filter, by: groupings) { results.funnel[computed] = result }
        return results.funnel[grouping]!
    }

    func channelRows() throws -> [ChannelRow] {
        if let known = results.channels { return known }
        let result = try FunnelReport(db).channels(filter)
        results.channels = result
        return result
    }

    func cohortRows(_ measure: CohortReport.Measure) throws -> [CohortRow] {
        if let known = results.cohorts[measure] { return known }
        let result = try CohortReport(db).cohorts(filter, measure: measure)
        results.cohorts[measure] = result
        return result
    }

    /// A report's listings, each with its name (its key in JSON) and its title (above it in a table):
    /// one for most reports; the catalog has two, its domains and its most dismissed courses.
    public func listings(_ kind: ReportKind) throws -> [(name: String, title: String, listing: Listing)] {
        switch kind {
        case .catalog: [("domains", "Courses by domain", try catalog()), ("most_dismissed", "Most dismissed courses", try mostDismissed())]
        case .org: try orgListings(try requiredOrg())
        default: [(kind.rawValue, kind.rawValue, try listing(kind))]
        }
    }

    /// A report as a JSON value: its listing's array of rows, or for a report of several listings an
    /// object of those arrays by name (`{"domains": [...], "most_dismissed": [...]}`).
    public func jsonValue(_ kind: ReportKind) throws -> ReportJSON {
        let parts = try listings(kind)
        if parts.count == 1 { return .listing(parts[0].listing) }
        return .listings(JSONObject(parts.map { ($0.name, $0.listing) }, layout: ReportJSON.objectLayout))
    }

    /// A report as JSON text, ending with a newline.
    public func json(_ kind: ReportKind) throws -> String {
        try JSONWriter.text(of: jsonValue(kind)) + "\n"
    }

    /// A report as an aligned table or in Markdown; a report of several listings gives each its title.
    public func text(_ kind: ReportKind, markdown: Bool) throws -> String {
        let parts = try listings(kind)
        func body(_ listing: Listing) -> String { markdown ? listing.markdown() : listing.rendered(.table) }
        if parts.count == 1 { return body(parts[0].listing) }
        return parts.map { (markdown ? "### \($0.title)\n\n" : "\($0.title)\n") + body($0.listing) }.joined(separator: "\n")
    }

    /// A report's listing; for a report of several, its first (the catalog's domains: CSV holds one table).
    public func listing(_ kind: ReportKind) throws -> Listing {
        switch kind {
        case .sales: try sales(by: options.salesGrouping)
        case .creators: try creators()
        case .funnel: try funnel(by: options.funnelGrouping)
        case .channels: try channels()
        case .cohorts: try cohorts(options.cohortMeasure)
        case .catalog: try catalog()
        case .recommendations: try recommendations()
        case .experiments: try experiments()
        case .segments: try segments()
        case .learners: try learners()
        case .crossover: try crossover()
        case .org: try orgTeams(try requiredOrg())
        case .campaigns: try campaigns()
        }
    }

    /// One row per key and currency, then a total per currency (one total of zero, without a currency,
    /// when nothing was sold).
    func sales(by grouping: SalesReport.Grouping) throws -> Listing {
        let (rows, totals) = try salesResult(by: grouping)
        var listing = Listing([grouping.rawValue, "currency", "orders", "gross", "refunds", "refunded", "net", "average_price"])
        for row in rows + totals {
            listing.append([.text(row.key), .text(row.currency), .int(Int64(row.orders)), .money(row.grossMinor), .int(Int64(row.refunds)),
                            .money(row.refundedMinor), .money(row.netMinor), .money(row.averagePriceMinor)])
        }
        if totals.isEmpty { listing.append([.text("total"), .text(nil), .int(0), .money(0), .int(0), .money(0), .money(0), .money(0)]) }
        return listing
    }

    /// One row per creator and currency of their courses or seat revenue, a row per currency of seat
    /// revenue no creator was given (`(unused seats)`, no share), then a total per currency.
    func creators() throws -> Listing {
        let earnings = try creatorEarnings()
        var listing = Listing(["creator", "currency", "courses", "learners", "net", "seat_revenue", "share", "payout", "platform"])
        for e in earnings {
            listing.append([.text(e.name), .text(e.currency), .int(Int64(e.courses)), .int(Int64(e.learners)), .money(e.netMinor),
                            .money(e.seatRevenueMinor), e.isUnusedSeats ? .text(nil) : .number(e.revenueShare, decimals: 2),
                            .money(e.payoutMinor), .money(e.platformMinor)])
        }
        let currencies = Set(earnings.compactMap(\.currency)).sorted()
        for currency in currencies {
            let some = earnings.filter { $0.currency == currency }
            func sum(_ figure: (CreatorEarnings) -> Int64) -> Listing.Cell { .money(some.map(figure).reduce(0, +)) }
            listing.append([.text("total"), .text(currency), .int(Int64(some.map(\.courses).reduce(0, +))), .text(nil),
                            sum(\.netMinor), sum(\.seatRevenueMinor), .text(nil), sum(\.payoutMinor), sum(\.platformMinor)])
        }
        if currencies.isEmpty {
            listing.append([.text("total"), .text(nil), .int(0), .text(nil), .money(0), .money(0), .text(nil), .money(0), .money(0)])
        }
        return listing
    }

    func funnel(by grouping: FunnelReport.Grouping) throws -> Listing {
        let (rows, total) = try funnelResult(by: grouping)
        var listing = Listing([grouping.rawValue, "viewed", "enrolled", "purchased", "refunded", "completed", "view_to_enroll",
                               "enroll_to_purchase", "purchase_to_complete", "days_to_enroll", "days_to_purchase", "days_to_complete"])
        for row in rows + [total] {
            listing.append([.text(row.key), .int(Int64(row.viewed)), .int(Int64(row.enrolled)), .int(Int64(row.purchased)),
                            .int(Int64(row.refunded)), .int(Int64(row.completed))] + row.conversions.map { .number($0, decimals: 3) }
                           + row.medianDays.map { .number($0, decimals: 1) })
        }
        return listing
    }

    /// One row per channel, campaign and currency of their learners' purchases; learner counts on the
    /// first row of each channel and campaign.
    func channels() throws -> Listing {
        var listing = Listing(["channel", "campaign", "acquired", "activated", "paying", "conversion", "second_domain_buyers",
                               "currency", "net"])
        for row in try channelRows() {
            listing.append([.text(row.channel), .text(row.campaign)],
                           shared: [.int(Int64(row.acquired)), .int(Int64(row.activated)), .int(Int64(row.paying)),
                                    .number(row.conversion, decimals: 3), .int(Int64(row.crossDomainBuyers))],
                           perCurrency: row.net.map { ($0.currency, [.money($0.minor)]) }, zero: [.money(0)])
        }
        return listing
    }

    func cohorts(_ measure: CohortReport.Measure) throws -> Listing {
        let rows = try cohortRows(measure)
        let months = min(24, rows.map(\.active.count).max() ?? 0)
        var listing = Listing(["cohort", "learners"] + (0..<months).map { "m\($0)" })
        for row in rows {
            listing.append([.text(row.cohort), .int(Int64(row.learners))] + (0..<months).map { .number(row.share($0), decimals: 3) })
        }
        return listing
    }

    func catalog() throws -> Listing {
        let (rows, total) = try CatalogReport(db).domains(filter)
        var listing = Listing(["domain", "courses", "draft", "published", "archived", "beginner", "intermediate", "advanced",
                               "video", "audio", "ebook", "live", "article", "never_viewed", "never_bought", "tags", "longest_chain"])
        for row in rows + [total] {
            let counts = [row.courses] + row.byStatus + row.byDifficulty + row.byFormat
                + [row.neverViewed, row.neverBought, row.tags, row.longestChain]
            listing.append([.text(row.domain)] + counts.map { .int(Int64($0)) })
        }
        return listing
    }

    /// The courses most learners dismissed in the period (`--limit` of them): learners who dismissed,
    /// those whose dismissal still held at its end, learners who touched the course, the share of those
    /// who dismissed it, and the learners by the reason of their latest dismissal.
    func mostDismissed() throws -> Listing {
        var listing = Listing(["course", "domain", "dismissed", "holding", "touched", "dismiss_share"]
                              + Interaction.Reason.allCases.map(\.rawValue) + ["unspecified"])
        for row in try dismissedCourseRows() {
            let reasons = Interaction.Reason.allCases.map { row.reasons[$0] ?? 0 } + [row.unspecified]
            listing.append([.text(row.slug), .text(row.domain), .int(Int64(row.dismissed)), .int(Int64(row.holding)),
                            .int(Int64(row.touched)), .number(row.share, decimals: 3)] + reasons.map { .int(Int64($0)) })
        }
        return listing
    }

    func dismissedCourseRows() throws -> [DismissedCourseRow] {
        if let known = results.dismissedCourses { return known }
        let result = try CatalogReport(db).mostDismissed(filter, limit: options.courseLimit)
        results.dismissedCourses = result
        return result
    }

    func recommendationRows() throws -> [RecommendationReportRow] {
        if let known = results.recommendations { return known }
        let result = try RecommendationReport(db).rows(filter)
        results.recommendations = result
        return result
    }

    /// Each active model's cache, with the served courses its learners dismissed in the period
    /// (`dismissed`) and their share of the cached rows (`dismiss_rate`).
    func recommendations() throws -> Listing {
        var listing = Listing(["algorithm", "run", "trained_at", "learners", "rows", "coverage", "creator_gini", "domain_gini",
                               "ndcg@10", "precision@10", "dismissed", "dismiss_rate"])
        for row in try recommendationRows() {
            listing.append([.text(row.algorithm.rawValue), .int(row.runID), .text(Timestamp.format(row.finishedAt)),
                            .int(Int64(row.learners)), .int(Int64(row.rows)), .number(row.coverage, decimals: 3),
                            .number(row.creatorGini, decimals: 3), .number(row.domainGini, decimals: 3),
                            .number(row.ndcgAt10, decimals: 4), .number(row.precisionAt10, decimals: 4),
                            .int(Int64(row.dismissed)), .number(row.dismissRate, decimals: 4)])
        }
        return listing
    }

    /// Every experiment's variants: learners, impressions, click-through, conversion, the p-value of the
    /// conversion difference against the first variant, impressions followed by a dismissal within the
    /// window and their share of impressions with its 95% interval (blank with no impressions), and
    /// revenue per learner in each currency (one row per currency, the other figures on the first).
    func experiments() throws -> Listing {
        var listing = Listing(["experiment", "status", "variant", "algorithm", "learners", "impressions", "click_through",
                               "conversion", "p_value", "dismissed", "dismiss_rate", "dismiss_low", "dismiss_high",
                               "currency", "revenue_per_learner"])
        let service = ExperimentService(db)
        for experiment in try ExperimentStore(db).list() {
            for variant in try service.report(name: experiment.name).variants {
                listing.append([.text(experiment.name), .text(experiment.status), .text(variant.outcome.variant)],
                               shared: [.text(variant.outcome.algorithm.rawValue), .int(Int64(variant.outcome.learners)),
                                        .int(Int64(variant.outcome.impressions)), .number(variant.clickThrough.rate, decimals: 3),
                                        .number(variant.conversion.rate, decimals: 3), .number(variant.test?.p, decimals: 3),
                                        .int(Int64(variant.outcome.dismissals)), .number(variant.dismissal?.rate, decimals: 3),
                                        .number(variant.dismissal?.low, decimals: 3), .number(variant.dismissal?.high, decimals: 3)],
                               perCurrency: variant.revenuePerLearner.map { ($0.currency, [.money($0.minor)]) }, zero: [.money(0)])
            }
        }
        return listing
    }

    /// Each campaign (`audience --campaign`): how many targeted and held-out learners enrolled in or
    /// bought the course after it, each rate with its 95% interval, the uplift (targeted minus held
    /// out) with its 95% interval, and the two-sided p-value of a two-proportion z-test.
    func campaigns() throws -> Listing {
        var listing = Listing(["campaign", "course", "method", "created", "targeted", "converted", "rate", "held_out",
                               "held_out_converted", "held_out_rate", "uplift", "uplift_low", "uplift_high", "p_value"])
        for row in try CampaignStore(db).outcomes(name: options.campaign) {
            let uplift = CampaignUplift(row)
            listing.append([.text(row.campaign.name), .text(row.courseSlug), .text(row.campaign.method),
                            .text(Timestamp.formatDate(row.campaign.createdAt)), .int(Int64(row.targeted)),
                            .int(Int64(row.targetedConverted)), .number(uplift.targeted.rate, decimals: 4),
                            .int(Int64(row.heldOut)), .int(Int64(row.heldOutConverted)), .number(uplift.heldOut.rate, decimals: 4),
                            .number(uplift.difference, decimals: 4), .number(uplift.low, decimals: 4),
                            .number(uplift.high, decimals: 4), .number(uplift.p, decimals: 4)])
        }
        return listing
    }

    /// Each segment's learners, paying learners and completion rate, and its net revenue (per learner
    /// too) in each currency, one row per currency.
    func segments() throws -> Listing {
        var listing = Listing(["segment", "learners", "paying", "completion_rate", "currency", "net", "net_per_learner"])
        for row in try SegmentReport(db).rows(filter) {
            listing.append([.text(row.segment)],
                           shared: [.int(Int64(row.learners)), .int(Int64(row.paying)), .number(row.completionRate, decimals: 3)],
                           perCurrency: zip(row.net, row.netPerLearner).map { ($0.currency, [.money($0.minor), .money($1.minor)]) },
                           zero: [.money(0), .money(0)])
        }
        return listing
    }

    /// The learners who spent most in each currency, under pseudonyms unless personal data was asked for.
    func learners() throws -> Listing {
        let report = LearnerReport(db)
        var rows = try report.top(filter, limit: options.learnerLimit)
        var columns = ["learner", "channel", "campaign", "cohort", "currency", "purchases", "refunds", "net", "completed", "domains",
                       "last_active"]
        if options.includePersonalData {
            rows = try report.personalData(for: rows)
            columns.insert(contentsOf: ["external_id", "name", "email"], at: 1)
        }
        let pseudonyms = try Pseudonyms(hexKey: report.pseudonymKey())
        var listing = Listing(columns)
        for row in rows {
            var cells: [Listing.Cell] = [.text(pseudonyms.pseudonym(forLearner: row.userID))]
            if options.includePersonalData { cells += [.text(row.externalID), .text(row.displayName), .text(row.email)] }
            cells += [.text(row.channel), .text(row.campaign), .text(row.cohort), .text(row.currency), .int(Int64(row.purchases)),
                      .int(Int64(row.refunds)), .money(row.netMinor), .int(Int64(row.completed)), .int(Int64(row.domains)),
                      .text(row.lastActive.map(Timestamp.formatDate))]
            listing.append(cells)
        }
        return listing
    }
}
