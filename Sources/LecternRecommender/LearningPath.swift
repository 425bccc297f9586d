/// One course of a proposed path through a domain.
public struct LearningPathStep<Course: Hashable & Sendable>: Sendable, Hashable {
    public var course: Course
    /// The level whose pick brought the course in (a prerequisite shares its dependant's level).
    public var stage: CourseDifficulty
    /// The picked course this one is a missing prerequisite of; nil for a pick.
    public var requiredBy: Course?

    public init(course: Course, stage: CourseDifficulty, requiredBy: Course? = nil) {
        self.course = course
        self.stage = stage
        self.requiredBy = requiredBy
    }
}

/// A beginner-to-advanced path through one domain.
public struct DomainPath<Course: Hashable & Sendable>: Sendable, Equatable {
    /// In the order to take them: each course after all of its prerequisites.
    public var steps: [LearningPathStep<Course>]
    /// Courses that would have been picked but whose prerequisites cannot be met (one is not
    /// available, or they form a cycle), best first per level.
    public var unreachable: [Course]

    public init(steps: [LearningPathStep<Course>], unreachable: [Course]) {
        self.steps = steps
        self.unreachable = unreachable
    }

    public var courses: [Course] { steps.map(\.course) }
}

/// Orders the courses a learner still needs, prerequisites first.
///
/// Prerequisites are all-of: a course requires each course listed for it. A completed course
/// needs nothing more, whatever it requires. Among courses whose prerequisites are all placed,
/// the higher score goes first (a course without a score counts 0), then the smaller course.
/// `Course` is whatever identifies a course to the caller (a row id, a slug); errors name it.
public enum LearningPath {
    /// The courses still needed to take `goal`, prerequisites before dependants, `goal` last;
    /// empty when `goal` is completed.
    ///
    /// - Parameters:
    ///   - prerequisites: course -> the courses it requires.
    ///   - available: the courses that can be taken (published).
    ///   - scores: how good each course is for this learner.
    /// - Throws: `RecommenderError` naming the cycle when needed courses require each other, or
    ///   naming the first needed course that is not available (the goal cannot be reached).
    /// - Complexity: O(needed courses² + their prerequisites).
    public static func courses<Course: Hashable & Comparable>(
        toReach goal: Course, prerequisites: [Course: [Course]], completed: Set<Course>, available: Set<Course>,
        scores: [Course: Double] = [:]
    ) throws -> [Course] {
        let needed = try neededCourses(goal, prerequisites: prerequisites, satisfied: completed, available: available)
        return ordered(needed, prerequisites: prerequisites, scores: scores)
    }

    /// A path through one domain from beginner to advanced: at each level, the `perLevel` best-scored
    /// courses not completed and available, each preceded by whichever of its prerequisites are
    /// missing (from any domain).
    ///
    /// A course already on the path as a prerequisite counts as one of its level's picks. A course
    /// whose prerequisites cannot be met is skipped for the next best and listed in `unreachable`.
    /// - Parameters:
    ///   - levels: the domain's courses and the difficulty of each.
    /// - Throws: `RecommenderError` when `perLevel` is below 1.
    /// - Complexity: O(domain courses log domain courses + path length² + prerequisites).
    public static func domainPath<Course: Hashable & Comparable & Sendable>(
        levels: [Course: CourseDifficulty], prerequisites: [Course: [Course]], completed: Set<Course>,
        available: Set<Course>, scores: [Course: Double] = [:], perLevel: Int
    ) throws -> DomainPath<Course> {
        guard perLevel >= 1 else { throw RecommenderError("a path needs at least 1 course per level, got \(perLevel)") }
        var satisfied = completed
        var path = DomainPath<Course>(steps: [], unreachable: [])
        for level in CourseDifficulty.allCases {
            let candidates = levels.filter { $0.value == level && !completed.contains($0.key) && available.contains($0.key) }
                .map(\.key)
                .sorted { isBetter($0, than: $1, scores: scores) }
            var picked = 0
            for candidate in candidates where picked < perLevel {
                if satisfied.contains(candidate) {
                    picked += 1
                    continue
                }
                guard let needed = try? neededCourses(candidate, prerequisites: prerequisites, satisfied: satisfied,
                                                      available: available) else {
                    path.unreachable.append(candidate)
                    continue
                }
                for course in ordered(needed, prerequisites: prerequisites, scores: scores) {
                    path.steps.append(LearningPathStep(course: course, stage: level,
                                                       requiredBy: course == candidate ? nil : candidate))
                    satisfied.insert(course)
                }
                picked += 1
            }
        }
        return path
    }

    /// Higher score first, then the smaller course.
    static func isBetter<Course: Hashable & Comparable>(_ a: Course, than b: Course, scores: [Course: Double]) -> Bool {
        let (scoreA, scoreB) = (scores[a] ?? 0, scores[b] ?? 0)
        return scoreA != scoreB ? scoreA > scoreB : a < b
    }

    /// `goal` and every course it needs, directly or not, that is not `satisfied`.
    static func neededCourses<Course: Hashable & Comparable>(
        _ goal: Course, prerequisites: [Course: [Course]], satisfied: Set<Course>, available: Set<Course>
    ) throws -> Set<Course> {
        var needed: Set<Course> = []
        var onPath: [Course] = []
        var visiting: Set<Course> = []
        func visit(_ course: Course) throws {
            guard !satisfied.contains(course), !needed.contains(course) else { return }
            if visiting.contains(course) {
                let cycle = onPath[onPath.firstIndex(of: course)!...] + [course]
                throw RecommenderError("the prerequisites form a cycle: \(cycle.map { "\($0)" }.joined(separator: " requires "))")
            }
            guard available.contains(course) else {
                if let dependant = onPath.last {
                    throw RecommenderError("course \(course), required by \(dependant), is not available, so \(goal) cannot be reached")
                }
                throw RecommenderError("course \(course) is not available")
            }
            visiting.insert(course)
            onPath.append(course)
            for requirement in (prerequisites[course] ?? []).sorted() { try visit(requirement) }
            onPath.removeLast()
            visiting.remove(course)
            needed.insert(course)
        }
        try visit(goal)
        return needed
    }

    /// `courses` in an order that puts each after its prerequisites among them, the best ready
    /// course first (Kahn's algorithm with a priority).
    static func ordered<Course: Hashable & Comparable>(
        _ courses: Set<Course>, prerequisites: [Course: [Course]], scores: [Course: Double]
    ) -> [Course] {
        var waitingOn: [Course: Int] = [:]
        var dependants: [Course: [Course]] = [:]
        for course in courses {
            let requirements = Set(prerequisites[course] ?? []).intersection(courses)
            waitingOn[course] = requirements.count
            for requirement in requirements { dependants[requirement, default: []].append(course) }
        }
        var ready = courses.filter { waitingOn[$0] == 0 }
        var order: [Course] = []
        while let next = ready.min(by: { isBetter($0, than: $1, scores: scores) }) {
            ready.remove(next)
            order.append(next)
            for dependant in dependants[next] ?? [] {
                waitingOn[dependant]! -= 1
                if waitingOn[dependant] == 0 { ready.insert(dependant) }
            }
        }
        return order
    }
}
