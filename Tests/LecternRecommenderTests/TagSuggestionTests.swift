#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import LecternRecommender

@Suite("Tag suggestion")
struct TagSuggestionTests {
    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-9 }
    /// These catalogs are too small for the default minimum of 2 courses per keyword.
    static let everyWord = KeywordExtractor.Options(minDocuments: 1)

    /// Three courses. Title words count 3, description words 1.
    /// 1: machine 4, learning 4, neural 1, network 1; phrases machine-learning 4, neural-network 1.
    /// 2: machine 3, learning 3, python 3; phrase machine-learning 3.
    /// 3: personal 3, finance 3, budget 1, saving 1; phrase personal-finance 3.
    static let catalog = [
        CourseDocument(id: 1, title: "Machine Learning", description: "Neural networks for machine learning.",
                       tags: ["python"], domain: "data-science", difficulty: .intermediate),
        CourseDocument(id: 2, title: "Machine Learning with Python"),
        CourseDocument(id: 3, title: "Personal Finance", description: "Budgets and savings.", tags: ["Budget"],
                       domain: "finance", difficulty: .beginner),
    ]
    /// Smooth idf with n = 3: df 1 -> ln 2 + 1, df 2 -> ln(4/3) + 1.
    static let idf1 = log(2.0) + 1, idf2 = log(4.0 / 3) + 1

    @Test func aPhraseInSeveralCoursesBeatsItsWords() throws {
        let extractor = try KeywordExtractor(documents: Self.catalog, options: Self.everyWord)
        let keywords = try extractor.keywords(for: 1, limit: 5)
        // machine-learning: (1 + ln 4) x idf2 x 1.5; machine and learning alone are covered by it;
        // neural and network: (1 + ln 1) x idf1 each, alphabetical. neural-network is in one course
        // only, so no phrase; python is already a tag.
        #expect(keywords.map(\.tag) == ["machine-learning", "network", "neural"])
        #expect(Self.close(keywords[0].weight, (1 + log(4.0)) * Self.idf2 * 1.5))
        #expect(keywords[0].isPhrase)
        #expect(Self.close(keywords[1].weight, Self.idf1))
        #expect(Self.close(keywords[2].weight, Self.idf1))
    }

    @Test func tagsAndTheDomainAreNotProposedAgain() throws {
        let extractor = try KeywordExtractor(documents: Self.catalog, options: Self.everyWord)
        // Course 2 has no tags, so python stays: (1 + ln 3) x idf1 below machine-learning's
        // (1 + ln 3) x idf2 x 1.5.
        let second = try extractor.keywords(for: 2)
        #expect(second.map(\.tag) == ["machine-learning", "python"])
        #expect(Self.close(second[0].weight, (1 + log(3.0)) * Self.idf2 * 1.5))
        #expect(Self.close(second[1].weight, (1 + log(3.0)) * Self.idf1))
        // Course 3: finance is its domain, budget its tag (compared without the plural).
        let third = try extractor.keywords(for: 3)
        #expect(third.map(\.tag) == ["personal", "saving"])
        #expect(Self.close(third[0].weight, (1 + log(3.0)) * Self.idf1))
    }

    @Test func theLimitAndThePhraseThreshold() throws {
        let extractor = try KeywordExtractor(documents: Self.catalog, options: .init(phraseMinDocuments: 1, minDocuments: 1))
        // neural-network now counts: (1 + ln 1) x idf1 x 1.5, and covers neural and network.
        let keywords = try extractor.keywords(for: 1, limit: 5)
        #expect(keywords.map(\.tag) == ["machine-learning", "neural-network"])
        #expect(Self.close(keywords[1].weight, Self.idf1 * 1.5))
        #expect(try extractor.keywords(for: 1, limit: 1).map(\.tag) == ["machine-learning"])
        #expect(try extractor.keywords(for: 1, limit: 0).isEmpty)
    }

    @Test func theDomainOfTheNearestCourses() throws {
        // Add course 4, "Python for Finance": n = 4, so df 1 -> ln 2.5 + 1 and df 2 -> ln(5/3) + 1.
        var catalog = Self.catalog
        catalog.append(CourseDocument(id: 4, title: "Python for Finance", domain: "finance"))
        let extractor = try KeywordExtractor(documents: catalog)
        let (idf1, idf2) = (log(2.5) + 1, log(5.0 / 3) + 1)
        // Course 2 is (a, a, a) over machine, learning, python with a = (1 + ln 3) idf2. Course 1
        // shares machine and learning, each b = (1 + ln 4) idf2; its norm also holds neural and
        // network (idf1 each) and tag:python ((1 + ln 3) idf1). Course 4 shares only python, and
        // its two terms weigh the same: cosine 1 / sqrt(3 x 2).
        let b = (1 + log(4.0)) * idf2
        let norm1 = (2 * b * b + 2 * idf1 * idf1 + pow((1 + log(3.0)) * idf1, 2)).squareRoot()
        let toCourse1 = 2 * b / (3.0.squareRoot() * norm1)
        let toCourse4 = 1 / 6.0.squareRoot()
        let guess = try #require(try extractor.domainGuess(for: 2))
        #expect(guess.domain == "data-science")
        #expect(guess.neighbors == [1, 4])
        #expect(Self.close(guess.confidence, toCourse1 / (toCourse1 + toCourse4)))
        // One neighbour: all the vote.
        let nearest = try KeywordExtractor(documents: catalog, options: .init(neighbors: 1))
        #expect(try nearest.domainGuess(for: 2) == DomainGuess(domain: "data-science", confidence: 1, neighbors: [1]))
        // Course 3 shares finance with course 4 only.
        #expect(try extractor.domainGuess(for: 3)?.domain == "finance")
    }

    @Test func noSharedTermsNoDomainGuess() throws {
        let extractor = try KeywordExtractor(documents: [
            CourseDocument(id: 1, title: "Watercolour"), CourseDocument(id: 2, title: "Accounting", domain: "finance"),
        ])
        #expect(try extractor.domainGuess(for: 1) == nil)
        #expect(try extractor.difficultyGuess(for: 1) == nil)
    }

    @Test func difficultyFromCuesAndNeighbours() throws {
        let catalog = [
            CourseDocument(id: 1, title: "Introduction to Python", description: "Advanced topics."),
            CourseDocument(id: 2, title: "Python Programming", difficulty: .advanced),
            CourseDocument(id: 3, title: "Cooking", difficulty: .beginner),
        ]
        // Cues: introduction in the title (3) and advanced in the description (1): beginner 0.75,
        // advanced 0.25. The only neighbour with a difficulty, course 2, is advanced: 1. Advanced
        // wins with 1.25 of 2.
        let guess = try #require(try KeywordExtractor(documents: catalog).difficultyGuess(for: 1))
        #expect(guess == DifficultyGuess(difficulty: .advanced, confidence: 0.625, cues: ["introduction", "advanced"]))
        // Cues alone.
        var unknown = catalog
        unknown[1].difficulty = nil
        let alone = try #require(try KeywordExtractor(documents: unknown).difficultyGuess(for: 1))
        #expect(alone == DifficultyGuess(difficulty: .beginner, confidence: 0.75, cues: ["introduction", "advanced"]))
        // Cue words are never keywords, nor is "topics" (a stop word once singular).
        #expect(try KeywordExtractor(documents: catalog).keywords(for: 1).map(\.tag) == ["python"])
    }

    @Test func equalEvidenceGoesToTheEasierLevel() throws {
        let guess = try KeywordExtractor(documents: [CourseDocument(id: 1, title: "Beginner", description: "Intermediate Intermediate Intermediate")])
            .difficultyGuess(for: 1)
        #expect(guess == DifficultyGuess(difficulty: .beginner, confidence: 0.5, cues: ["beginner", "intermediate"]))
    }

    @Test func chineseWordsAreTheCatalogsLongestRecurringNGrams() throws {
        let catalog = [
            CourseDocument(id: 1, title: "机器学习入门"),
            CourseDocument(id: 2, title: "机器学习进阶"),
        ]
        // 机器学习 occurs twice, and holds every occurrence of 机器学, 器学习, 机器, 器学 and 学习: one word.
        // 入门 and 进阶 occur once: read as bigrams, and they are difficulty cues.
        let extractor = try KeywordExtractor(documents: catalog)
        let keywords = try extractor.keywords(for: 1)
        #expect(keywords.map(\.tag) == ["机器学习"])
        #expect(Self.close(keywords[0].weight, 1 + log(3.0)))  // tf 3 (title weight), df 2 of 2: idf 1
        #expect(try extractor.difficultyGuess(for: 1) == DifficultyGuess(difficulty: .beginner, confidence: 1, cues: ["入门"]))
        #expect(try extractor.difficultyGuess(for: 2)?.difficulty == .intermediate)
        #expect(KeywordExtractor.isStorableTagName("机器学习") && !KeywordExtractor.isStorableTagName("Maschine"))
    }

    /// Issue 18, point 7: twelve real-looking Chinese courses across four domains.
    static let chineseCatalog = [
        CourseDocument(id: 1, title: "深度学习实战",
                       description: "本课程讲解深度学习的核心方法，从神经网络的基本结构到自然语言处理的实际应用，用深度学习解决真实问题。"),
        CourseDocument(id: 2, title: "神经网络与深度学习", description: "系统介绍神经网络、卷积神经网络和循环神经网络，以及深度学习框架。",
                       domain: "data-science"),
        CourseDocument(id: 3, title: "自然语言处理入门", description: "学习自然语言处理的基本任务：分词、文本分类与机器翻译，结合深度学习模型。",
                       domain: "data-science"),
        CourseDocument(id: 4, title: "Python数据分析", description: "用Python进行数据分析与数据可视化，掌握数据清洗和统计方法。",
                       domain: "data-science"),
        CourseDocument(id: 5, title: "机器学习基础", description: "机器学习的基本算法：线性回归、决策树与神经网络，配合Python实践。",
                       domain: "data-science"),
        CourseDocument(id: 6, title: "财务报表分析", description: "读懂资产负债表、利润表和现金流量表，掌握财务报表分析的方法。",
                       domain: "finance"),
        CourseDocument(id: 7, title: "个人投资理财", description: "从基金、股票到债券，建立个人投资理财的长期计划，理解风险与收益。",
                       domain: "finance"),
        CourseDocument(id: 8, title: "股票投资入门", description: "股票市场的基本规则，学习估值方法与风险控制，做好长期投资。",
                       domain: "finance"),
        CourseDocument(id: 9, title: "时间管理与效率", description: "掌握时间管理的方法，提高工作效率，养成良好的习惯。",
                       domain: "personal-development"),
        CourseDocument(id: 10, title: "高效沟通技巧", description: "职场沟通的核心技巧：倾听、表达与反馈，提高工作效率。",
                       domain: "personal-development"),
        CourseDocument(id: 11, title: "领导力与团队管理", description: "培养领导力，学习团队管理与有效沟通，带领团队达成目标。",
                       domain: "personal-development"),
        CourseDocument(id: 12, title: "产品设计思维", description: "用设计思维做产品设计，理解用户需求，完成原型设计。", domain: "design"),
    ]

    @Test func aChineseCourseGetsTheWordsAnEditorWouldKeepAndItsDomain() throws {
        let extractor = try KeywordExtractor(documents: Self.chineseCatalog)
        let suggestion = try extractor.suggestion(for: 1)
        #expect(Array(suggestion.keywords.map(\.tag).prefix(3)) == ["深度学习", "自然语言处理", "神经网络"])
        #expect(suggestion.keywords.allSatisfy { KeywordExtractor.isStorableTagName($0.tag) })
        #expect(suggestion.domain?.domain == "data-science")
        // Other domains' words, found the same way.
        // Other domains' words, found the same way, and each course's domain from its neighbours.
        #expect(try extractor.keywords(for: 7).map(\.tag).contains("股票"))
        #expect(try extractor.keywords(for: 11).map(\.tag) == ["沟通"])  // not 效沟通 (高效沟通, 有效沟通)
        for id in [2, 3, 5, 7, 8, 9, 10, 11] as [Int64] {
            #expect(try extractor.domainGuess(for: id)?.domain == Self.chineseCatalog[Int(id) - 1].domain, "course \(id)")
        }
        // No keyword of any course is a fragment such as 度学 or 经网.
        for id in Int64(1)...12 {
            for keyword in try extractor.keywords(for: id) {
                #expect(!["度学", "经网", "言处", "然语", "深度", "实战", "效沟通"].contains(keyword.tag), "course \(id): \(keyword.tag)")
            }
        }
    }

    @Test func aSuggestionGuessesOnlyWhatIsMissing() throws {
        var catalog = Self.catalog
        catalog.append(CourseDocument(id: 4, title: "Python for Finance", domain: "finance"))
        let extractor = try KeywordExtractor(documents: catalog)
        let known = try extractor.suggestion(for: 1)
        #expect(known.domain == nil && known.difficulty == nil)
        let unknown = try extractor.suggestion(for: 2)
        #expect(unknown.domain?.domain == "data-science")
        #expect(unknown.difficulty?.difficulty == .intermediate)   // its nearest course with a level is course 1
        #expect(unknown.keywords == (try extractor.keywords(for: 2)))
    }

    @Test func theTokenizerKeepsRunsForPhrases() {
        let runs = ContentModel.runs("Deep-Learning, for 机器学习! C++ basics")
        #expect(runs == [ContentModel.TextRun(terms: ["deep", "learning"], isCJK: false),
                         ContentModel.TextRun(terms: ["机器", "器学", "学习"], isCJK: true),
                         ContentModel.TextRun(terms: ["c++", "basics"], isCJK: false)])
        #expect(ContentModel.words("Deep-Learning, for 机器学习! C++ basics")
                == ["deep", "learning", "机器", "器学", "学习", "c++", "basics"])
        // A stop word ends a run.
        #expect(ContentModel.runs("history of art").map(\.terms) == [["history"], ["art"]])
    }

    @Test func englishNormalisation() {
        let pairs = [("libraries", "library"), ("networks", "network"), ("classes", "class"), ("boxes", "box"),
                     ("analysis", "analysis"), ("statistics", "statistics"), ("pandas", "pandas"), ("bus", "bus"),
                     ("status", "status"), ("business", "business"), ("matches", "match"), ("topics", "topic"), ("quizzes", "quiz"), ("physics", "physics")]
        for (word, expected) in pairs { #expect(KeywordExtractor.normalizedWord(word) == expected) }
        #expect(KeywordExtractor.normalizedTag("Neural Networks") == "neural-network")
        #expect(KeywordExtractor.normalizedTag("Data_Science") == "data-science")
    }

    @Test func storableTagNames() {
        #expect(KeywordExtractor.isStorableTagName("c++"))
        #expect(KeywordExtractor.isStorableTagName("node.js"))
        #expect(KeywordExtractor.isStorableTagName("machine-learning"))
        #expect(KeywordExtractor.isStorableTagName("机器"))  // migration 15 takes CJK tags
        #expect(!KeywordExtractor.isStorableTagName("élan"))
        #expect(!KeywordExtractor.isStorableTagName(""))
        #expect(!KeywordExtractor.isStorableTagName(String(repeating: "a", count: 61)))
    }

    @Test func badCatalogsAndUnknownCourses() throws {
        #expect(throws: RecommenderError("course 1 appears twice in the catalog")) {
            try KeywordExtractor(documents: [CourseDocument(id: 1, title: "a"), CourseDocument(id: 1, title: "b")])
        }
        #expect(throws: RecommenderError.self) { try KeywordExtractor(documents: [], options: .init(neighbors: 0)) }
        let empty = try KeywordExtractor(documents: [])
        #expect(throws: RecommenderError("no course 9 in the catalog")) { try empty.keywords(for: 9) }
        // A course with no words has no keywords and no guesses.
        let blank = try KeywordExtractor(documents: [CourseDocument(id: 1, title: "!!")])
        #expect(try blank.suggestion(for: 1) == TagSuggestion(course: 1, keywords: [], domain: nil, difficulty: nil))
    }

    @Test func stopWordsGenericWordsAndTheMinimumOfCourses() throws {
        let catalog = [
            CourseDocument(id: 1, title: "Go für Einsteiger", description: "Der einfache Einstieg in Go, ganz ohne Vorkenntnisse."),
            CourseDocument(id: 2, title: "Rust für Einsteiger", description: "Der einfache Einstieg in Rust, ganz ohne Vorkenntnisse."),
            CourseDocument(id: 3, title: "Fundamentos de Real Estate", description: "Run a small, profitable real estate business."),
            CourseDocument(id: 4, title: "Real Estate Investing", description: "Run a small, profitable portfolio.", tags: ["real-estate"]),
        ]
        let extractor = try KeywordExtractor(documents: catalog)
        // Only go, rust and the words of the Spanish and generic copy remain; go and rust describe one course each.
        #expect(try extractor.keywords(for: 1).isEmpty)
        // real is generic, yet real-estate is a catalog tag; small, run and profitable are never keywords.
        #expect(try extractor.keywords(for: 3).map(\.tag) == ["real-estate"])
        let baseline = try KeywordExtractor(documents: catalog, options: .baseline)
        #expect(try baseline.keywords(for: 1, limit: 10).map(\.tag).contains("ganz-ohne"))
        #expect(try baseline.keywords(for: 4, limit: 10).map(\.tag).contains("profitable"))
        #expect(try KeywordExtractor(documents: catalog, options: .init(minDocuments: 1)).keywords(for: 1).map(\.tag) == ["go"])
        #expect(throws: RecommenderError.self) { try KeywordExtractor(documents: [], options: .init(minDocuments: 0)) }
    }

    @Test func evaluationCountsHitsAmongHiddenTags() throws {
        // Each course has two tags, so one is hidden; the seed decides which. Both texts name both.
        let catalog = [
            CourseDocument(id: 1, title: "Pandas and Numpy", tags: ["pandas", "numpy"]),
            CourseDocument(id: 2, title: "Pandas and Numpy", tags: ["pandas", "numpy"]),
        ]
        let result = try TagEvaluation.measure(documents: catalog, k: 5)
        #expect(result.courses == 2 && result.hidden == 2)
        // The visible tag is known, so the one suggestion is the hidden tag.
        #expect(result.suggestions == 2 && result.hits == 2)
        #expect(result.precision == 1 && result.recall == 1)
        #expect(throws: RecommenderError.self) { try TagEvaluation.measure(documents: catalog, hiddenShare: 2) }
    }
}
