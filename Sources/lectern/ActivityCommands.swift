import ArgumentParser
import LecternCore
import LecternReports
import LecternStore

extension Interaction.Kind: ExpressibleByArgument {}

extension Lectern {
    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record what a learner did: view, wishlist, enroll, purchase, complete, rate, refund or dismiss.",
            discussion: """
                A purchase without --amount is charged the course price; a refund without --amount returns \
                what was paid. With --key, a retried event is recorded once.

                dismiss is a learner's "not for me": the course leaves their lists at once (no retraining), \
                courses most like it move down, and it stays out until they view, wishlist, enroll in or \
                buy it later. Dismissing a course again before that records nothing new.
                """)

        @OptionGroup var database: DatabaseOptions
        @Argument(help: "view, wishlist, enroll, purchase, complete, rate, refund or dismiss.") var kind: Interaction.Kind
        @Option(help: "The learner's external id.") var user: String
        @Option(help: "The course's slug or id.") var course: String
        @Option(help: "When it happened (default now), such as 2025-03-01T09:30:00Z.") var at: String?
        @Option(help: "Where the event came from (web, app, email, a partner...).") var channel: String?
        @Option(parsing: .unconditional, help: "Amount paid or refunded, such as 49.90 (purchase, refund).") var amount: String?
        @Option(help: "Rating from 1 to 5 (rate).") var rating: Int?
        @Option(help: "Why, for dismiss: \(Interaction.Reason.names).") var reason: String?
        @Option(help: "An idempotency key: an event with a key already recorded is not recorded again.") var key: String?

        func run() throws {
            let db = try database.openEitherEngine()
            // The rules live in ActivityService; the command only reads the amount as money.
            let event = try ActivityService.check(EventInput(
                user: user, course: course, kind: kind.rawValue, rating: rating.map(Int64.init),
                amountMinor: try amount.map { try parseMinorUnits($0, what: "--amount") },
                at: at, channel: channel, idempotencyKey: key, reason: reason), now: currentUnixTime(), fields: .cli)
            let outcome = try ActivityService(db).record(event)
            let learner = try LearnerRepository(db).resolve(user)
            let found = try CourseRepository(db).resolve(course)
            switch outcome {
            case .recorded(let id):
                print("Recorded \(kind.rawValue) \(id): \(learner.externalID) → \(found.slug)")
            case .duplicate(let key):
                print("Already recorded (key \(key)); nothing changed.")
            case .sameEvent(let id):
                if kind == .dismiss {
                    print("Already dismissed as event \(id), and not taken back since; nothing changed.")
                } else {
                    print("Already recorded as event \(id) (the same learner, course, kind, time and value); nothing changed.")
                }
            }
        }
    }

    struct Activity: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recorded interactions, newest first.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "Only this learner (external id).") var user: String?
        @Option(help: "Only this course (slug or id).") var course: String?
        @Option(help: "Only this kind.") var kind: Interaction.Kind?
        @Option(help: "From this time on.") var since: String?
        @Option(help: "Before this time.") var until: String?
        @Option(help: "Show at most this many.") var limit: Int = 50

        func validate() throws {
            if limit < 0 { throw ValidationError("--limit cannot be negative") }
        }

        func run() throws {
            let db = try database.openEitherEngine()
            let since = try self.since.map { try parseTime($0, option: "--since") }
            let until = try self.until.map { try parseTime($0, option: "--until") }
            if let since, let until, since > until { throw CommandFailure("--since is after --until") }
            let records = try InteractionRepository(db).list(InteractionFilter(
                userID: try user.map { try LearnerRepository(db).resolve($0).id },
                courseID: try course.map { try CourseRepository(db).resolve($0).id },
                kind: kind, since: since, until: until, limit: limit))
            var listing = Listing(["id", "occurred_at", "user", "course", "kind", "currency", "value", "channel", "reason"])
            // A purchase or refund is in its course's currency, looked up once per course listed.
            var currencies: [Int64: String] = [:]
            for r in records {
                let i = r.interaction
                var currency: String?
                if i.kind == .purchase || i.kind == .refund {
                    if currencies[i.courseID] == nil { currencies[i.courseID] = try CourseRepository(db).find(id: i.courseID)?.currency }
                    currency = currencies[i.courseID]
                }
                let value: Listing.Cell = i.kind == .rate ? .int(i.value) : .money(i.value)
                listing.append([.int(i.id), .text(Timestamp.format(i.occurredAt)), .text(r.userExternalID),
                                .text(r.courseSlug), .text(i.kind.rawValue), .text(currency), value, .text(i.channel),
                                .text(i.reason?.rawValue)])
            }
            print(listing.rendered(output.format), terminator: "")
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Summarise the catalog and activity: totals, domains and best sellers.")

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "How many best sellers to show in each currency.") var top: Int = 10

        func run() throws {
            let db = try database.openEitherEngine()
            let queries = ActivityQueries(db)
            let totals = try queries.totals()
            if output.format == .table {
                let span = totals.first.map { "\(Timestamp.formatDate($0)) to \(Timestamp.formatDate(totals.last ?? $0))" } ?? "none yet"
                print("""
                    \(totals.creators) creators, \(totals.courses) courses (\(totals.published) published), \
                    \(totals.users) learners, \(totals.interactions) interactions (\(span))

                    """)
                var kinds = Listing(["kind", "count"])
                for (kind, count) in try InteractionRepository(db).countsByKind() { kinds.append([.text(kind), .int(Int64(count))]) }
                print("Activity by kind")
                print(kinds.rendered(.table))
            }
            // Revenue is per currency: a domain with courses in two currencies has a row for each, and the
            // best sellers are ranked within each currency.
            var domains = Listing(["domain", "currency", "courses", "learners", "purchases", "net_revenue"])
            for d in try queries.domains() {
                domains.append([.text(d.domain), .text(d.currency), .int(Int64(d.courses)), .int(Int64(d.learners)),
                                .int(Int64(d.purchases)), .money(d.netRevenueMinor)])
            }
            var top = Listing(["course", "domain", "currency", "purchases", "refunds", "net_revenue"])
            for c in try queries.topCourses(limit: self.top) {
                top.append([.text(c.slug), .text(c.domain), .text(c.currency), .int(Int64(c.purchases)), .int(Int64(c.refunds)),
                            .money(c.netRevenueMinor)])
            }
            switch output.format {
            case .table:
                print("Domains by net revenue, per currency")
                print(domains.rendered(.table))
                print("Best sellers in each currency")
                print(top.rendered(.table), terminator: "")
            case .json:
                // {"domains": [...],\n"best_sellers": [...]}: each listing one row per line.
                let layout = JSONLayout(open: "", separator: ",\n", close: "")
                print(try JSONWriter.text(of: JSONObject([("domains", domains), ("best_sellers", top)], layout: layout)))
            case .csv:
                print(domains.rendered(.csv), terminator: "")
            }
        }
    }
}
