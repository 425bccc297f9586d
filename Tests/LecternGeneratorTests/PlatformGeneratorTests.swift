import Foundation
import LecternGenerator
import Testing

@Suite("PlatformGenerator")
struct PlatformGeneratorTests {
    /// A platform small enough to check row by row in a debug build.
    static let smallShape = PlatformShape(creators: 5, courses: 30, users: 100, interactions: 3000)

    static let fileNames = ["creators", "courses", "users", "interactions", "organisations", "members", "assignments"]
    static let creatorHeader = ["name", "revenue_share", "contact"]
    static let courseHeader = [
        "slug", "title", "description", "domain", "difficulty", "format", "language", "price_minor", "currency",
        "creator", "hours", "status", "tags", "prerequisites", "created_at",
    ]
    static let userHeader = ["external_id", "display_name", "email", "country", "interests", "channel", "campaign", "created_at"]
    static let interactionHeader = ["user", "course", "kind", "value", "channel", "occurred_at", "key"]
    static let kinds: Set = ["view", "wishlist", "enroll", "purchase", "complete", "rate", "refund"]
    static let acquisitionChannels: Set = ["search", "social_video", "messaging", "partner", "referral", "direct", "email"]

    // MARK: - Determinism

    @Test func sameSeedAndShapeGiveIdenticalBytes() throws {
        for format in PlatformFileFormat.allCases {
            let first = try ScratchDirectory()
            let second = try ScratchDirectory()
            defer {
                first.remove()
                second.remove()
            }
            let generator = PlatformGenerator(seed: 2024, shape: Self.smallShape)
            let summary = try generator.write(to: first.url, format: format)
            #expect(try generator.write(to: second.url, format: format) == summary)
            #expect(try first.contents() == summary.files.sorted())
            for name in summary.files {
                let a = try Data(contentsOf: first.file(name))
                let b = try Data(contentsOf: second.file(name))
                #expect(!a.isEmpty)
                #expect(a == b, "\(name) differs between two runs with the same seed")
            }
        }
    }

    @Test func differentSeedsGiveDifferentPlatforms() throws {
        let first = try ScratchDirectory()
        let second = try ScratchDirectory()
        defer {
            first.remove()
            second.remove()
        }
        _ = try PlatformGenerator(seed: 1, shape: Self.smallShape).write(to: first.url, format: .csv)
        _ = try PlatformGenerator(seed: 2, shape: Self.smallShape).write(to: second.url, format: .csv)
        for name in ["courses.csv", "users.csv", "interactions.csv"] {
            #expect(try Data(contentsOf: first.file(name)) != Data(contentsOf: second.file(name)), "\(name)")
        }
    }

    // MARK: - The rules the database enforces

    /// Shapes at the edges: the smallest allowed, a window starting in 1970, a ten-year window ending in 2110.
    static let ruleShapes = [
        smallShape,
        PlatformShape(creators: 1, courses: 10, users: 1, interactions: 1, months: 1),
        PlatformShape(creators: 10, courses: 10, users: 7, interactions: 700, months: 1, startEpoch: 0),
        PlatformShape(creators: 3, courses: 12, users: 40, interactions: 2000, months: 120, startEpoch: 4_102_444_800),
    ]

    @Test(arguments: ruleShapes)
    func csvFilesObeyEveryRule(shape: PlatformShape) throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let summary = try PlatformGenerator(seed: 7, shape: shape).write(to: directory.url, format: .csv)
        #expect(summary.files == ["creators.csv", "courses.csv", "users.csv", "interactions.csv",
                                  "organisations.csv", "members.csv", "assignments.csv"])
        let start = Double(shape.startEpoch)
        let end = try #require(Calendar.utc.date(byAdding: .month, value: shape.months, to: Date(timeIntervalSince1970: start)))
            .timeIntervalSince1970

        // Creators.
        let creators = try CSVTable(contentsOf: directory.file("creators.csv"))
        #expect(creators.header == Self.creatorHeader)
        #expect(creators.rows.count == shape.creators && summary.creators == shape.creators)
        let creatorNames = Set(creators.rows.map { creators.value($0, "name") })
        #expect(creatorNames.count == creators.rows.count, "creator names are unique")
        for row in creators.rows {
            #expect(!creators.value(row, "name").trimmingCharacters(in: .whitespaces).isEmpty)
            let share = creators.value(row, "revenue_share")
            let value = try #require(Double(share), "revenue_share \(share)")
            #expect((0...1).contains(value))
            #expect((share.split(separator: ".").dropFirst().first?.count ?? 0) <= 2, "at most two decimals: \(share)")
            let contact = creators.value(row, "contact")
            #expect(contact.isEmpty || Self.isEmail(contact), "contact \(contact)")
        }

        // Courses.
        let courses = try CSVTable(contentsOf: directory.file("courses.csv"))
        #expect(courses.header == Self.courseHeader)
        #expect(courses.rows.count == shape.courses && summary.courses == shape.courses)
        var courseStatus: [String: String] = [:]
        var courseCreated: [String: Double] = [:]
        var prerequisites: [String: [String]] = [:]
        var coursesPerCreator: [String: Int] = [:]
        for row in courses.rows {
            let slug = courses.value(row, "slug")
            #expect(courseStatus[slug] == nil, "slug \(slug) is unique")
            #expect(Self.only(slug, "abcdefghijklmnopqrstuvwxyz0123456789-"), "slug \(slug)")
            #expect(!courses.value(row, "title").trimmingCharacters(in: .whitespaces).isEmpty)
            #expect(!courses.value(row, "description").isEmpty)
            #expect(Self.only(courses.value(row, "domain"), "abcdefghijklmnopqrstuvwxyz0123456789-"))
            #expect(["beginner", "intermediate", "advanced"].contains(courses.value(row, "difficulty")))
            #expect(["video", "audio", "ebook", "live", "article"].contains(courses.value(row, "format")))
            #expect(["en", "zh", "es", "de"].contains(courses.value(row, "language")))
            #expect((Int(courses.value(row, "price_minor")) ?? -1) >= 0)
            #expect(courses.value(row, "currency") == "USD")
            let creator = courses.value(row, "creator")
            #expect(creatorNames.contains(creator), "creator \(creator) exists")
            coursesPerCreator[creator, default: 0] += 1
            #expect((Double(courses.value(row, "hours")) ?? 0) > 0)
            let status = courses.value(row, "status")
            #expect(["draft", "published", "archived"].contains(status))
            let tags = courses.value(row, "tags").split(separator: ";").map(String.init)
            #expect((2...5).contains(tags.count), "2 to 5 tags: \(tags)")
            #expect(Set(tags).count == tags.count)
            for tag in tags { #expect(Self.only(tag, "abcdefghijklmnopqrstuvwxyz0123456789+#.-"), "tag \(tag)") }
            let requirements = courses.value(row, "prerequisites").split(separator: ";").map(String.init)
            #expect(!requirements.contains(slug))
            prerequisites[slug] = requirements
            courseStatus[slug] = status
            courseCreated[slug] = try Self.time(courses.value(row, "created_at"))
        }
        #expect(coursesPerCreator.count == shape.creators, "every creator has a course")
        #expect(Set(courses.rows.map { courses.value($0, "domain") }).count >= min(10, shape.courses / 4))
        for requirements in prerequisites.values {
            for requirement in requirements { #expect(courseStatus[requirement] != nil, "prerequisite \(requirement) exists") }
        }
        if shape.courses >= 30 {
            #expect(prerequisites.values.contains { !$0.isEmpty }, "some courses have prerequisites")
        }
        #expect(!Self.hasCycle(prerequisites), "prerequisites form no cycle")

        // Learners.
        let users = try CSVTable(contentsOf: directory.file("users.csv"))
        #expect(users.header == Self.userHeader)
        #expect(users.rows.count == shape.users && summary.users == shape.users)
        var userCreated: [String: Double] = [:]
        var userChannel: [String: String] = [:]
        for row in users.rows {
            let id = users.value(row, "external_id")
            #expect(userCreated[id] == nil, "external_id \(id) is unique")
            #expect(id.count == 7 && id.hasPrefix("u") && Self.only(String(id.dropFirst()), "0123456789"), "id \(id)")
            #expect(!users.value(row, "display_name").isEmpty)
            let email = users.value(row, "email")
            #expect(email.isEmpty || (Self.isEmail(email) && email == email.lowercased()), "email \(email)")
            let country = users.value(row, "country")
            #expect(country.isEmpty || (country.count == 2 && Self.only(country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")))
            let interests = users.value(row, "interests").split(separator: ";")
            #expect((1...3).contains(interests.count) && Set(interests).count == interests.count)
            let channel = users.value(row, "channel")
            #expect(Self.acquisitionChannels.contains(channel))
            #expect(Self.only(channel, "abcdefghijklmnopqrstuvwxyz0123456789_-"))
            let created = try Self.time(users.value(row, "created_at"))
            #expect(created >= start && created < end)
            userCreated[id] = created
            userChannel[id] = channel
        }

        // Interactions.
        let interactions = try CSVTable(contentsOf: directory.file("interactions.csv"))
        #expect(interactions.header == Self.interactionHeader)
        #expect(interactions.rows.count == summary.interactions)
        #expect(abs(summary.interactions - shape.interactions) <= shape.interactions / 10)
        var keys = Set<String>()
        var lastTime: [String: Double] = [:]
        var history: [String: [(kind: String, time: Double, value: String)]] = [:]
        for row in interactions.rows {
            let user = interactions.value(row, "user")
            let course = interactions.value(row, "course")
            let kind = interactions.value(row, "kind")
            let value = interactions.value(row, "value")
            let channel = interactions.value(row, "channel")
            let key = interactions.value(row, "key")
            let time = try Self.time(interactions.value(row, "occurred_at"))
            let created = try #require(userCreated[user], "user \(user) exists")
            let status = try #require(courseStatus[course], "course \(course) exists")
            #expect(status != "draft", "no interaction on a draft")
            #expect(Self.kinds.contains(kind))
            switch kind {
            case "rate": #expect((1...5).contains(Int(value) ?? 0), "rating \(value)")
            case "purchase", "refund": #expect((Int(value) ?? -1) >= 0, "amount \(value)")
            default: #expect(value.isEmpty, "\(kind) has no value")
            }
            #expect(channel.isEmpty || ["web", "app", "email"].contains(channel) || channel == userChannel[user])
            #expect(time > created && time >= start && time < end, "occurred_at in the window, after sign-up")
            #expect(time >= courseCreated[course]!, "after the course was created")
            #expect(time >= lastTime[user, default: 0], "a learner's rows are in time order")
            lastTime[user] = time
            if !key.isEmpty {
                #expect(key.hasPrefix("evt-") && keys.insert(key).inserted, "key \(key) is unique")
            }
            history[user + " " + course, default: []].append((kind, time, value))
        }
        if shape.interactions >= 1000 {
            let keyShare = Double(keys.count) / Double(interactions.rows.count)
            #expect(keyShare > 0.05 && keyShare < 0.2, "about 10% of rows have a key: \(keyShare)")
        }
        for (pair, events) in history {
            func first(_ kinds: Set<String>) -> Double? { events.first { kinds.contains($0.kind) }?.time }
            let purchases = events.filter { $0.kind == "purchase" }
            let refunds = events.filter { $0.kind == "refund" }
            #expect(purchases.count <= 1, "\(pair) purchased at most once")
            #expect(refunds.count <= purchases.count, "\(pair) refunds only a purchase, once")
            if let refund = refunds.first, let purchase = purchases.first {
                #expect(refund.time > purchase.time && refund.value == purchase.value, "\(pair) refund follows purchase")
            }
            let view = first(["view"])
            if let step = first(["wishlist", "enroll", "purchase"]) {
                #expect(view != nil && view! < step, "\(pair) viewed first")
            }
            if let complete = first(["complete"]) {
                #expect((first(["enroll", "purchase"]) ?? .infinity) < complete, "\(pair) completes what it owns")
            }
            if let rate = first(["rate"]) {
                #expect((first(["complete", "purchase"]) ?? .infinity) < rate, "\(pair) rates after completing or buying")
            }
        }
    }

    // MARK: - JSON Lines

    @Test func jsonLinesHoldTheSameRecordsAsCSV() throws {
        let csvDirectory = try ScratchDirectory()
        let jsonDirectory = try ScratchDirectory()
        defer {
            csvDirectory.remove()
            jsonDirectory.remove()
        }
        let generator = PlatformGenerator(seed: 99, shape: Self.smallShape)
        let csvSummary = try generator.write(to: csvDirectory.url, format: .csv)
        let jsonSummary = try generator.write(to: jsonDirectory.url, format: .jsonl)
        #expect(jsonSummary.files == ["creators.jsonl", "courses.jsonl", "users.jsonl", "interactions.jsonl",
                                      "organisations.jsonl", "members.jsonl", "assignments.jsonl"])
        #expect(jsonSummary.interactions == csvSummary.interactions)

        for name in Self.fileNames {
            let table = try CSVTable(contentsOf: csvDirectory.file(name + ".csv"))
            let text = try String(contentsOf: jsonDirectory.file(name + ".jsonl"), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.last == "", "\(name).jsonl ends with a newline")
            let objects = try lines.dropLast().map { line in
                try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
            #expect(objects.count == table.rows.count, "\(name) has as many records in both formats")
            #expect(!objects.isEmpty)
            for (object, row) in zip(objects, table.rows) {
                #expect(Set(object.keys) == Set(table.header), "\(name) keys")
                for column in table.header {
                    let json = try #require(object[column])
                    let csv = table.value(row, column)
                    #expect(Self.same(json, csv), "\(name).\(column): \(json) vs \(csv)")
                }
            }
        }
    }

    // MARK: - Structure a recommender can learn

    /// With dismissals on, learners dismiss courses they looked at outside their interests and did
    /// not take, each once, with a reason; the files gain a reason column (CSV and JSON Lines alike).
    @Test func dismissalsFollowALookOutsideTheLearnersInterests() throws {
        let directory = try ScratchDirectory()
        let jsonDirectory = try ScratchDirectory()
        defer {
            directory.remove()
            jsonDirectory.remove()
        }
        var shape = Self.smallShape
        shape.dismissals = 0.5
        let generator = PlatformGenerator(seed: 5, shape: shape)
        _ = try generator.write(to: directory.url, format: .csv)
        _ = try generator.write(to: jsonDirectory.url, format: .jsonl)
        let courses = try CSVTable(contentsOf: directory.file("courses.csv"))
        let domainOf = Dictionary(uniqueKeysWithValues: courses.rows.map { (courses.value($0, "slug"), courses.value($0, "domain")) })
        let users = try CSVTable(contentsOf: directory.file("users.csv"))
        let interests = Dictionary(uniqueKeysWithValues: users.rows.map {
            (users.value($0, "external_id"), Set(users.value($0, "interests").split(separator: ";").map(String.init)))
        })
        let events = try CSVTable(contentsOf: directory.file("interactions.csv"))
        #expect(events.header == Self.interactionHeader + ["reason"])
        var dismissed = Set<String>(), firstLook: [String: String] = [:], taken = Set<String>()
        let reasons: Set = ["not-relevant", "too-basic", "too-advanced", "already-know", "too-expensive", "other"]
        for row in events.rows {
            let (user, course, kind) = (events.value(row, "user"), events.value(row, "course"), events.value(row, "kind"))
            let pair = user + " " + course
            if kind == "view" && firstLook[pair] == nil { firstLook[pair] = events.value(row, "occurred_at") }
            if ["purchase", "enroll", "wishlist"].contains(kind) { taken.insert(pair) }
            guard kind == "dismiss" else {
                #expect(events.value(row, "reason").isEmpty, "\(kind) has no reason")
                continue
            }
            #expect(reasons.contains(events.value(row, "reason")))
            #expect(events.value(row, "value").isEmpty)
            #expect(dismissed.insert(pair).inserted, "\(pair) dismissed once")
            #expect(!taken.contains(pair), "\(pair) was taken before it was dismissed")
            #expect(firstLook[pair].map { $0 <= events.value(row, "occurred_at") } == true, "\(pair) was looked at first")
            #expect(!(interests[user] ?? []).contains(domainOf[course] ?? ""), "\(pair) lies outside the learner's interests")
        }
        #expect(dismissed.count > 20, "\(dismissed.count) dismissals")
        let lines = try String(contentsOf: jsonDirectory.file("interactions.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == events.rows.count)
        for (line, row) in zip(lines, events.rows) {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(Self.same(try #require(object["reason"]), events.value(row, "reason")))
        }
        #expect(throws: (any Error).self) {
            var bad = Self.smallShape
            bad.dismissals = 1.5
            try bad.validate()
        }
    }

    /// The organisations: members within seats, each learner in one organisation, teams named by a
    /// licensed domain, assignments of published courses to members.
    @Test func organisationsHoldTogether() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        _ = try PlatformGenerator(seed: 11, shape: PlatformShape(creators: 8, courses: 80, users: 1_700, interactions: 20_000))
            .write(to: directory.url, format: .csv)
        let organisations = try CSVTable(contentsOf: directory.file("organisations.csv"))
        let members = try CSVTable(contentsOf: directory.file("members.csv"))
        let assignments = try CSVTable(contentsOf: directory.file("assignments.csv"))
        let courses = try CSVTable(contentsOf: directory.file("courses.csv"))
        let users = try CSVTable(contentsOf: directory.file("users.csv"))
        #expect(organisations.rows.count == 2)  // one per 800 learners
        let published = Set(courses.rows.filter { courses.value($0, "status") == "published" }.map { courses.value($0, "slug") })
        let licensed = Dictionary(uniqueKeysWithValues: organisations.rows.map {
            (organisations.value($0, "slug"), Set(organisations.value($0, "domains").split(separator: ";").map(String.init)))
        })
        let known = Set(users.rows.map { users.value($0, "external_id") })
        var orgOf: [String: String] = [:]
        for row in members.rows {
            let user = members.value(row, "user"), org = members.value(row, "org")
            #expect(known.contains(user))
            #expect(orgOf.updateValue(org, forKey: user) == nil, "\(user) is in one organisation")
            #expect(licensed[org]?.contains(members.value(row, "team")) == true, "a team is a licensed domain")
        }
        for row in organisations.rows {
            let slug = organisations.value(row, "slug")
            let count = orgOf.values.filter { $0 == slug }.count
            #expect(count > 0 && count <= Int(organisations.value(row, "seats"))!, "\(slug): \(count) members")
        }
        #expect(!assignments.rows.isEmpty)
        for row in assignments.rows {
            #expect(orgOf[assignments.value(row, "user")] == assignments.value(row, "org"))
            #expect(published.contains(assignments.value(row, "course")), "\(assignments.value(row, "course"))")
            #expect(assignments.value(row, "assigned_at") < assignments.value(row, "due_at"))
        }
    }

    @Test func behaviourHasLearnableStructure() throws {
        let shape = PlatformShape(creators: 8, courses: 80, users: 300, interactions: 15_000)
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        _ = try PlatformGenerator(seed: 5, shape: shape).write(to: directory.url, format: .csv)
        let courses = try CSVTable(contentsOf: directory.file("courses.csv"))
        let users = try CSVTable(contentsOf: directory.file("users.csv"))
        let interactions = try CSVTable(contentsOf: directory.file("interactions.csv"))

        // A declared interest is a domain, or a tag that stands for the domains whose courses carry it.
        var domainOf: [String: String] = [:]
        var domainsOfTopic: [String: Set<String>] = [:]
        for row in courses.rows {
            let domain = courses.value(row, "domain")
            domainOf[courses.value(row, "slug")] = domain
            domainsOfTopic[domain, default: []].insert(domain)
            for tag in courses.value(row, "tags").split(separator: ";") { domainsOfTopic[String(tag), default: []].insert(domain) }
        }
        var interests: [String: Set<String>] = [:]
        for row in users.rows {
            let topics = users.value(row, "interests").split(separator: ";").map(String.init)
            interests[users.value(row, "external_id")] = topics.reduce(into: []) { $0.formUnion(domainsOfTopic[$1, default: []]) }
        }
        var views = 0
        var viewsInInterests = 0
        var viewed = Set<String>()
        var counts: [String: Int] = [:]
        var viewsPerCourse: [String: Int] = [:]
        var rowsPerUser: [String: Int] = [:]
        var completed = Set<String>()
        var completedRatings: [Int] = []
        var otherRatings: [Int] = []
        for row in interactions.rows {
            let user = interactions.value(row, "user")
            let course = interactions.value(row, "course")
            let kind = interactions.value(row, "kind")
            counts[kind, default: 0] += 1
            rowsPerUser[user, default: 0] += 1
            switch kind {
            case "view":
                views += 1
                viewed.insert(user + " " + course)
                viewsPerCourse[course, default: 0] += 1
                if interests[user]!.contains(domainOf[course]!) { viewsInInterests += 1 }
            case "complete":
                completed.insert(user + " " + course)
            case "rate":
                let rating = Int(interactions.value(row, "value"))!
                if completed.contains(user + " " + course) { completedRatings.append(rating) } else { otherRatings.append(rating) }
            default:
                break
            }
        }
        let purchases = Double(counts["purchase", default: 0])
        let focus = Double(viewsInInterests) / Double(views)
        #expect(focus > 0.65, "learners mostly browse their interest domains: \(focus)")
        #expect(focus < 0.98, "and explore a little: \(focus)")
        #expect(views > 4 * Int(purchases), "views far outnumber purchases")
        let conversion = purchases / Double(viewed.count)
        #expect(conversion > 0.05 && conversion < 0.3, "a minority of viewed courses is bought: \(conversion)")
        let refunds = Double(counts["refund", default: 0]) / purchases
        #expect(refunds > 0 && refunds < 0.12, "a few purchases are refunded: \(refunds)")
        let completions = Double(counts["complete", default: 0]) / purchases
        #expect(completions > 0.2 && completions < 0.8, "many purchases are completed: \(completions)")
        let completedMean = Double(completedRatings.reduce(0, +)) / Double(max(1, completedRatings.count))
        let otherMean = Double(otherRatings.reduce(0, +)) / Double(max(1, otherRatings.count))
        #expect(!completedRatings.isEmpty && completedMean > otherMean, "finished courses are rated higher")
        let perCourse = viewsPerCourse.values.sorted()
        #expect(perCourse.last! > 5 * perCourse[perCourse.count / 2], "a few hit courses, a long tail")
        let perUser = rowsPerUser.values.sorted()
        #expect(perUser.last! > 5 * perUser[perUser.count / 2], "many light learners, a few heavy ones")
    }

    // MARK: - Progress and failures

    @Test func progressCoversEveryPhaseInOrder() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        let recorder = ProgressRecorder()
        let summary = try PlatformGenerator(seed: 3, shape: Self.smallShape)
            .write(to: directory.url, format: .csv) { recorder.record($0) }
        let reports = recorder.all
        var phases: [String] = []
        for report in reports where phases.last != report.phase { phases.append(report.phase) }
        #expect(phases == ["creators", "courses", "users", "interactions"])
        let interactions = reports.filter { $0.phase == "interactions" }
        #expect(interactions.count >= 20, "about every 1% of interactions: \(interactions.count) reports")
        #expect(zip(interactions, interactions.dropFirst()).allSatisfy { $0.done <= $1.done })
        #expect(interactions.last?.done == summary.interactions)
        #expect(interactions.allSatisfy { $0.total == Self.smallShape.interactions })
    }

    @Test func failedWriteLeavesNoPartialFile() throws {
        let directory = try ScratchDirectory()
        defer { directory.remove() }
        try FileManager.default.createDirectory(
            at: directory.file("interactions.csv").appendingPathComponent("occupied"), withIntermediateDirectories: true
        )
        #expect(throws: GeneratorError.self) {
            try PlatformGenerator(seed: 1, shape: Self.smallShape).write(to: directory.url, format: .csv)
        }
        #expect(try directory.contents().allSatisfy { !$0.hasPrefix(".") }, "no temporary file is left")
    }

    // MARK: - Validation

    static let badShapes: [(PlatformShape, String)] = [
        (PlatformShape(creators: 0), "creators must be at least 1"),
        (PlatformShape(courses: 9), "courses must be at least 10"),
        (PlatformShape(users: 0), "users must be at least 1"),
        (PlatformShape(interactions: 0), "interactions must be at least 1"),
        (PlatformShape(creators: 50, courses: 20), "must not outnumber courses"),
        (PlatformShape(months: 0), "months must be at least 1"),
        (PlatformShape(startEpoch: -1), "startEpoch"),
        (PlatformShape(users: 1, interactions: 100_000), "per user"),
    ]

    @Test(arguments: badShapes)
    func validateRejectsBadShapes(shape: PlatformShape, message: String) throws {
        let error = try #require(throws: GeneratorError.self) { try shape.validate() }
        #expect(error.description.contains(message), "\(error.description)")
        #expect(!error.description.contains("\n"))

        let directory = try ScratchDirectory()
        defer { directory.remove() }
        #expect(throws: GeneratorError.self) {
            try PlatformGenerator(seed: 1, shape: shape).write(to: directory.url, format: .csv)
        }
        #expect(try directory.contents().isEmpty)
    }

    @Test func seedDataIsTheDefaultShapeAndValid() throws {
        #expect(PlatformShape.seedData == PlatformShape())
        #expect(PlatformShape.seedData.courses == 220 && PlatformShape.seedData.startEpoch == 1_735_689_600)
        try PlatformShape.seedData.validate()
        try Self.smallShape.validate()
    }

    // MARK: - Helpers

    /// Whether every character of `text` is in `allowed`, and there is at least one.
    static func only(_ text: String, _ allowed: String) -> Bool {
        !text.isEmpty && text.allSatisfy { allowed.contains($0) }
    }

    /// Whether `text` matches SQLite's `?*@?*`: something, an at sign, something.
    static func isEmail(_ text: String) -> Bool {
        guard let at = text.firstIndex(of: "@") else { return false }
        return at != text.startIndex && text.index(after: at) != text.endIndex
    }

    /// The Unix time of an ISO 8601 UTC time like `2025-03-01T09:30:00Z`.
    static func time(_ text: String) throws -> Double {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let date = try #require(formatter.date(from: text), "time \(text)")
        #expect(text.count == 20 && text.hasSuffix("Z"))
        return date.timeIntervalSince1970
    }

    /// Whether a directed graph (each course to its prerequisites) has a cycle.
    static func hasCycle(_ graph: [String: [String]]) -> Bool {
        var state: [String: Int] = [:]
        func visit(_ node: String) -> Bool {
            if state[node] == 1 { return true }
            if state[node] == 2 { return false }
            state[node] = 1
            for next in graph[node, default: []] where visit(next) { return true }
            state[node] = 2
            return false
        }
        return graph.keys.sorted().contains { visit($0) }
    }

    /// Whether a JSON value says the same as a CSV field: null is empty, arrays are `;`-joined, numbers equal.
    static func same(_ json: Any, _ csv: String) -> Bool {
        switch json {
        case is NSNull:
            return csv.isEmpty
        case let text as String:
            return text == csv
        case let list as [String]:
            return list.joined(separator: ";") == csv
        case let number as NSNumber:
            return Double(csv) == number.doubleValue
        default:
            return false
        }
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC.
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
}
