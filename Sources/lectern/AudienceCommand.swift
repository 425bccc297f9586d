import ArgumentParser
import Foundation
import LecternRecommender
import LecternReports
import LecternService
import LecternStore

extension AudienceMethod: ExpressibleByArgument {}

/// `lectern audience`: who to tell about a course.
struct AudienceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audience",
        abstract: "List the learners most likely to take a course who have not: who to tell about it.",
        discussion: """
            The reverse of `recommend`, from the trained models. By default a course with item-kNN \
            neighbours (after `lectern train`) is given to the owners of those neighbours, each weighted \
            by its similarity; a course nobody has taken yet goes by its text (the owners of the courses \
            most like it) and by learners' declared interests. --method als scores every learner's ALS \
            vector against the course's instead. Learners who took the course, returned it or said \
            "not for me" to it are never listed.

            Without --export everyone is listed, for analysis, under pseudonyms. --export FILE writes \
            only learners who opted in to marketing (`user add --marketing-opt-in`, the import column \
            marketing_opt_in), under pseudonyms unless --include-personal-data; a .json name writes \
            JSON, any other CSV. The file is written whole or not at all.

            --campaign NAME records the export as a campaign: a seeded random --holdout of the audience \
            (0-50%) is kept out of the file, so `lectern report campaigns` can later compare how many \
            of the targeted and of the held-out learners took the course: the campaign's uplift.
            """
    )

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var output: FormatOptions
    @Option(help: "The course (slug or id).") var course: String
    @Option(help: "How many learners to list (or export).") var limit = 20
    @Option(help: "itemknn, als or content (default: itemknn when the course has neighbours, else content).")
    var method: AudienceMethod?
    @Option(help: ArgumentHelp("Write the opted-in audience to this file.", valueName: "file")) var export: String?
    @Flag(help: "Name learners (external id, name, email) instead of pseudonyms.") var includePersonalData = false
    @Option(help: "Record the export as this campaign (needs --export).") var campaign: String?
    @Option(help: ArgumentHelp("With --campaign: the share of the audience held out, 0-50% (such as 10%).", valueName: "percent"))
    var holdout: String?
    @Option(help: "With --campaign: the seed of the holdout draw.") var seed: UInt64 = 42

    func validate() throws {
        if campaign != nil, export == nil { throw ValidationError("--campaign needs --export FILE: a campaign is a list sent") }
        if holdout != nil, campaign == nil { throw ValidationError("--holdout needs --campaign NAME") }
        if limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() throws {
        let db = try database.openEitherEngine()
        let service = AudienceService(db)
        let pseudonyms = Pseudonyms(hexKey: try LearnerReport(db).pseudonymKey())
        let name: (AudienceContact) -> String = { includePersonalData ? $0.externalID : pseudonyms.pseudonym(forLearner: $0.id) }
        guard let export else {
            let result = try service.audience(course: course, limit: limit, method: method)
            var listing = Listing(["rank", "learner", "opted_in", "score", "reason"])
            for (rank, entry) in result.entries.enumerated() {
                listing.append([.int(Int64(rank + 1)), .text(name(entry.contact)), .text(entry.contact.marketingOptIn ? "yes" : "no"),
                                .number(entry.score, decimals: 4), .text(entry.reason)])
            }
            print(listing.rendered(output.format), terminator: "")
            if output.format == .table {
                FileHandle.standardError.write(Data("\(result.course.slug): \(result.entries.count) learners by \(result.method.rawValue); \(result.takers) took it\n".utf8))
            }
            return
        }
        let write: ([AudienceEntry]) throws -> Void = { entries in
            try OutputPath.write(Data(exportListing(entries, name: name).rendered(Self.format(of: export)).utf8), to: export)
        }
        if let campaign {
            let share = try holdout.map(Self.parsePercent) ?? 0
            let launched = try service.launch(CampaignPlan(name: campaign, holdout: share, seed: seed), course: course,
                                              limit: limit, method: method, write: write)
            print("Campaign '\(launched.campaign.name)': wrote \(launched.targeted.count) opted-in learners to \(export); "
                  + "\(launched.heldOut.count) held out (\(AudienceService.percent(share)), seed \(seed))")
        } else {
            let result = try service.audience(course: course, limit: limit, method: method, optedInOnly: true)
            try write(result.entries)
            print("Wrote \(result.entries.count) opted-in learners to \(export)")
        }
    }

    func exportListing(_ entries: [AudienceEntry], name: (AudienceContact) -> String) -> Listing {
        var listing = Listing(includePersonalData ? ["rank", "learner", "display_name", "email", "score", "reason"]
                                                  : ["rank", "learner", "score", "reason"])
        for (rank, entry) in entries.enumerated() {
            var row: [Listing.Cell] = [.int(Int64(rank + 1)), .text(name(entry.contact))]
            if includePersonalData { row += [.text(entry.contact.displayName), .text(entry.contact.email)] }
            row += [.number(entry.score, decimals: 4), .text(entry.reason)]
            listing.append(row)
        }
        return listing
    }

    static func format(of path: String) -> OutputFormat {
        path.lowercased().hasSuffix(".json") ? .json : .csv
    }

    /// `10%`, `10` (percent) or `0.1`? Only percent: `0.1` is 0.1%.
    static func parsePercent(_ text: String) throws -> Double {
        let digits = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let value = Double(digits.trimmingCharacters(in: .whitespaces)), value.isFinite else {
            throw CommandFailure("invalid --holdout '\(text)': give a percentage such as 10%")
        }
        guard value >= 0, value <= 50 else {
            throw CommandFailure("the holdout must be between 0% and 50%, got \(text)")
        }
        return value / 100
    }
}
