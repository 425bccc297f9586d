import ArgumentParser
import LecternReports
import LecternStore

extension Lectern {
    struct UserCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user",
            abstract: "Manage learners.",
            subcommands: [Add.self, Update.self, Show.self, List.self, Profile.self, Forget.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Register a learner.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The storefront's id for the learner (unique).") var externalID: String
            @Option(help: "Display name.") var name: String = ""
            @Option(help: "Email address.") var email: String?
            @Option(help: "Two-letter country code.") var country: String?
            @Option(help: "Comma-separated declared interests (domains or tags).") var interests: String?
            @Option(help: "Acquisition channel: search, social_video, messaging, partner, referral, direct...") var channel: String = "direct"
            @Option(help: "Acquisition campaign.") var campaign: String?
            @Option(help: "Signup time (default now).") var at: String?
            @Flag(help: "The learner agreed to hear about courses (marketing consent; off unless given).")
            var marketingOptIn = false

            func run() throws {
                let db = try database.openEitherEngine()
                let learner = try LearnerRepository(db).create(Learner(
                    externalID: externalID, displayName: name, email: email, country: country,
                    interests: splitList(interests), channel: channel, campaign: campaign,
                    createdAt: try at.map { try parseTime($0, option: "--at") } ?? 0, marketingOptIn: marketingOptIn))
                print("Added learner \(learner.id): \(learner.externalID) (via \(learner.channel))")
            }
        }

        struct Update: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Change a learner; options left out keep their value.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The learner's external id.") var externalID: String
            @Option(name: .customLong("external-id"), help: "A new external id.") var newExternalID: String?
            @Option(help: "Display name.") var name: String?
            @Option(help: "Email address (empty to remove).") var email: String?
            @Option(help: "Two-letter country code (empty to remove).") var country: String?
            @Option(help: "Comma-separated declared interests, replacing the current ones.") var interests: String?
            @Option(help: "Acquisition channel.") var channel: String?
            @Option(help: "Acquisition campaign (empty to remove).") var campaign: String?
            @Flag(inversion: .prefixedNo, help: "Record (or withdraw) the learner's marketing consent.")
            var marketingOptIn: Bool?

            func run() throws {
                let db = try database.openEitherEngine()
                let learners = LearnerRepository(db)
                var learner = try learners.resolve(externalID)
                if let newExternalID { learner.externalID = newExternalID }
                if let name { learner.displayName = name }
                if let email { learner.email = email }
                if let country { learner.country = country }
                if let interests { learner.interests = splitList(interests) }
                if let channel { learner.channel = channel }
                if let campaign { learner.campaign = campaign }
                if let marketingOptIn { learner.marketingOptIn = marketingOptIn }
                try learners.update(learner)
                print("Updated learner \(learner.id): \(learner.externalID)")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show a learner with their activity and spend.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The learner's external id.") var externalID: String

            func run() throws {
                let db = try database.openEitherEngine()
                let learner = try LearnerRepository(db).resolve(externalID)
                let activity = ActivityQueries(db)
                let counts = try activity.countsByKind(userID: learner.id)
                var fields: [(String, Listing.Cell)] = [
                    ("id", .int(learner.id)), ("external_id", .text(learner.externalID)),
                    ("display_name", .text(learner.displayName)), ("email", .text(learner.email)),
                    ("country", .text(learner.country)), ("interests", .list(learner.interests)),
                    ("channel", .text(learner.channel)), ("campaign", .text(learner.campaign)),
                    ("created_at", .text(Timestamp.format(learner.createdAt))),
                    ("marketing_opt_in", .text(learner.marketingOptIn ? "yes" : "no")),
                ]
                for kind in Interaction.Kind.allCases {
                    fields.append(("\(kind.rawValue)s", .int(counts[kind.rawValue] ?? 0)))
                }
                fields.append(("net_spend", .amounts(try activity.netSpend(userID: learner.id))))
                print(Listing.record(fields, format: output.format), terminator: "")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List learners, filtered and paged.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Option(help: "Only this acquisition channel.") var channel: String?
            @Option(help: "Only this campaign.") var campaign: String?
            @Option(help: "Only this country.") var country: String?
            @Option(help: "Text in the external id, name or email.") var search: String?
            @Option(help: "Show at most this many.") var limit: Int?
            @Option(help: "Skip this many first.") var offset: Int = 0

            func validate() throws {
                if let limit, limit < 0 { throw ValidationError("--limit cannot be negative") }
                if offset < 0 { throw ValidationError("--offset cannot be negative") }
            }

            func run() throws {
                let db = try database.openEitherEngine()
                let learners = try LearnerRepository(db).list(LearnerFilter(
                    channel: channel, campaign: campaign, country: country, text: search, limit: limit, offset: offset))
                var listing = Listing(["id", "external_id", "display_name", "country", "channel", "campaign", "interests", "created_at"])
                for l in learners {
                    listing.append([.int(l.id), .text(l.externalID), .text(l.displayName), .text(l.country), .text(l.channel),
                                    .text(l.campaign), .list(l.interests), .text(Timestamp.formatDate(l.createdAt))])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Forget: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Erase a learner: personal data, activity, interests, segment and cached recommendations.",
                discussion: """
                    Everything about the learner goes in one transaction: the learner row (external id, name, \
                    e-mail, country, channel), views, enrolments, completions, ratings and wishlists, declared \
                    interests, segment, cached recommendations, experiment impressions and latent factors. \
                    Purchases and refunds are kept because the accounts need them (sales, creator payouts): \
                    they move to one shared anonymous learner, with no idempotency key or channel, so nothing \
                    links them to the person. Afterwards the learner is in no export, report or cache. \
                    Freed database pages are zeroed, and the write-ahead log is emptied and truncated (waiting \
                    for readers such as `lectern serve` up to the busy timeout), so no byte of the person is \
                    left in the files; if a reader holds old pages throughout, the output says the wipe is \
                    pending. This cannot be undone.
                    """)

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The learner's external id.") var externalID: String

            func run() throws {
                let db = try database.openEitherEngine(mustExist: true)
                let summary = try LearnerRepository(db).forget(externalID: externalID)
                let fields: [(String, Listing.Cell)] = [
                    ("forgotten", .text(externalID)),
                    ("interactions_deleted", .int(Int64(summary.interactionsDeleted))),
                    ("purchases_and_refunds_kept_anonymously", .int(Int64(summary.moneyEventsAnonymized))),
                    ("interests_deleted", .int(Int64(summary.interestsDeleted))),
                    ("cached_recommendations_deleted", .int(Int64(summary.cachedRecommendationsDeleted))),
                    ("impressions_deleted", .int(Int64(summary.impressionsDeleted))),
                    ("factors_deleted", .int(Int64(summary.factorsDeleted))),
                    ("segment_assignments_deleted", .int(Int64(summary.segmentAssignmentsDeleted))),
                    ("organisation_memberships_deleted", .int(Int64(summary.membershipsDeleted))),
                    ("course_assignments_deleted", .int(Int64(summary.courseAssignmentsDeleted))),
                    ("wiped_from_disk", .text(summary.wiped ? "yes"
                        : "pending: a reader kept old pages in the write-ahead log; lectern serve wipes them within seconds of the reader finishing, or the next forget does")),
                ]
                print(Listing.record(fields, format: output.format), terminator: "")
            }
        }
    }
}
