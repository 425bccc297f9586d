import ArgumentParser
import Foundation
import LecternCore
import LecternReports
import LecternStore

extension Lectern {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reports with exact figures: sales, payouts, funnel, channels, cohorts, catalog, recommendations, learners, organisations, campaigns.",
            discussion: """
                sales: orders, gross, refunds, net revenue and average price, by day, week, month, course, \
                domain or creator (--by); organisations' seat purchases are rows of their own, marked (seats) \
                (left out under --domain, --creator, --channel or --segment). creators: each creator's net revenue, \
                their part of the seat revenue (split by their courses' share of members' enrolments and completions), \
                revenue share, the payout owed and the platform's part; their totals reconcile with sales to the cent. Money is in each \
                course's own currency, in its major unit (49.90), with a currency column beside it; money in two \
                currencies is never added or converted, so a key sold in two currencies has a row for each and \
                totals are per currency. funnel: learner-course pairs that viewed, enrolled \
                (or bought), bought and completed, the conversion at each step and the median days between \
                steps, by course, domain or channel (--by; default domain). channels: learners acquired, \
                activated, paying, net revenue and conversion by acquisition channel and campaign, and how many \
                bought in a second domain. cohorts: activity or repurchase share by signup month. catalog: courses by \
                domain, status, difficulty and format, never viewed or bought, tags, prerequisite chains, \
                then the courses most learners dismissed (--limit), with their reasons. recommendations: active models' reach, \
                coverage, exposure Gini over creators and domains, latest offline metrics, and the share of served courses \
                dismissed after training (within --since/--until). experiments: A/B variants with conversion, p-values and \
                dismiss rate with its 95% interval. segments: learners, paying, net \
                revenue per learner and completion rate by segment. learners: top spenders in each currency, \
                under pseudonyms (a keyed hash stable for this database) unless --include-personal-data is given. \
                crossover: domain x domain; of the learners whose first purchase (within --since/--until, of --channel) \
                was in one domain, how many later bought in another (purchases not refunded), their share, the median \
                days between, the net revenue of those later purchases per currency and the top channels that brought \
                them; in html a heat map. \
                org (needs --org): per team, members, seats in use, assignments completed on time, late and overdue, \
                completion rate and median days to complete; skill coverage at the start and now; members under \
                pseudonyms; spend on seats per completion (CSV holds the teams). \
                campaigns: each marketing campaign (`audience --campaign`, or --campaign NAME for one): targeted and \
                held-out learners, how many of each enrolled in or bought the course afterwards, both rates, the \
                uplift (targeted minus held out) with its 95% interval and a two-proportion z-test's p-value. \
                all: every report (org with --org, or in html a section per organisation); with --format html one \
                self-contained page with charts (no network, no scripts).
                """)

        enum Kind: String, ExpressibleByArgument, CaseIterable {
            case sales, creators, funnel, channels, cohorts, catalog, recommendations, experiments, segments, learners, crossover, org, campaigns, all
        }
        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, md, html }

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "sales, creators, funnel, channels, cohorts, catalog, recommendations, experiments, segments, learners, crossover, org, campaigns or all.")
        var kind: Kind
        @Option(help: "org: the organisation (slug).") var org: String?
        @Option(help: "campaigns: only this campaign.") var campaign: String?
        @Option(help: "From this date on (inclusive).") var since: String?
        @Option(help: "Before this date (exclusive).") var until: String?
        @Option(help: "Only this domain.") var domain: String?
        @Option(help: "Only this creator (id or name).") var creator: String?
        @Option(help: "Only learners acquired through this channel.") var channel: String?
        @Option(help: "Only learners in this segment (see `lectern segments build`).") var segment: String?
        @Option(help: "sales: day, week, month (default), course, domain or creator; funnel: course, domain (default) or channel.")
        var by: String?
        @Option(help: "cohorts: activity or purchase.") var measure: CohortReport.Measure = .activity
        @Option(help: "learners: how many to list; catalog: how many of the most dismissed courses.") var limit: Int = 20
        @Flag(help: "Show learners' external id, name and e-mail instead of pseudonyms.") var includePersonalData = false
        @Option(help: "table, csv, json, md or html.") var format: Format = .table
        @Option(help: "Write to this file instead of standard output.") var out: String?

        func validate() throws {
            if limit < 1 { throw ValidationError("--limit must be at least 1") }
            if kind == .all, format == .csv { throw ValidationError("csv holds one table: name a report, or use --format md, json or html for all") }
            if kind == .org, org == nil { throw ValidationError("report org needs --org ORG: an organisation's slug (lectern org list shows them)") }
            if org != nil, kind != .org, kind != .all { throw ValidationError("--org applies to org and all, not \(kind.rawValue)") }
            if campaign != nil, kind != .campaigns { throw ValidationError("--campaign applies to campaigns, not \(kind.rawValue)") }
            if kind == .crossover, domain != nil || creator != nil || segment != nil {
                throw ValidationError("crossover takes --since, --until and --channel, not --domain, --creator or --segment")
            }
        }

        func run() throws {
            let since = try self.since.map { try parseTime($0, option: "--since") }
            let until = try self.until.map { try parseTime($0, option: "--until") }
            if let since, let until, since > until { throw CommandFailure("--since is after --until") }
            var options = ReportOptions(filter: ReportFilter(since: since, until: until, domain: domain, channel: channel, segment: segment))
            if let by {
                switch kind {
                case .sales:
                    guard let grouping = SalesReport.Grouping(rawValue: by) else {
                        throw CommandFailure("unknown --by '\(by)' for sales: use day, week, month, course, domain or creator")
                    }
                    options.salesGrouping = grouping
                case .funnel:
                    guard let grouping = FunnelReport.Grouping(rawValue: by) else {
                        throw CommandFailure("unknown --by '\(by)' for funnel: use course, domain or channel")
                    }
                    options.funnelGrouping = grouping
                default:
                    throw CommandFailure("--by applies to sales and funnel, not \(kind.rawValue)")
                }
            }
            options.cohortMeasure = measure
            options.learnerLimit = limit
            options.courseLimit = limit
            options.includePersonalData = includePersonalData
            options.org = org
            options.campaign = campaign
            let db = try database.openEitherEngine(mustExist: true)
            if let org { _ = try OrganisationRepository(db).resolve(org) }
            if let creator { options.filter.creatorID = try CreatorRepository(db).resolve(creator).id }
            if let segment, try !SegmentStore(db).segmentExists(named: segment) {
                throw StoreError(.notFound, "no segment '\(segment)' (see `lectern segments list`)")
            }
            // Events recorded since the last refresh are folded into the rollups first (reports would read
            // them raw, exactly, but each time).
            if kind != .org { try ReportRollups(db).refreshIfPossible() }
            let builder = ReportBuilder(db, options: options)
            // `all` covers organisations in html (a section each) or with --org; other formats need one.
            let kinds: [ReportKind] = kind == .all ? ReportKind.allCases.filter { $0 != .org || format == .html || org != nil }
                : [ReportKind(rawValue: kind.rawValue)!]
            let text: String
            switch format {
            case .html:
                // The file's name; on PostgreSQL `user@host:port/database` (never the password).
                let source = db.engine == .sqlite ? URL(fileURLWithPath: db.path).lastPathComponent : db.path
                text = try HTMLReport(builder, source: source, generatedAt: Int64(Date().timeIntervalSince1970)).render(kinds)
            case .table, .md:
                let parts = try kinds.map { kind -> String in
                    let body = try builder.text(kind, markdown: format == .md)
                    if kinds.count == 1 { return body }
                    return (format == .md ? "## \(kind.rawValue)\n\n" : "\(kind.rawValue.uppercased())\n\n") + body
                }
                text = parts.joined(separator: "\n")
            case .json:
                if kinds.count == 1 {
                    text = try builder.json(kinds[0])
                } else {
                    let reports = JSONObject(try kinds.map { ($0.rawValue, try builder.jsonValue($0)) }, layout: ReportJSON.objectLayout)
                    text = try JSONWriter.text(of: reports) + "\n"
                }
            case .csv:
                // CSV holds one table: the catalog's domains (its most dismissed courses are in the other formats).
                text = try builder.listing(kinds[0]).rendered(.csv)
            }
            guard let out else {
                print(text, terminator: "")
                return
            }
            // Written beside the target and renamed, so a failure leaves no partial file (a device
            // such as /dev/stdout is written in place).
            try OutputPath.write(Data(text.utf8), to: out)
            print(kind == .all ? "Wrote every report to \(out)" : "Wrote the \(kind.rawValue) report to \(out)")
        }
    }
}


extension CohortReport.Measure: ExpressibleByArgument {}
