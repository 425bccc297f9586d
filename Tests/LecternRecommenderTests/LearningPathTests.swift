import Testing
@testable import LecternRecommender

@Suite("Learning paths")
struct LearningPathTests {
    /// Course 5 requires 3 and 4; 3 requires 1; 4 requires 1 and 2; 2 requires 6 (which is not
    /// available, but 2 is completed, so 6 is never needed).
    static let prerequisites: [Int: [Int]] = [5: [3, 4], 3: [1], 4: [1, 2], 2: [6]]
    static let available: Set<Int> = [1, 2, 3, 4, 5]

    @Test func prerequisitesFirstThenTheBetterReadyCourse() throws {
        let path = try LearningPath.courses(toReach: 5, prerequisites: Self.prerequisites, completed: [2],
                                            available: Self.available, scores: [1: 0.1, 3: 0.5, 4: 0.9])
        // Only 1 is ready; then 3 and 4 are, and 4 scores higher; 5 last.
        #expect(path == [1, 4, 3, 5])
    }

    @Test func equalScoresGoByCourse() throws {
        let path = try LearningPath.courses(toReach: 5, prerequisites: Self.prerequisites, completed: [2],
                                            available: Self.available)
        #expect(path == [1, 3, 4, 5])
    }

    @Test func completedCoursesAndTheirPrerequisitesAreSkipped() throws {
        // 3 is completed, so 1 is needed only through 4; 4 is completed too, so nothing but 5.
        #expect(try LearningPath.courses(toReach: 5, prerequisites: Self.prerequisites, completed: [2, 3],
                                         available: Self.available) == [1, 4, 5])
        #expect(try LearningPath.courses(toReach: 5, prerequisites: Self.prerequisites, completed: [3, 4],
                                         available: Self.available) == [5])
        #expect(try LearningPath.courses(toReach: 5, prerequisites: Self.prerequisites, completed: [5],
                                         available: Self.available).isEmpty)
    }

    @Test func anUnavailableCourseIsNamed() {
        // With 2 not completed, 6 is needed through 4 and 2.
        #expect(throws: RecommenderError("course 6, required by 2, is not available, so 5 cannot be reached")) {
            try LearningPath.courses(toReach: 5, prerequisites: Self.prerequisites, completed: [],
                                     available: Self.available)
        }
        #expect(throws: RecommenderError("course 7 is not available")) {
            try LearningPath.courses(toReach: 7, prerequisites: [:], completed: [], available: Self.available)
        }
    }

    @Test func aCycleIsNamed() throws {
        let cyclic = ["go": ["b"], "b": ["c"], "c": ["d"], "d": ["b"]]
        #expect(throws: RecommenderError("the prerequisites form a cycle: b requires c requires d requires b")) {
            try LearningPath.courses(toReach: "go", prerequisites: cyclic, completed: [],
                                     available: ["go", "b", "c", "d"])
        }
        // Completing a course of the cycle breaks it for this learner.
        #expect(try LearningPath.courses(toReach: "go", prerequisites: cyclic, completed: ["d"],
                                         available: ["go", "b", "c", "d"]) == ["c", "b", "go"])
    }

    @Test func aCourseWithoutPrerequisitesIsItsOwnPath() throws {
        #expect(try LearningPath.courses(toReach: 1, prerequisites: [:], completed: [], available: [1]) == [1])
    }

    /// A domain of seven courses: b1, b2, b3 (beginner, b3 completed), i1 (requires b2 and x from
    /// another domain), i2 (intermediate), a1 (requires i2) and a2 (advanced, a2 not available).
    static let levels: [String: CourseDifficulty] = [
        "b1": .beginner, "b2": .beginner, "b3": .beginner, "i1": .intermediate, "i2": .intermediate,
        "a1": .advanced, "a2": .advanced,
    ]
    static let domainPrerequisites = ["i1": ["b2", "x"], "a1": ["i2"]]
    static let domainScores = ["b1": 0.9, "b2": 0.5, "b3": 0.7, "i1": 0.8, "i2": 0.6, "a1": 0.9, "a2": 0.95, "x": 0.1]
    static let domainAvailable: Set<String> = ["b1", "b2", "b3", "i1", "i2", "a1", "x"]

    @Test func oneCoursePerLevelWithMissingPrerequisites() throws {
        let path = try LearningPath.domainPath(levels: Self.levels, prerequisites: Self.domainPrerequisites,
                                               completed: ["b3"], available: Self.domainAvailable,
                                               scores: Self.domainScores, perLevel: 1)
        // Beginner: b1 (0.9). Intermediate: i1 (0.8) needs b2 and x, b2 scoring higher.
        // Advanced: a2 is not available, so a1 (0.9), which needs i2.
        #expect(path.courses == ["b1", "b2", "x", "i1", "i2", "a1"])
        #expect(path.steps[1] == LearningPathStep(course: "b2", stage: .intermediate, requiredBy: "i1"))
        #expect(path.steps[3] == LearningPathStep(course: "i1", stage: .intermediate))
        #expect(path.steps[4].requiredBy == "a1")
        #expect(path.unreachable.isEmpty)
    }

    @Test func aPrerequisiteAlreadyOnThePathCountsAsAPick() throws {
        // Two per level: beginner b1, b2; intermediate i1 (x first), i2; advanced a1 only, since
        // i2 is already on the path and a2 is not available.
        let path = try LearningPath.domainPath(levels: Self.levels, prerequisites: Self.domainPrerequisites,
                                               completed: ["b3"], available: Self.domainAvailable,
                                               scores: Self.domainScores, perLevel: 2)
        #expect(path.courses == ["b1", "b2", "x", "i1", "i2", "a1"])
        #expect(path.steps[1] == LearningPathStep(course: "b2", stage: .beginner))
        #expect(path.steps[2] == LearningPathStep(course: "x", stage: .intermediate, requiredBy: "i1"))
    }

    @Test func anUnreachablePickGivesWayToTheNext() throws {
        // Without x, i1 cannot be reached; i2 takes its place.
        var available = Self.domainAvailable
        available.remove("x")
        let path = try LearningPath.domainPath(levels: Self.levels, prerequisites: Self.domainPrerequisites,
                                               completed: ["b3"], available: available,
                                               scores: Self.domainScores, perLevel: 1)
        #expect(path.courses == ["b1", "i2", "a1"])
        #expect(path.unreachable == ["i1"])
    }

    @Test func everyStepFollowsItsPrerequisites() throws {
        let path = try LearningPath.domainPath(levels: Self.levels, prerequisites: Self.domainPrerequisites,
                                               completed: [], available: Self.domainAvailable,
                                               scores: Self.domainScores, perLevel: 3)
        let position = Dictionary(uniqueKeysWithValues: path.courses.enumerated().map { ($0.element, $0.offset) })
        #expect(position.count == path.courses.count)
        for (course, requirements) in Self.domainPrerequisites where position[course] != nil {
            for requirement in requirements { #expect(position[requirement]! < position[course]!) }
        }
        #expect(Set(path.courses) == ["b1", "b2", "b3", "x", "i1", "i2", "a1"])
    }

    @Test func emptyDomainsAndBadLimits() throws {
        let empty = try LearningPath.domainPath(levels: [String: CourseDifficulty](), prerequisites: [:],
                                                completed: [], available: [], perLevel: 3)
        #expect(empty.steps.isEmpty && empty.unreachable.isEmpty)
        #expect(throws: RecommenderError.self) {
            try LearningPath.domainPath(levels: Self.levels, prerequisites: [:], completed: [], available: [], perLevel: 0)
        }
    }
}
