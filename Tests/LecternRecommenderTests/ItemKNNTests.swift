import Foundation
import Testing
@testable import LecternRecommender

@Suite("Item-kNN")
struct ItemKNNTests {
    /// Learners A, B, C and courses D, E, F:
    /// A took D and E, B took D and E, C took E and F (all weight 1).
    static let abc = SparseMatrix(rowCount: 3, columnCount: 3, entries: [
        (0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1), (2, 1, 1), (2, 2, 1),
    ])

    @Test func cosineByHand() throws {
        let model = try ItemKNN.train(userItems: Self.abc, parameters: ItemKNNParameters(neighbors: 3))
        // D = (1,1,0), E = (1,1,1), F = (0,0,1) over learners A, B, C.
        // cos(D,E) = 2 / (sqrt2 sqrt3) = 0.8165; cos(E,F) = 1 / sqrt3 = 0.5774; cos(D,F) = 0.
        let d = model.neighbors(of: 0)
        #expect(d.map(\.item) == [1])
        #expect(abs(d[0].score - 0.8165) < 1e-4)
        let e = model.neighbors(of: 1)
        #expect(e.map(\.item) == [0, 2])
        #expect(abs(e[1].score - 0.5774) < 1e-4)
        // A learner who took only F: E scores 0.5774 (via F), D nothing.
        let recs = model.recommend(history: [(2, 1)], excluding: [2], count: 5)
        #expect(recs.map(\.item) == [1])
        #expect(recs[0].because == 2)
    }

    @Test func ownedCoursesAreNeverRecommendedAndScoresAreOrdered() throws {
        let model = try ItemKNN.train(userItems: Self.abc, parameters: ItemKNNParameters(neighbors: 3))
        let recs = model.recommend(history: [(0, 2), (1, 1)], excluding: [0, 1], count: 10)
        #expect(recs.allSatisfy { $0.item != 0 && $0.item != 1 })
        #expect(zip(recs, recs.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test func aCourseIsNeverItsOwnReason() throws {
        let model = try ItemKNN.train(userItems: Self.abc, parameters: ItemKNNParameters(neighbors: 3))
        // Viewed D and E, owns neither: both can come back, each explained by the other.
        let recs = model.recommend(history: [(0, 1), (1, 1)], excluding: [], count: 3)
        #expect(recs.first { $0.item == 0 }?.because == 1)
        #expect(recs.first { $0.item == 1 }?.because == 0)
    }

    @Test func parametersOutOfRangeAreRefused() {
        #expect(throws: RecommenderError.self) { try ItemKNN.train(userItems: Self.abc, parameters: ItemKNNParameters(neighbors: 0)) }
        #expect(throws: RecommenderError.self) { try ItemKNN.train(userItems: Self.abc, parameters: ItemKNNParameters(shrinkage: -1)) }
        #expect(throws: RecommenderError.self) {
            try ItemKNN.train(userItems: Self.abc, parameters: ItemKNNParameters(weighting: .bm25(k1: 1.2, b: 2)))
        }
    }

    @Test func shrinkagePenalisesFewCommonLearners() throws {
        let plain = try ItemKNN.train(userItems: Self.abc, parameters: ItemKNNParameters(neighbors: 3))
        let shrunk = try ItemKNN.train(userItems: Self.abc, parameters: ItemKNNParameters(neighbors: 3, shrinkage: 1))
        // D and E share 2 learners: 0.8165 * 2/3; E and F share 1: 0.5774 * 1/2.
        #expect(abs(shrunk.neighbors(of: 0)[0].score - plain.neighbors(of: 0)[0].score * 2 / 3) < 1e-5)
        #expect(abs(shrunk.neighbors(of: 2)[0].score - plain.neighbors(of: 2)[0].score / 2) < 1e-5)
    }

    @Test func oneThreadAndTwoThreadsAgree() throws {
        let fixture = try ImplicitFixture.load()
        let one = try ItemKNN.train(userItems: fixture.matrix, parameters: ItemKNNParameters(neighbors: 12, threads: 1))
        let two = try ItemKNN.train(userItems: fixture.matrix, parameters: ItemKNNParameters(neighbors: 12, threads: 2))
        #expect(one == two)
    }

    // MARK: Agreement with implicit 0.7.3 (fixture made by Fixtures/make_implicit_fixture.py)

    @Test(arguments: ["cosine", "tfidf", "bm25"])
    func neighbourListsEqualImplicits(name: String) throws {
        let fixture = try ImplicitFixture.load()
        let weighting: ItemWeighting = switch name {
        case "cosine": .cosine
        case "tfidf": .tfidf
        default: .bm25(k1: 1.2, b: 0.75)
        }
        let model = try ItemKNN.train(userItems: fixture.matrix,
                                      parameters: ItemKNNParameters(neighbors: fixture.k, weighting: weighting))
        let expected = fixture.neighbours[name]!
        var compared = 0
        for item in 0..<fixture.items {
            let theirs = expected[item].filter { $0.0 != item }
            let ours = model.neighbors(of: item)
            let theirScores = Dictionary(uniqueKeysWithValues: theirs.map { ($0.0, $0.1) })
            let ourScores = Dictionary(uniqueKeysWithValues: ours.map { (Int($0.item), Double($0.score)) })
            // Exact ties at the cut-off may pick different courses; anything else must match.
            let cutoff = min(theirs.map(\.1).min() ?? 0, ourScores.values.min() ?? 0)
            for (course, score) in theirScores {
                if let mine = ourScores[course] {
                    #expect(abs(mine - score) < 1e-4, "\(name): course \(item) -> \(course): \(mine) vs \(score)")
                    compared += 1
                } else {
                    #expect(abs(score - cutoff) < 1e-4, "\(name): course \(item) misses neighbour \(course) (\(score))")
                }
            }
            for (course, score) in ourScores where theirScores[course] == nil {
                #expect(abs(score - cutoff) < 1e-4, "\(name): course \(item) has extra neighbour \(course) (\(score))")
            }
        }
        #expect(compared > fixture.items * (fixture.k - 2))
    }

    @Test(arguments: ["cosine", "bm25"])
    func recommendationsEqualImplicits(name: String) throws {
        let fixture = try ImplicitFixture.load()
        let weighting: ItemWeighting = name == "cosine" ? .cosine : .bm25(k1: 1.2, b: 0.75)
        let model = try ItemKNN.train(userItems: fixture.matrix,
                                      parameters: ItemKNNParameters(neighbors: fixture.k, weighting: weighting))
        for (user, expected) in fixture.recommendations[name]! {
            let row = fixture.matrix.row(user)
            let history = zip(row.columns, row.values).map { (item: $0, weight: $1) }
            let ours = model.recommend(history: history, excluding: Set(row.columns), count: 10)
            #expect(ours.count == expected.count)
            for (mine, theirs) in zip(ours, expected) {
                #expect(abs(Double(mine.score) - theirs.1) < 1e-3 * max(1, abs(theirs.1)), "user \(user)")
            }
            // Same courses, ties at the end aside.
            let last = expected.last?.1 ?? 0
            let expectedSet = Set(expected.filter { abs($0.1 - last) > 1e-4 }.map(\.0))
            #expect(expectedSet.isSubset(of: Set(ours.map { Int($0.item) })), "user \(user)")
        }
    }
}

/// The committed fixture: a matrix and implicit 0.7.3's neighbours and recommendations for it.
struct ImplicitFixture {
    let users: Int
    let items: Int
    let k: Int
    let matrix: SparseMatrix
    let neighbours: [String: [[(Int, Double)]]]
    let recommendations: [String: [Int: [(Int, Double)]]]

    static func load() throws -> ImplicitFixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/implicit_knn.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let users = json["users"] as! Int, items = json["items"] as! Int
        let matrix = SparseMatrix(rowCount: users, columnCount: items, rowStarts: json["indptr"] as! [Int],
                                  columnIndices: (json["indices"] as! [Int]).map(Int32.init),
                                  values: (json["data"] as! [Double]).map(Float.init))
        var neighbours: [String: [[(Int, Double)]]] = [:]
        var recommendations: [String: [Int: [(Int, Double)]]] = [:]
        for (name, model) in json["models"] as! [String: [String: Any]] {
            neighbours[name] = (model["neighbours"] as! [[[Double]]]).map { $0.map { (Int($0[0]), $0[1]) } }
            var byUser: [Int: [(Int, Double)]] = [:]
            for (user, list) in model["recommendations"] as! [String: [[Double]]] {
                byUser[Int(user)!] = list.map { (Int($0[0]), $0[1]) }
            }
            recommendations[name] = byUser
        }
        return ImplicitFixture(users: users, items: items, k: json["K"] as! Int, matrix: matrix,
                               neighbours: neighbours, recommendations: recommendations)
    }
}
