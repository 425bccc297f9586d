import Foundation
import Testing
@testable import LecternRecommender

/// EASE and RP3beta against numpy implementations written from their papers
/// (`tools/make_item_models_fixture.py`, on the matrix of `implicit_knn.json`).
///
/// Tolerance: every weight and score within 1e-6 of the reference, relative to the largest
/// magnitude in its row (the fixture keeps ten significant digits); top-10 lists identical.
@Suite("EASE and RP3beta against the reference")
struct ItemModelsReferenceTests {
    struct Reference {
        let name: String
        let json: [String: Any]
        var rows: [Int: [Double]] {
            let key = json["algorithm"] as! String == "ease" ? "B_rows" : "W_rows"
            return Dictionary(uniqueKeysWithValues: (json[key] as! [String: [Double]]).map { (Int($0.key)!, $0.value) })
        }
        var scores: [[Double]] { json["scores"] as! [[Double]] }
        var top10: [[Int]] { json["top10"] as! [[Int]] }
        func number(_ key: String) -> Double { (json[key] as! NSNumber).doubleValue }
    }

    static func load() throws -> (matrix: SparseMatrix, learners: [Int], models: [Reference]) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/item_models.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let models = (json["models"] as! [String: [String: Any]]).sorted { $0.key < $1.key }.map { Reference(name: $0.key, json: $0.value) }
        return (try ImplicitFixture.load().matrix, json["learners"] as! [Int], models)
    }

    /// Every course's score for a learner: Σ over the learner's courses of weight x the kept weight.
    static func denseScores(_ model: ItemKNNModel, history: [(item: Int32, weight: Float)]) -> [Double] {
        var scores = [Double](repeating: 0, count: model.itemCount)
        for (item, weight) in history {
            for k in model.neighborStarts[Int(item)]..<model.neighborStarts[Int(item) + 1] {
                scores[Int(model.neighborIndices[k])] += Double(weight) * model.neighborScores[k]
            }
        }
        return scores
    }

    static func close(_ actual: [Double], _ expected: [Double]) -> Bool {
        let scale = max(expected.map(abs).max() ?? 0, 1e-12)
        return actual.count == expected.count && zip(actual, expected).allSatisfy { abs($0 - $1) <= 1e-6 * scale }
    }

    static func train(_ reference: Reference, _ matrix: SparseMatrix, threads: Int) throws -> ItemKNNModel {
        if reference.json["algorithm"] as! String == "ease" {
            return try EASE.train(userItems: matrix, parameters: EASEParameters(
                regularization: reference.number("lambda"), neighbors: matrix.columnCount, threads: threads))
        }
        return try RP3beta.train(userItems: matrix, parameters: RP3betaParameters(
            alpha: reference.number("alpha"), beta: reference.number("beta"),
            neighbors: Int(reference.number("neighbors")), threads: threads))
    }

    @Test(arguments: [1, 2])
    func weightsScoresAndListsMatch(threads: Int) throws {
        let (matrix, learners, models) = try Self.load()
        #expect(models.count == 4)
        for reference in models {
            let model = try Self.train(reference, matrix, threads: threads)
            for (item, expected) in reference.rows {
                var row = [Double](repeating: 0, count: matrix.columnCount)
                for k in model.neighborStarts[item]..<model.neighborStarts[item + 1] {
                    row[Int(model.neighborIndices[k])] = model.neighborScores[k]
                }
                #expect(Self.close(row, expected), "\(reference.name): row \(item)")
            }
            for (index, user) in learners.enumerated() {
                let entries = matrix.row(user)
                let history = zip(entries.columns, entries.values).map { (item: $0, weight: $1) }
                #expect(Self.close(Self.denseScores(model, history: history), reference.scores[index]),
                        "\(reference.name): learner \(user)")
                let top = model.recommend(history: history, excluding: Set(entries.columns), count: 10)
                #expect(top.map { Int($0.item) } == reference.top10[index], "\(reference.name): learner \(user)")
            }
        }
    }

    @Test func easeByHand() throws {
        // Two learners took courses 0 and 1, one took 1 and 2 (all weight 1); λ = 1.
        // G = XᵀX + I = [[3,2,0],[2,4,1],[0,1,2]]; P = G⁻¹ = [[7,-4,2],[-4,6,-3],[2,-3,8]] / 13;
        // B_ij = -P_ij / P_jj: B_01 = 4/6, B_02 = -2/8, B_10 = 4/7, B_12 = 3/8, B_20 = -2/7, B_21 = 3/6.
        let x = SparseMatrix(rowCount: 3, columnCount: 3, entries: [(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1), (2, 1, 1), (2, 2, 1)])
        let model = try EASE.train(userItems: x, parameters: EASEParameters(regularization: 1, neighbors: 3))
        let expected: [[(Int32, Double)]] = [[(1, 4.0 / 6)], [(0, 4.0 / 7), (2, 3.0 / 8)], [(1, 3.0 / 6)]]
        for item in 0..<3 {
            let positive = model.neighbors(of: item).filter { $0.score > 0 }
            #expect(positive.map(\.item) == expected[item].map(\.0))
            #expect(zip(positive, expected[item]).allSatisfy { abs($0.score - $1.1) < 1e-12 })
        }
        #expect(abs(model.neighbors(of: 0).last!.score - (-2.0 / 8)) < 1e-12)
    }

    @Test func rp3betaByHand() throws {
        // Same matrix; α = 1, β = 0: W_02 = Σ_u P_0u P_u2 = 0 (nobody took 0 and 2), W_01 = ½·½ + ½·½ = ½,
        // W_10 = ⅓(½ + ½) = ⅓, W_12 = ⅓·½ = ⅙. With β = 1, W_10 is divided by popularity(0) = 2.
        let x = SparseMatrix(rowCount: 3, columnCount: 3, entries: [(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1), (2, 1, 1), (2, 2, 1)])
        let plain = try RP3beta.train(userItems: x, parameters: RP3betaParameters(alpha: 1, beta: 0, neighbors: 5))
        #expect(plain.neighbors(of: 0).map(\.item) == [1])
        #expect(abs(plain.neighbors(of: 0)[0].score - 0.5) < 1e-12)
        #expect(plain.neighbors(of: 1).map(\.item) == [0, 2])
        #expect(abs(plain.neighbors(of: 1)[1].score - 1.0 / 6) < 1e-12)
        let penalised = try RP3beta.train(userItems: x, parameters: RP3betaParameters(alpha: 1, beta: 1, neighbors: 5))
        #expect(abs(penalised.neighbors(of: 1)[0].score - 1.0 / 6) < 1e-12)
        #expect(penalised.neighbors(of: 1).map(\.item) == [0, 2] || penalised.neighbors(of: 1).map(\.item) == [2, 0])
    }

    @Test func easeRefusesACatalogOverTheLimit() {
        let x = SparseMatrix(rowCount: 1, columnCount: EASE.maxCourses + 1, entries: [(0, 0, 1)])
        #expect(throws: RecommenderError("EASE handles at most \(EASE.maxCourses) courses (two dense courses x courses matrices); this catalog has \(EASE.maxCourses + 1): use rp3beta or itemknn")) {
            try EASE.train(userItems: x)
        }
    }

    @Test func choleskyInvertsOnBothCores() throws {
        // A random SPD matrix large enough for the threaded column split: A Aᵀ / n + I.
        let n = 260
        var generator = SeededGenerator(seed: 7)
        let m = (0..<(n * n)).map { _ in Double.random(in: -1...1, using: &generator) }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { var s = 0.0; for k in 0..<n { s += m[i * n + k] * m[j * n + k] }; a[i * n + j] = s / Double(n) + (i == j ? 1 : 0) } }
        let original = a
        var inverse = [Double](repeating: 0, count: n * n)
        try a.withUnsafeMutableBufferPointer { l in
            try Cholesky.factor(l.baseAddress!, n: n, threads: 2)
            inverse.withUnsafeMutableBufferPointer { Cholesky.invert(factored: l.baseAddress!, n: n, into: $0.baseAddress!, threads: 2) }
        }
        var worst = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for k in 0..<n { s += original[i * n + k] * inverse[k * n + j] }
                worst = max(worst, abs(s - (i == j ? 1 : 0)))
            }
        }
        #expect(worst < 1e-10)
    }
}
