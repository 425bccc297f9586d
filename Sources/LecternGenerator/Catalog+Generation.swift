import Foundation
import LecternCore

extension Catalog {
    /// Generates the catalog of a platform: creators and courses, with popularity and learning paths.
    ///
    /// - Complexity: O(*c* log *c*) in the number of courses.
    init(seed: UInt64, shape: PlatformShape) {
        var random = RandomSource(seed: seed, stream: .catalog, index: 0)
        let start = shape.startEpoch
        let end = shape.endEpoch
        let domainCount = min(CourseDomain.all.count, max(2, shape.courses / 4))
        let domains = Array(CourseDomain.all.prefix(domainCount))
        let shareTotal = domains.reduce(0) { $0 + $1.share }
        let shares = domains.map { $0.share / shareTotal }

        var courses = Self.makeCourses(
            domains: domains, shares: shares, count: shape.courses, start: start, end: end, random: &random
        )
        Self.assignSlugs(&courses)
        Self.linkPrerequisites(&courses, domains: domains, random: &random)
        let creators = Self.makeCreators(count: shape.creators, domains: domains, shares: shares, random: &random)
        Self.assignCreators(&courses, creators: creators, domainCount: domainCount, random: &random)

        let (popularity, quality) = Self.makePopularity(
            courses: courses, domainCount: domainCount, shares: shares, random: &random
        )

        // The simulation numbers courses by popularity, so the courses learners meet most share cache lines.
        let order = courses.indices.sorted { popularity[$0] != popularity[$1] ? popularity[$0] > popularity[$1] : $0 < $1 }
        var position = [Int32](repeating: 0, count: courses.count)
        for (simulationIndex, fileIndex) in order.enumerated() { position[fileIndex] = Int32(simulationIndex) }

        var dependents = [[Int32]](repeating: [], count: courses.count)
        var members = [[Int32]](repeating: [], count: domainCount)
        for fileIndex in order where courses[fileIndex].status != .draft {
            let course = courses[fileIndex]
            members[course.domain].append(position[fileIndex])
            for requirement in course.prerequisites {
                dependents[Int(position[requirement])].append(position[fileIndex])
            }
        }
        var lists = members.map { list in (values: list, weights: list.map { popularity[order[Int($0)]] }) }
        let everything = members.flatMap { $0 }.sorted()
        lists.append((everything, everything.map { popularity[order[Int($0)]] }))

        var anchors = [Int32](repeating: -1, count: domainCount)
        for (index, course) in courses.enumerated() where anchors[course.domain] < 0 {
            if course.status == .published && course.difficulty == .beginner && course.createdAt < start {
                anchors[course.domain] = position[index]
            }
        }

        epoch = start
        self.domains = domains
        domainShares = shares
        relatedDomains = IndexLists(domains.map { domain in
            domain.related.compactMap { name in domains.firstIndex { $0.name == name }.map { Int32($0) } }
        })
        self.creators = creators
        self.courses = courses
        traits = order.map { fileIndex in
            let course = courses[fileIndex]
            return CourseTraits(
                visibleFrom: course.status == .draft ? .max : Int32(course.createdAt - start),
                visibleUntil: course.archivedAt.map { Int32($0 - start) } ?? .max,
                priceMinor: Int32(course.priceMinor),
                quality: Float(quality[fileIndex]),
                hoursTenths: UInt16(min(course.hoursTenths, Int(UInt16.max))),
                domain: UInt8(course.domain),
                difficulty: course.difficulty,
                language: course.language,
                hasPrerequisites: !course.prerequisites.isEmpty
            )
        }
        slugBytes = ByteStrings(order.map { courses[$0].slug })
        self.dependents = IndexLists(dependents)
        prerequisites = IndexLists(order.map { courses[$0].prerequisites.map { position[$0] } })
        courseChoice = WeightedChoice(lists: lists)
        self.anchors = anchors
    }

    /// The number of courses of each domain: at least two each, the rest by share (largest remainder).
    private static func allocate(_ total: Int, shares: [Double]) -> [Int] {
        var counts = shares.map { _ in 2 }
        let spare = total - 2 * shares.count
        let exact = shares.map { $0 * Double(spare) }
        for index in counts.indices { counts[index] += Int(exact[index]) }
        let order = exact.indices.sorted {
            let a = exact[$0] - exact[$0].rounded(.down)
            let b = exact[$1] - exact[$1].rounded(.down)
            return a != b ? a > b : $0 < $1
        }
        var left = total - counts.reduce(0, +)
        var position = 0
        while left > 0 {
            counts[order[position % order.count]] += 1
            left -= 1
            position += 1
        }
        return counts
    }

    /// Makes every course without slug, prerequisites or creator, then sorts them by creation time.
    ///
    /// - Complexity: O(*c* log *c*) in the number of courses.
    private static func makeCourses(
        domains: [CourseDomain], shares: [Double], count: Int, start: Int64, end: Int64,
        random: inout RandomSource
    ) -> [Course] {
        let counts = allocate(count, shares: shares)
        var made: [Course] = []
        made.reserveCapacity(count)
        var usedTitles = Set<String>()
        for (domainIndex, domain) in domains.enumerated() {
            let subjectWeights = domain.subjects.indices.map { 1 / pow(Double($0 + 1), 0.6) }
            // Subjects taught so far at each difficulty, so harder courses mostly continue an easier one.
            var taught: [[Int]] = [[], [], []]
            for position in 0..<counts[domainIndex] {
                made.append(makeCourse(
                    domain: domain, domainIndex: domainIndex, isAnchor: position == 0, subjectWeights: subjectWeights,
                    taught: &taught, usedTitles: &usedTitles, start: start, end: end, random: &random
                ))
            }
        }
        let order = made.indices.sorted { (made[$0].createdAt, $0) < (made[$1].createdAt, $1) }
        return order.map { made[$0] }
    }

    /// Makes one course of `domain` without slug suffix, prerequisites or creator.
    ///
    /// A domain's first course, its anchor, is a published English beginner course on the domain's
    /// first subject, created before the window. `taught` gains the course's subject at its
    /// difficulty, and `usedTitles` its title.
    private static func makeCourse(
        domain: CourseDomain, domainIndex: Int, isAnchor: Bool, subjectWeights: [Double], taught: inout [[Int]],
        usedTitles: inout Set<String>, start: Int64, end: Int64, random: inout RandomSource
    ) -> Course {
        let languageShares = [0.85, 0.06, 0.05, 0.04]
        let difficultyShares = [0.45, 0.35, 0.20]
        let difficulty = isAnchor ? .beginner : Difficulty(rawValue: random.index(weightedBy: difficultyShares))!
        let language = isAnchor ? .english : CourseLanguage.allCases[random.index(weightedBy: languageShares)]
        let format = CourseFormat.allCases[random.index(weightedBy: domain.formatWeights)]
        let (subjectIndex, englishTitle) = chooseSubjectAndTitle(
            domain: domain, difficulty: difficulty, language: language, isAnchor: isAnchor,
            subjectWeights: subjectWeights, taught: taught, usedTitles: &usedTitles, random: &random
        )
        taught[difficulty.rawValue].append(subjectIndex)
        let subject = domain.subjects[subjectIndex]
        let title = CourseCopywriter.title(
            englishTitle: englishTitle, subject: subject, difficulty: difficulty, language: language,
            random: &random
        )
        let description = CourseCopywriter.description(
            domain: domain, subject: subject, difficulty: difficulty, language: language, random: &random
        )
        let createdAt = creationTime(level: difficulty.rawValue, isAnchor: isAnchor, start: start, end: end, random: &random)
        let (status, archivedAt) = lifecycle(isAnchor: isAnchor, createdAt: createdAt, start: start, end: end, random: &random)
        let price = priceMinor(domain: domain, format: format, difficulty: difficulty, random: &random)
        let hours = max(0.5, random.uniform(format.hourRange) * [0.9, 1.0, 1.3][difficulty.rawValue])
        let tags = makeTags(subject: subject, domain: domain, difficulty: difficulty, random: &random)
        return Course(
            slug: englishTitle.slug + (language == .english ? "" : "-" + language.rawValue),
            title: title, description: description, domain: domainIndex, subject: subjectIndex,
            difficulty: difficulty, format: format, language: language, priceMinor: price, creator: 0,
            hoursTenths: Int((hours * 10).rounded()), status: status, tags: tags, prerequisites: [],
            createdAt: createdAt, archivedAt: archivedAt
        )
    }

    /// Picks a course's subject (mostly one taught at the difficulty below, if any) and its English
    /// title, with a few tries for a title not used yet in that language; a big catalog repeats
    /// some, with distinct slugs. The title goes into `usedTitles`.
    private static func chooseSubjectAndTitle(
        domain: CourseDomain, difficulty: Difficulty, language: CourseLanguage, isAnchor: Bool,
        subjectWeights: [Double], taught: [[Int]], usedTitles: inout Set<String>, random: inout RandomSource
    ) -> (subject: Int, englishTitle: String) {
        var subjectIndex = 0
        var englishTitle = ""
        for attempt in 0..<6 {
            let easier = difficulty == .beginner ? [] : taught[difficulty.rawValue - 1]
            if isAnchor && attempt == 0 {
                subjectIndex = 0
            } else if !easier.isEmpty && random.chance(0.7) {
                subjectIndex = random.element(of: easier)
            } else {
                subjectIndex = random.index(weightedBy: subjectWeights)
            }
            englishTitle = CourseCopywriter.englishTitle(
                domain: domain, subject: domain.subjects[subjectIndex], difficulty: difficulty, random: &random
            )
            if !usedTitles.contains(englishTitle + language.rawValue) { break }
        }
        usedTitles.insert(englishTitle + language.rawValue)
        return (subjectIndex, englishTitle)
    }

    /// When a course of difficulty `level` was made, on a whole minute: easier courses tend to come
    /// first, so harder ones find them to require. Most precede the window (the anchor always).
    private static func creationTime(
        level: Int, isAnchor: Bool, start: Int64, end: Int64, random: inout RandomSource
    ) -> Int64 {
        let window = Double(end - start)
        let day = Double(UTCCalendar.secondsPerDay)
        let beforeWindow = isAnchor || random.chance([0.75, 0.6, 0.5][level])
        var createdAt = beforeWindow
            ? start - Int64(random.uniform([180...540, 60...480, 1...400][level]) * day)
            : start + Int64(random.uniform([0...0.5, 0.1...0.7, 0.2...0.85][level]) * window)
        createdAt -= createdAt % 60
        return createdAt
    }

    /// A course's status (about 3% drafts and 3% archived; the anchor is published) and, for an
    /// archived course, when it was archived: after it was made and within the window.
    private static func lifecycle(
        isAnchor: Bool, createdAt: Int64, start: Int64, end: Int64, random: inout RandomSource
    ) -> (status: CourseStatus, archivedAt: Int64?) {
        let statusDraw = random.unit()
        let status: CourseStatus = isAnchor || statusDraw >= 0.06
            ? .published : (statusDraw < 0.03 ? .draft : .archived)
        var archivedAt: Int64?
        if status == .archived {
            let from = max(createdAt, start)
            archivedAt = from + Int64(random.uniform(0.2...0.9) * Double(end - from))
        }
        return (status, archivedAt)
    }

    /// A course's price in cents: 0 for about 4%, else one of the domain's price steps of $5 less
    /// $1, lower for articles and skewed low for beginners and high for advanced courses.
    private static func priceMinor(
        domain: CourseDomain, format: CourseFormat, difficulty: Difficulty, random: inout RandomSource
    ) -> Int {
        guard !random.chance(0.04) else { return 0 }
        let steps = domain.priceSteps
        let cheap = format == .article ? 0.6 : 1.0
        let skew = [1.6, 1.0, 0.7][difficulty.rawValue]
        let step = steps.lowerBound
            + Int(pow(random.unit(), skew) * cheap * Double(steps.upperBound - steps.lowerBound + 1))
        return min(step, steps.upperBound) * 500 - 100
    }

    /// A course's tags: its subject's, then one to four distinct others of its domain (fewer when
    /// draws repeat), and the difficulty's name when no other was found.
    private static func makeTags(
        subject: CourseSubject, domain: CourseDomain, difficulty: Difficulty, random: inout RandomSource
    ) -> [String] {
        var tags = [subject.tag]
        let extra = random.integer(in: 1...min(4, domain.tags.count))
        var attempts = 0
        while tags.count < 1 + extra && attempts < 12 {
            let tag = random.element(of: domain.tags)
            if !tags.contains(tag) { tags.append(tag) }
            attempts += 1
        }
        if tags.count < 2 { tags.append(difficulty.name) }
        return tags
    }

    /// Makes slugs unique by numbering repeats in file order (`practical-go`, `practical-go-2`).
    ///
    /// - Complexity: O(*c*) expected, in the number of courses.
    private static func assignSlugs(_ courses: inout [Course]) {
        var used = Set<String>()
        var nextNumber: [String: Int] = [:]
        for index in courses.indices {
            let base = courses[index].slug
            var slug = base
            var number = nextNumber[base, default: 2]
            while used.contains(slug) {
                slug = "\(base)-\(number)"
                number += 1
            }
            nextNumber[base] = number
            used.insert(slug)
            courses[index].slug = slug
        }
    }

    /// Links each intermediate or advanced course to one or two easier, earlier courses of its domain.
    ///
    /// Requirements always point to a lower difficulty and an earlier index, so there can be no cycle. They
    /// prefer the same subject, so learning paths read like "Python Fundamentals" then "Practical Python", and
    /// are taught in English or the course's own language.
    ///
    /// - Complexity: O(*c*) expected, in the number of courses.
    private static func linkPrerequisites(
        _ courses: inout [Course], domains: [CourseDomain], random: inout RandomSource
    ) {
        // Non-draft courses seen so far, by domain, difficulty and language, and also by subject.
        var byLevel: [Int: [Int]] = [:]
        var bySubject: [Int: [Int]] = [:]
        func levelKey(_ domain: Int, _ level: Int, _ language: CourseLanguage) -> Int {
            (domain * 3 + level) * 4 + CourseLanguage.allCases.firstIndex(of: language)!
        }
        func subjectKey(_ domain: Int, _ level: Int, _ language: CourseLanguage, _ subject: Int) -> Int {
            levelKey(domain, level, language) * 256 + subject
        }
        /// A uniform pick among the elements of two lists, as if they were one.
        func pick(_ first: [Int], _ second: [Int]) -> Int? {
            let total = first.count + second.count
            guard total > 0 else { return nil }
            let position = random.below(total)
            return position < first.count ? first[position] : second[position - first.count]
        }
        for index in courses.indices {
            let course = courses[index]
            let language = course.language
            let languages: [CourseLanguage] = language == .english ? [.english] : [.english, language]
            if course.difficulty != .beginner {
                let wanted = random.unit() < 0.12 ? 0 : (random.unit() < 0.75 ? 1 : 2)
                var level = course.difficulty.rawValue - 1
                func candidates(_ level: Int) -> ([Int], [Int]) {
                    let lists = languages.map { byLevel[levelKey(course.domain, level, $0)] ?? [] }
                    return (lists[0], lists.count > 1 ? lists[1] : [])
                }
                var (first, second) = candidates(level)
                if first.isEmpty && second.isEmpty && level > 0 {
                    level -= 1
                    (first, second) = candidates(level)
                }
                let sameSubject = languages.map { bySubject[subjectKey(course.domain, level, $0, course.subject)] ?? [] }
                let subjectCount = sameSubject.reduce(0) { $0 + $1.count }
                let crossSubject = domains[course.domain].hasCrossSubjectPaths && random.chance(0.35)
                let available = subjectCount > 0 ? subjectCount : (crossSubject ? first.count + second.count : 0)
                var chosen: [Int] = []
                var attempts = 0
                while chosen.count < min(wanted, available) && attempts < 8 {
                    attempts += 1
                    let choice = subjectCount > 0
                        ? pick(sameSubject[0], sameSubject.count > 1 ? sameSubject[1] : [])
                        : pick(first, second)
                    if let choice, !chosen.contains(choice) { chosen.append(choice) }
                }
                courses[index].prerequisites = chosen
            }
            if course.status != .draft {
                let level = course.difficulty.rawValue
                byLevel[levelKey(course.domain, level, language), default: []].append(index)
                bySubject[subjectKey(course.domain, level, language, course.subject), default: []].append(index)
            }
        }
    }

    /// Makes creators with unique names, each specialised in a domain.
    ///
    /// - Complexity: O(*n*) expected, in the number of creators.
    private static func makeCreators(
        count: Int, domains: [CourseDomain], shares: [Double], random: inout RandomSource
    ) -> [Creator] {
        let studios = ["Northwind", "Blue Harbor", "Summit", "Brightpath", "Cedar", "Open Field", "Redwood",
                       "Lighthouse", "Copper Kettle", "Polaris", "Riverbend", "Tinkerlab", "Fieldnotes", "Quarry"]
        let studioKinds = ["Academy", "Labs", "Studio", "Institute", "Learning", "School", "Collective", "Workshop"]
        let poolWeights = NamePool.everyPool.indices.map { $0 == 0 ? 4.0 : 1.0 }
        var used = Set<String>()
        var creators: [Creator] = []
        creators.reserveCapacity(count)
        for index in 0..<count {
            let domain = index < domains.count ? index : random.index(weightedBy: shares)
            var name = ""
            var contact: String?
            if random.chance(0.15) {
                name = random.element(of: studios) + " " + random.element(of: studioKinds)
                if used.contains(name) { name += " " + domains[domain].label.capitalized }
                contact = "hello@" + name.slug.filter { $0 != "-" } + ".example.com"
            } else {
                var person = NamePool.everyPool[random.index(weightedBy: poolWeights)].name(random: &random)
                for _ in 0..<20 where used.contains(person.fullName) {
                    person = NamePool.everyPool[random.index(weightedBy: poolWeights)].name(random: &random)
                }
                name = person.fullName
                if used.contains(name) {
                    let initial = String(UnicodeScalar(UInt8(65 + random.below(26))))
                    name = person.given + " " + initial + ". " + person.family
                }
                contact = person.emailName + "@example.net"
            }
            var suffix = 2
            let base = name
            while used.contains(name) {
                name = "\(base) \(suffix)"
                suffix += 1
            }
            used.insert(name)
            if random.chance(0.12) { contact = nil }
            let share = [50, 55, 60, 65, 70, 70, 75, 80][random.below(8)]
            creators.append(Creator(name: name, revenueSharePercent: share, contact: contact, domain: domain))
        }
        return creators
    }

    /// Gives every creator at least one course, mostly in their domain, and the rest to prolific specialists.
    ///
    /// - Complexity: O(*c* log *n*) in the numbers of courses and creators.
    private static func assignCreators(
        _ courses: inout [Course], creators: [Creator], domainCount: Int, random: inout RandomSource
    ) {
        var unassigned = [[Int]](repeating: [], count: domainCount)
        for index in courses.indices.reversed() { unassigned[courses[index].domain].append(index) }
        var isAssigned = [Bool](repeating: false, count: courses.count)
        var fallback = courses.indices.map { $0 }
        for index in fallback.indices.reversed() {
            fallback.swapAt(index, random.below(index + 1))
        }
        var fallbackPosition = 0
        for (creatorIndex, creator) in creators.enumerated() {
            var course: Int?
            while let candidate = unassigned[creator.domain].popLast() {
                if !isAssigned[candidate] {
                    course = candidate
                    break
                }
            }
            while course == nil && fallbackPosition < fallback.count {
                let candidate = fallback[fallbackPosition]
                fallbackPosition += 1
                if !isAssigned[candidate] { course = candidate }
            }
            guard let course else { break }
            isAssigned[course] = true
            courses[course].creator = creatorIndex
        }

        let productivity = creators.indices.map { _ in exp(0.9 * random.normal()) }
        var specialists = [[Int32]](repeating: [], count: domainCount)
        var specialistWeights = [[Double]](repeating: [], count: domainCount)
        for (index, creator) in creators.enumerated() {
            specialists[creator.domain].append(Int32(index))
            specialistWeights[creator.domain].append(productivity[index])
        }
        var lists = (0..<domainCount).map { (values: specialists[$0], weights: specialistWeights[$0]) }
        lists.append((creators.indices.map { Int32($0) }, productivity))
        let choice = WeightedChoice(lists: lists)
        for index in courses.indices where !isAssigned[index] {
            let domain = courses[index].domain
            let list = choice.canDraw(from: domain) && random.chance(0.9) ? domain : domainCount
            courses[index].creator = Int(choice.draw(from: list, &random))
        }
    }

    /// Gives courses a skewed popularity (a few hits per domain, a long tail) and a quality.
    ///
    /// - Returns: Each course's share of all browsing (domain share times its share of the domain; 0 for
    ///   drafts) and its quality in 0...1, in file order.
    /// - Complexity: O(*c*) in the number of courses.
    private static func makePopularity(
        courses: [Course], domainCount: Int, shares: [Double], random: inout RandomSource
    ) -> (popularity: [Double], quality: [Double]) {
        var members = [[Int]](repeating: [], count: domainCount)
        for (index, course) in courses.enumerated() where course.status != .draft {
            members[course.domain].append(index)
        }
        var popularity = [Double](repeating: 0, count: courses.count)
        var quality = [Double](repeating: 0.5, count: courses.count)
        for domain in 0..<domainCount {
            var ranking = members[domain]
            for index in ranking.indices.reversed() { ranking.swapAt(index, random.below(index + 1)) }
            var total = 0.0
            for (rank, course) in ranking.enumerated() {
                let item = courses[course]
                var weight = 1 / pow(Double(rank + 1), 0.95)
                weight *= [1.3, 1.0, 0.7][item.difficulty.rawValue]
                if item.priceMinor == 0 { weight *= 1.3 }
                if item.language != .english { weight *= 0.6 }
                if item.status == .archived { weight *= 0.5 }
                popularity[course] = weight
                total += weight
                let standing = 1 - Double(rank) / Double(max(1, ranking.count))
                quality[course] = min(1, max(0.05, 0.45 + 0.35 * standing + 0.15 * random.normal()))
            }
            for course in ranking { popularity[course] *= shares[domain] / total }
        }
        return (popularity, quality)
    }
}
