import Testing
@testable import LecternRecommender

@Suite("Ranking rules and blend")
struct RankingRulesTests {
    /// Six courses: creators 0,0,0,1,1,2; domains 0,0,1,1,2,2; course 5 is a draft; course 4 requires 3.
    static let facts = CatalogFacts(creators: [0, 0, 0, 1, 1, 2], domains: [0, 0, 1, 1, 2, 2],
                                    available: [true, true, true, true, true, false],
                                    prerequisites: [[], [], [], [], [3], []])

    static func candidates(_ scores: [Double]) -> [Candidate] {
        scores.enumerated().map { Candidate(item: Int32($0.offset), score: $0.element, reason: .popularIn(domain: 0)) }
    }

    @Test func ownedAndUnavailableCoursesNeverAppear() {
        let rules = RankingRules()
        let list = rules.apply(Self.candidates([6, 5, 4, 3, 2, 9]), facts: Self.facts,
                               learner: LearnerState(owned: [1], touchedDomains: [0]), count: 10)
        #expect(!list.map(\.item).contains(1))
        #expect(!list.map(\.item).contains(5))
        #expect(list.map(\.item) == [0, 2, 3, 4])
        #expect(list.last?.score == 1)  // course 4 lacks course 3: 2 x 0.5
    }

    @Test func missingPrerequisitesCanBeFiltered() {
        let rules = RankingRules(filterMissingPrerequisites: true)
        let list = rules.apply(Self.candidates([1, 1, 1, 1, 9, 0]), facts: Self.facts,
                               learner: LearnerState(owned: [], touchedDomains: []), count: 10)
        #expect(!list.map(\.item).contains(4))
        let satisfied = rules.apply(Self.candidates([1, 1, 1, 1, 9, 0]), facts: Self.facts,
                                    learner: LearnerState(owned: [3], touchedDomains: []), count: 10)
        #expect(satisfied.first?.item == 4)
    }

    @Test func capsPerCreatorAndDomain() {
        let byCreator = RankingRules(maxPerCreator: 1).apply(Self.candidates([6, 5, 4, 3, 2, 0]), facts: Self.facts,
                                                             learner: LearnerState(owned: [], touchedDomains: []), count: 10)
        #expect(byCreator.map(\.item) == [0, 3])
        let byDomain = RankingRules(maxPerDomain: 1).apply(Self.candidates([6, 5, 4, 3, 2, 0]), facts: Self.facts,
                                                           learner: LearnerState(owned: [], touchedDomains: []), count: 10)
        #expect(byDomain.map(\.item) == [0, 2, 4])
    }

    @Test func theCrossDomainSlotTakesEveryNthPlace() {
        // The learner touched domain 0; learners of domain 0 crossed into domain 2 more than domain 1.
        let crossover: [[Double]] = [[0, 0.1, 0.9], [0, 0, 0], [0, 0, 0]]
        let rules = RankingRules(crossDomainEvery: 2)
        let list = rules.apply(Self.candidates([6, 5, 4, 3, 2, 0]), facts: Self.facts,
                               learner: LearnerState(owned: [3], touchedDomains: [0]), crossover: crossover, count: 4)
        #expect(list.count == 4)
        #expect(list[1].item == 4)  // domain 2, the learner never touched it
        #expect(list[1].reason == .crossDomain(domain: 2))
        #expect(list.map(\.item) == [0, 4, 1, 2])
        #expect(zip(list, list.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    /// Issue 18: only the first place N got a course from a new domain; 2N, 3N... did not.
    @Test func everyNthPlaceGoesToANewDomainWhileOneIsLeft() {
        // Twelve courses: 0-3 in domain 0 (touched), 4-11 in domains 1, 2 and 3.
        let facts = CatalogFacts(creators: Array(repeating: 0, count: 12), domains: [0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3],
                                 available: Array(repeating: true, count: 12), prerequisites: Array(repeating: [], count: 12))
        let scores: [Double] = [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
        let learner = LearnerState(owned: [], touchedDomains: [0])
        for crossover in [nil, [[0, 0.2, 0.5, 0.1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]] as [[[Double]]?] {
            let list = RankingRules(crossDomainEvery: 3).apply(Self.candidates(scores), facts: facts, learner: learner,
                                                               crossover: crossover, count: 10)
            #expect(list.count == 10)
            for place in [3, 6, 9] {
                #expect(facts.domains[Int(list[place - 1].item)] != 0, "place \(place): \(list.map(\.item))")
                if case .crossDomain = list[place - 1].reason {} else { Issue.record("place \(place): \(list[place - 1].reason)") }
            }
            #expect(Set(list.map(\.item)).count == 10)
            #expect(zip(list, list.dropFirst()).allSatisfy { $0.score >= $1.score })
        }
        // With crossover, the domain learners of domain 0 crossed into most (2) comes first.
        let weighed = RankingRules(crossDomainEvery: 3).apply(Self.candidates(scores), facts: facts, learner: learner,
                                                              crossover: [[0, 0.2, 0.5, 0.1], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], count: 10)
        #expect(weighed[2].reason == .crossDomain(domain: 2))
    }

    @Test func aPlaceNoNewDomainCanFillSaysSo() {
        // Only courses of the touched domain 0 (and course 2, domain 1, already owned).
        let list = RankingRules(crossDomainEvery: 2).apply(Self.candidates([6, 5, 0, 0, 0, 0]),
                                                           facts: CatalogFacts(creators: [0, 0, 0, 0, 0, 0], domains: [0, 0, 1, 0, 0, 0],
                                                                               available: [true, true, true, true, true, true],
                                                                               prerequisites: [[], [], [], [], [], []]),
                                                           learner: LearnerState(owned: [2], touchedDomains: [0]), count: 4)
        #expect(list.count == 4)
        #expect(list[1].reason == .noNewDomain)
        #expect(list[3].reason == .noNewDomain)
        #expect(list[0].reason == .popularIn(domain: 0) && list[2].reason == .popularIn(domain: 0))
    }

    @Test func blendNormalisesEachModelAndKeepsTheStrongestReason() {
        let a = [Candidate(item: 0, score: 10, reason: .alsoTook(item: 9)), Candidate(item: 1, score: 5, reason: .alsoTook(item: 8))]
        let b = [Candidate(item: 1, score: 0.2, reason: .interest("sql")), Candidate(item: 2, score: 0.1, reason: .interest("r"))]
        let blended = Blend.combine([(0.5, a), (0.5, b)])
        // 0: 0.5*1 = 0.5; 1: 0.5*0.5 + 0.5*1 = 0.75; 2: 0.5*0.5 = 0.25
        #expect(blended.map(\.item) == [1, 0, 2])
        #expect(abs(blended[0].score - 0.75) < 1e-12)
        #expect(blended[0].reason == .interest("sql"))
    }

    @Test func domainCrossoverByHand() {
        // Learner 0 touched courses in domains 0 and 1; learner 1 only domain 0.
        let matrix = SparseMatrix(rowCount: 2, columnCount: 3, entries: [(0, 0, 1), (0, 2, 1), (1, 1, 1)])
        let crossover = Blend.domainCrossover(userItems: matrix, domains: [0, 0, 1], domainCount: 2)
        #expect(crossover[0][1] == 0.5)  // of two domain-0 learners, one went to domain 1
        #expect(crossover[1][0] == 1)
    }

    @Test func rulesOutOfRangeAreRefused() {
        #expect(throws: RecommenderError.self) { try RankingRules(maxPerCreator: 0).validate() }
        #expect(throws: RecommenderError.self) { try RankingRules(crossDomainEvery: 1).validate() }
        #expect(throws: RecommenderError.self) { try RankingRules(missingPrerequisitePenalty: 2).validate() }
    }
}

@Suite("Interaction weights")
struct InteractionWeightsTests {
    @Test func weightsByHand() throws {
        let events = [
            MatrixEvent(user: 0, item: 0, kind: .view, time: 0),
            MatrixEvent(user: 0, item: 0, kind: .purchase, time: 0),
            MatrixEvent(user: 0, item: 0, kind: .rate, rating: 5, time: 0),
            MatrixEvent(user: 0, item: 1, kind: .purchase, time: 0),
            MatrixEvent(user: 0, item: 1, kind: .refund, time: 0),
            MatrixEvent(user: 1, item: 1, kind: .view, time: 0),
            MatrixEvent(user: 1, item: 1, kind: .rate, rating: 1, time: 0),
        ]
        let matrix = try InteractionWeights().matrix(users: 2, items: 2, events: events, now: 0)
        #expect(matrix.value(row: 0, column: 0) == 10)  // 1 + 5 + 4
        #expect(matrix.value(row: 0, column: 1) == 0)   // refund cancels the purchase: left out
        #expect(matrix.value(row: 1, column: 1) == 0)   // 1 - 4 < 0: left out
        #expect(matrix.nonZeroCount == 1)
    }

    @Test func halfLifeHalvesTheWeight() throws {
        let day: Int64 = 86_400
        let events = [MatrixEvent(user: 0, item: 0, kind: .purchase, time: 0)]
        let matrix = try InteractionWeights(halfLifeDays: 10).matrix(users: 1, items: 1, events: events, now: 10 * day)
        #expect(abs(matrix.value(row: 0, column: 0) - 2.5) < 1e-5)
    }

    @Test func negativeWeightsAreRefused() {
        #expect(throws: RecommenderError.self) { try InteractionWeights(view: -1).validate() }
        #expect(throws: RecommenderError.self) { try InteractionWeights(halfLifeDays: 0).validate() }
    }
}

@Suite("Popularity and content")
struct ColdStartModelTests {
    @Test func popularityDecaysAndRanksWithinDomains() throws {
        let day: Int64 = 86_400
        let events = [
            MatrixEvent(user: 0, item: 0, kind: .purchase, time: 0),        // old: 5 * 0.5^(60/30) = 1.25
            MatrixEvent(user: 1, item: 1, kind: .view, time: 60 * day),     // fresh: 1
            MatrixEvent(user: 1, item: 2, kind: .view, time: 60 * day),
            MatrixEvent(user: 0, item: 2, kind: .view, time: 60 * day),     // 2
        ]
        let model = try PopularityModel(events: events, items: 3, domains: [0, 0, 1], now: 60 * day)
        #expect(abs(model.scores[0] - 1.25) < 1e-5)
        #expect(model.scores[1] == 1)
        #expect(model.domainRanks == [1, 2, 1])
    }

    @Test func contentFindsTheCourseSharingTagsAndWords() {
        let model = ContentModel(courses: [
            CourseContent(title: "Python for Data Analysis", tags: ["python", "pandas"], domain: "data-science"),
            CourseContent(title: "Pandas in Practice", tags: ["pandas"], domain: "data-science"),
            CourseContent(title: "Watercolour Landscapes", tags: ["painting"], domain: "art"),
            CourseContent(title: "数据分析入门", description: "用数据分析做决策", tags: ["python"], domain: "data-science"),
        ])
        #expect(model.similarCourses(to: 0, count: 3).first?.item == 1)
        #expect(!model.similarCourses(to: 2, count: 3).contains { $0.item == 1 && $0.score > 0.3 })
        // Interests alone find courses (cold start), with the matching tag as the reason.
        let ranked = model.rank(profile: model.profile(history: [], interests: ["painting"]), excluding: [], count: 2)
        #expect(ranked.first?.item == 2)
        #expect(ranked.first?.term == "painting")
    }

    @Test func chineseTextIsSplitIntoBigrams() {
        #expect(ContentModel.words("数据分析") == ["数据", "据分", "分析"])
        #expect(ContentModel.words("Learn SQL, the basics") == ["sql", "basics"])
    }
}
