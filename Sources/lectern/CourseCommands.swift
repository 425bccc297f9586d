import ArgumentParser
import LecternReports
import LecternStore

extension Lectern {
    struct CourseCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "course",
            abstract: "Manage the course catalog.",
            subcommands: [Add.self, Update.self, Show.self, List.self, Archive.self, Tag.self, Untag.self, Prereq.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add a course to the catalog.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "A unique slug: lowercase letters, digits and dashes.") var slug: String
            @Option(help: "The title.") var title: String
            @Option(help: "A description.") var description: String = ""
            @Option(help: "The domain, such as data-science.") var domain: String
            @Option(help: "beginner, intermediate or advanced.") var difficulty: Course.Difficulty = .beginner
            @Option(help: "video, audio, ebook, live or article.") var format: Course.Format = .video
            @Option(help: "Language code.") var language: String = "en"
            @Option(parsing: .unconditional, help: "Price such as 49.90 (in --currency).") var price: String
            @Option(help: "Three-letter currency code.") var currency: String = "USD"
            @Option(help: "The creator's id or name.") var creator: String
            @Option(help: "Length in hours.") var hours: Double = 0
            @Option(help: "draft, published or archived.") var status: Course.Status = .draft
            @Option(help: "Comma-separated tags.") var tags: String?
            @Option(help: "Comma-separated slugs or ids of required courses.") var requires: String?
            @Option(help: "The family this course is one run of (a module each term, a book's editions).") var family: String?

            func run() throws {
                let db = try database.openEitherEngine()
                let courses = CourseRepository(db)
                let course = try db.transaction {
                    let creator = try CreatorRepository(db).resolve(self.creator)
                    let course = try courses.create(Course(
                        slug: slug, title: title, description: description, domain: domain, difficulty: difficulty,
                        format: format, language: language, priceMinor: try parseMinorUnits(price), currency: currency,
                        creatorID: creator.id, hours: hours, status: status, family: family))
                    let tagNames = splitList(tags)
                    if !tagNames.isEmpty { try courses.tag(courseID: course.id, with: tagNames) }
                    let required = try splitList(requires).map { try courses.resolve($0).id }
                    if !required.isEmpty { try courses.addPrerequisites(courseID: course.id, requires: required) }
                    return course
                }
                print("Added course \(course.id): \(course.slug) (\(course.status.rawValue), \(formatMoney(course.priceMinor, course.currency)))")
            }
        }

        struct Update: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Change a course; options left out keep their value.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The course's id or slug.") var course: String
            @Option(help: "A new slug.") var slug: String?
            @Option(help: "The title.") var title: String?
            @Option(help: "A description.") var description: String?
            @Option(help: "The domain.") var domain: String?
            @Option(help: "beginner, intermediate or advanced.") var difficulty: Course.Difficulty?
            @Option(help: "video, audio, ebook, live or article.") var format: Course.Format?
            @Option(help: "Language code.") var language: String?
            @Option(parsing: .unconditional, help: "Price such as 49.90.") var price: String?
            @Option(help: "Three-letter currency code.") var currency: String?
            @Option(help: "The creator's id or name.") var creator: String?
            @Option(help: "Length in hours.") var hours: Double?
            @Option(help: "draft, published or archived.") var status: Course.Status?
            @Option(help: "The family this course is one run of; an empty value takes it out of its family.") var family: String?

            func run() throws {
                let db = try database.openEitherEngine()
                let courses = CourseRepository(db)
                var found = try courses.resolve(course)
                if let slug { found.slug = slug }
                if let title { found.title = title }
                if let description { found.description = description }
                if let domain { found.domain = domain }
                if let difficulty { found.difficulty = difficulty }
                if let format { found.format = format }
                if let language { found.language = language }
                if let price { found.priceMinor = try parseMinorUnits(price) }
                if let currency { found.currency = currency }
                if let creator { found.creatorID = try CreatorRepository(db).resolve(creator).id }
                if let hours { found.hours = hours }
                if let status { found.status = status }
                if let family { found.family = family }
                try courses.update(found)
                print("Updated course \(found.id): \(found.slug)")
            }
        }

        struct Show: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show a course with its tags, prerequisites and activity.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Argument(help: "The course's id or slug.") var course: String

            func run() throws {
                let db = try database.openEitherEngine()
                let courses = CourseRepository(db)
                let details = try courses.details(of: try courses.resolve(course))
                let c = details.course
                var fields: [(String, Listing.Cell)] = [
                    ("id", .int(c.id)), ("slug", .text(c.slug)), ("title", .text(c.title)),
                    ("description", .text(c.description)), ("domain", .text(c.domain)),
                    ("difficulty", .text(c.difficulty.rawValue)), ("format", .text(c.format.rawValue)),
                    ("language", .text(c.language)), ("price", .money(c.priceMinor)), ("price_minor", .int(c.priceMinor)), ("currency", .text(c.currency)),
                    ("creator", .text(details.creatorName)), ("hours", .number(c.hours, decimals: 1)),
                    ("status", .text(c.status.rawValue)),
                    ("tags", .list(details.tags.filter { !details.autoTags.contains($0) } + details.autoTags.map { "\($0) (auto)" })),
                    ("prerequisites", .list(details.prerequisites)),
                    ("family", .text(details.course.family ?? "")),
                    ("created_at", .text(Timestamp.format(c.createdAt))), ("updated_at", .text(Timestamp.format(c.updatedAt))),
                ]
                let counts = try ActivityQueries(db).countsByKind(courseID: c.id)
                for kind in Interaction.Kind.allCases {
                    fields.append(("\(kind.rawValue)s", .int(counts[kind.rawValue] ?? 0)))
                }
                print(Listing.record(fields, format: output.format), terminator: "")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List courses, filtered and paged.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions
            @Option(help: "Only this domain.") var domain: String?
            @Option(help: "Only courses with this tag.") var tag: String?
            @Option(help: "beginner, intermediate or advanced.") var difficulty: Course.Difficulty?
            @Option(name: .customLong("course-format"), help: "video, audio, ebook, live or article.") var courseFormat: Course.Format?
            @Option(help: "draft, published or archived.") var status: Course.Status?
            @Option(help: "The creator's id or name.") var creator: String?
            @Option(name: .customLong("min-price"), help: "Lowest price, such as 10.") var minPrice: String?
            @Option(name: .customLong("max-price"), help: "Highest price, such as 99.90.") var maxPrice: String?
            @Option(help: "Words that must appear in the title or description.") var search: String?
            @Option(help: "Show at most this many.") var limit: Int?
            @Option(help: "Skip this many first.") var offset: Int = 0

            func validate() throws {
                if let limit, limit < 0 { throw ValidationError("--limit cannot be negative") }
                if offset < 0 { throw ValidationError("--offset cannot be negative") }
            }

            func run() throws {
                let db = try database.openEitherEngine()
                let creatorID = try creator.map { try CreatorRepository(db).resolve($0).id }
                let courses = try CourseRepository(db).list(CourseFilter(
                    domain: domain, tag: tag, difficulty: difficulty, format: courseFormat, status: status,
                    creatorID: creatorID, minPriceMinor: try minPrice.map { try parseMinorUnits($0, what: "--min-price") },
                    maxPriceMinor: try maxPrice.map { try parseMinorUnits($0, what: "--max-price") },
                    text: search, limit: limit, offset: offset))
                var listing = Listing(["id", "slug", "title", "domain", "difficulty", "format", "price", "currency", "status"])
                for c in courses {
                    listing.append([.int(c.id), .text(c.slug), .text(c.title), .text(c.domain), .text(c.difficulty.rawValue),
                                    .text(c.format.rawValue), .money(c.priceMinor), .text(c.currency), .text(c.status.rawValue)])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }

        struct Archive: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Take a course off sale; its history stays.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The course's id or slug.") var course: String

            func run() throws {
                let db = try database.openEitherEngine()
                let courses = CourseRepository(db)
                let found = try courses.resolve(course)
                try courses.archive(id: found.id)
                print("Archived course \(found.id): \(found.slug)")
            }
        }

        struct Tag: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Add tags to a course.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The course's id or slug.") var course: String
            @Argument(help: "Tags to add.") var tags: [String]

            func validate() throws {
                if tags.isEmpty { throw ValidationError("name at least one tag") }
            }

            func run() throws {
                let db = try database.openEitherEngine()
                let courses = CourseRepository(db)
                let found = try courses.resolve(course)
                try courses.tag(courseID: found.id, with: tags)
                print("\(found.slug): \(try courses.tags(of: found.id).joined(separator: ", "))")
            }
        }

        struct Untag: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove tags from a course.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The course's id or slug.") var course: String
            @Argument(help: "Tags to remove.") var tags: [String]

            func validate() throws {
                if tags.isEmpty { throw ValidationError("name at least one tag") }
            }

            func run() throws {
                let db = try database.openEitherEngine()
                let courses = CourseRepository(db)
                let found = try courses.resolve(course)
                try courses.untag(courseID: found.id, names: tags)
                let remaining = try courses.tags(of: found.id)
                print("\(found.slug): \(remaining.isEmpty ? "(no tags)" : remaining.joined(separator: ", "))")
            }
        }

        struct Prereq: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Show or change what a course requires first.",
                discussion: "With no option, lists the prerequisites. Cycles are refused.")

            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The course's id or slug.") var course: String
            @Option(help: "Comma-separated courses to require, in addition to the current ones.") var add: String?
            @Option(help: "Comma-separated courses to require instead of the current ones.") var set: String?
            @Flag(help: "Remove every prerequisite.") var clear = false

            func validate() throws {
                if [add != nil, set != nil, clear].filter({ $0 }).count > 1 {
                    throw ValidationError("use only one of --add, --set and --clear")
                }
            }

            func run() throws {
                let db = try database.openEitherEngine()
                let courses = CourseRepository(db)
                let found = try courses.resolve(course)
                if let add {
                    try courses.addPrerequisites(courseID: found.id, requires: try splitList(add).map { try courses.resolve($0).id })
                } else if let set {
                    try courses.setPrerequisites(courseID: found.id, requires: try splitList(set).map { try courses.resolve($0).id })
                } else if clear {
                    try courses.setPrerequisites(courseID: found.id, requires: [])
                }
                let required = try courses.details(of: found).prerequisites
                print("\(found.slug) requires: \(required.isEmpty ? "nothing" : required.joined(separator: ", "))")
            }
        }
    }
}
