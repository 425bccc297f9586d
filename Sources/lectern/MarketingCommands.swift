import ArgumentParser
import LecternReports
import LecternService
import LecternStore

extension Lectern {
    struct Bundles: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Course pairs and triples taken together more than chance: what to sell as a bundle.",
            discussion: """
                A course is taken when a learner enrolled in or bought it and it was not refunded since (a purchase \
                refunded later does not count); forgotten learners are left out, and so are learners who took more \
                than --max-basket courses. For courses A and B among N learners: learners = took both; support = \
                learners / N; confidence_a_b = learners / took A, confidence_b_a = learners / took B; lift = \
                learners x N / (took A x took B), 1 being chance. lift_low is a 95% lower bound on the lift \
                (log-normal, delta method): lift x exp(-1.96 x sqrt(1/learners - 1/took A - 1/took B + (2 lift - 1)/N)). \
                A bundle needs at least --min-learners learners and lift_low above 1, so three learners never make \
                one and neither does a small lift on few learners. Triples are grown from the pairs that pass \
                (apriori): all three pairs must pass, and the triple is measured on its weakest rule, part_a (two \
                courses) -> part_b (the third), and must pass the same guards. path: every two of the courses are in \
                one prerequisite chain. Only published courses are listed, strongest lift_low first. \
                --discount P: bundle_price is the sum of the current prices less P%, in the courses' currency; \
                expected_revenue = (took A only x confidence_a_b x B's price less P%) + (took B only x \
                confidence_b_a x A's price less P%): the learners who own one part, buying the other at the rate those \
                who own it did. Courses in two currencies get neither (money is never summed across currencies). \
                The cost grows with the events (each learner's courses are counted in pairs), not with courses².
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The fewest learners who took every course of a bundle.") var minLearners = 10
        @Flag(help: "Only bundles whose courses are not all in one domain.") var crossDomain = false
        @Option(help: "Only bundles with this course (slug or id).") var course: String?
        @Option(help: "How many bundles to list.") var limit = 20
        @Option(help: "A bundle price this many percent under the sum of the prices (0-100), with its expected revenue.")
        var discount: Double?
        @Option(help: "Leave out learners who took more courses than this.") var maxBasket = 200

        func validate() throws {
            if minLearners < 1 { throw ValidationError("--min-learners must be at least 1, got \(minLearners)") }
            if limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
            if maxBasket < 2 { throw ValidationError("--max-basket must be at least 2, got \(maxBasket)") }
            if let discount, !(0...100).contains(discount) {
                throw ValidationError("--discount must be a percentage from 0 to 100, got \(discount)")
            }
        }

        func run() throws {
            let db = try database.openEitherEngine(mustExist: true)
            var options = BundleOptions()
            options.minLearners = minLearners
            options.crossDomain = crossDomain
            options.limit = limit
            options.discountPercent = discount
            options.maxBasket = maxBasket
            if let course { options.courseID = try CourseRepository(db).resolve(course).id }
            let result = try MarketingService(db).bundles(options)
            var columns = ["courses", "path", "domains", "learners", "support", "part_a", "part_b", "confidence_a_b",
                           "confidence_b_a", "lift", "lift_low"]
            if discount != nil { columns += ["currency", "bundle_price", "expected_revenue"] }
            var listing = Listing(columns)
            for row in result.rows {
                let a = row.association
                var cells: [Listing.Cell] = [
                    .text(row.courses.map(\.slug).joined(separator: " + ")), .text(row.isPath ? "yes" : "no"),
                    .text(Array(Set(row.courses.map(\.domain))).sorted().joined(separator: ", ")), .int(Int64(a.both)),
                    .number(a.support, decimals: 6), .text(row.first.map(\.slug).joined(separator: " + ")),
                    .text(row.second.map(\.slug).joined(separator: " + ")), .number(a.confidenceForward, decimals: 3),
                    .number(a.confidenceBackward, decimals: 3), .number(a.lift, decimals: 2), .number(row.liftLowerBound, decimals: 2),
                ]
                if discount != nil {
                    cells += [.text(row.bundlePrice?.currency), .money(row.bundlePrice?.minor), .money(row.expectedRevenue?.minor)]
                }
                listing.append(cells)
            }
            print(listing.rendered(output.format), terminator: "")
        }
    }

    struct Partners: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pairs of creators whose audiences overlap beyond chance: whom to pair for co-marketing.",
            discussion: """
                A creator's audience is the learners who took (enrolled in or bought, not refunded since) any of their \
                courses; forgotten learners are left out. shared = learners in both audiences; lift = shared x N / \
                (audience_a x audience_b) over the N learners who took anything; lift_low its 95% lower bound, as in \
                `lectern bundles --help`. A pair needs --min-shared learners and lift_low above 1, and the strongest \
                lift_low comes first: the pairs most surely sharing an audience. a_earned_via_b is what creator A \
                earned (their revenue share of the net paid for their courses) from shared learners whose first \
                course with B came before their first with A; b_earned_via_a the other way. Money is per currency: a \
                pair with earnings in two currencies takes a row for each.
                """)

        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: FormatOptions
        @Option(help: "The fewest learners two creators must share.") var minShared = 10
        @Option(help: "Only pairs with this creator (id or name).") var creator: String?
        @Option(help: "How many pairs to list.") var limit = 20

        func validate() throws {
            if minShared < 1 { throw ValidationError("--min-shared must be at least 1, got \(minShared)") }
            if limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        }

        func run() throws {
            let db = try database.openEitherEngine(mustExist: true)
            let creatorID = try creator.map { try CreatorRepository(db).resolve($0).id }
            let result = try MarketingService(db).partners(minShared: minShared, creatorID: creatorID, limit: limit)
            var listing = Listing(["creator_a", "creator_b", "shared", "audience_a", "audience_b", "lift", "lift_low", "currency",
                                   "a_earned_via_b", "b_earned_via_a"])
            for row in result.rows {
                let a = row.association
                let currencies = Set((row.firstEarnedViaSecond + row.secondEarnedViaFirst).map(\.currency)).sorted()
                func minor(_ amounts: [Money.Amount], _ currency: String) -> Int64 {
                    amounts.first { $0.currency == currency }?.minor ?? 0
                }
                listing.append([.text(row.first.name), .text(row.second.name)],
                               shared: [.int(Int64(a.both)), .int(Int64(a.first)), .int(Int64(a.second)), .number(a.lift, decimals: 2),
                                        .number(row.liftLowerBound, decimals: 2)],
                               perCurrency: currencies.map { currency in
                                   (currency, [.money(minor(row.firstEarnedViaSecond, currency)),
                                               .money(minor(row.secondEarnedViaFirst, currency))])
                               },
                               zero: [.money(0), .money(0)])
            }
            print(listing.rendered(output.format), terminator: "")
        }
    }
}
