import Testing
@testable import LecternRecommender

/// Shared fixtures and helpers for the matrix factorization tests.
enum FactorFixtures {
    /// Two groups of learners: 0-2 took courses 0, 1, 2; 3-5 took 3, 4, 5; learner 6 took 0 and 1.
    /// Course 2 is what learner 6 obviously lacks.
    static let twoGroups: SparseMatrix = {
        var entries: [(row: Int32, column: Int32, value: Float)] = []
        for learner in Int32(0)...2 { for course in Int32(0)...2 { entries.append((learner, course, 1)) } }
        for learner in Int32(3)...5 { for course in Int32(3)...5 { entries.append((learner, course, 1)) } }
        entries.append((6, 0, 1))
        entries.append((6, 1, 1))
        return SparseMatrix(rowCount: 7, columnCount: 6, entries: entries)
    }()

    /// A deterministic random matrix with weights 1...5 and no empty rows or columns unless asked.
    static func random(rows: Int, columns: Int, perRow: Int, seed: UInt64) -> SparseMatrix {
        var generator = SeededGenerator(seed: seed)
        var entries: [(row: Int32, column: Int32, value: Float)] = []
        for row in 0..<rows {
            var seen = Set<Int>()
            // Popular courses (low indices) more often: the square of a uniform number.
            while seen.count < min(perRow, columns) {
                let u = generator.nextUnitFloat()
                seen.insert(min(columns - 1, Int(u * u * Float(columns))))
            }
            for column in seen.sorted() {
                entries.append((Int32(row), Int32(column), Float(1 + generator.nextIndex(below: 5))))
            }
        }
        for column in 0..<columns { entries.append((Int32(column % rows), Int32(column), 1)) }
        return SparseMatrix(rowCount: rows, columnCount: columns, entries: entries)
    }

    /// Σ over every (u, i) of c (p - x_u·y_i)² + λ(|X|² + |Y|²), with c = 1 + alpha w and p = 1
    /// for stored entries, c = 1 and p = 0 elsewhere: what ALS minimises. In Double.
    static func weightedLoss(_ matrix: SparseMatrix, _ model: FactorModel) -> Double {
        let k = model.factorCount
        var loss = 0.0
        for u in 0..<matrix.rowCount {
            for i in 0..<matrix.columnCount {
                var s = 0.0
                for j in 0..<k { s += Double(model.userFactors[u * k + j]) * Double(model.itemFactors[i * k + j]) }
                let w = matrix.value(row: u, column: i)
                let stored = matrix.row(u).columns.contains(Int32(i))
                let c = stored ? 1 + Double(model.alpha) * Double(w) : 1
                let p = stored ? 1.0 : 0.0
                loss += c * (p - s) * (p - s)
            }
        }
        let norms = model.userFactors.reduce(0.0) { $0 + Double($1) * Double($1) }
            + model.itemFactors.reduce(0.0) { $0 + Double($1) * Double($1) }
        return loss + Double(model.regularization) * norms
    }

    /// The same model with learners and courses swapped, so that `foldIn` solves for a course.
    static func transposed(_ model: FactorModel) throws -> FactorModel {
        try FactorModel(factorCount: model.factorCount, userFactors: model.itemFactors, itemFactors: model.userFactors,
                        regularization: model.regularization, alpha: model.alpha)
    }

    static func maxDifference(_ a: some Collection<Float>, _ b: some Collection<Float>) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}

@Suite("ALS")
struct ALSTests {
    @Test func ranksTheObviousCourseFirst() throws {
        // Two factors, one per group. (With a factor per course, ALS would memorise the matrix
        // and score every missing course near 0, though course 2 would still come first.)
        let model = try ALS.train(userItems: FactorFixtures.twoGroups,
                                  parameters: ALSParameters(factors: 2, regularization: 0.1, iterations: 15, seed: 1))
        let recommendations = model.recommend(user: 6, excluding: [0, 1], count: 4)
        #expect(recommendations.map(\.item).first == 2)
        #expect(recommendations.count == 4)
        // Course 2 is liked by learner 6's group, the others by the other group only.
        #expect(recommendations[0].score > 0.5)
        #expect(recommendations[1].score < 0.1)
        #expect(model.recommend(user: 0, excluding: [0, 1, 2], count: 3).allSatisfy { $0.score < 0.1 })
        // Scores are the dot products and come best first.
        for (item, score) in recommendations {
            #expect(abs(score - model.score(user: 6, item: Int(item))) < 1e-6)
        }
        #expect(zip(recommendations, recommendations.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test func manyConjugateGradientStepsReachTheExactLeastSquaresSolution() throws {
        let matrix = FactorFixtures.random(rows: 40, columns: 25, perRow: 6, seed: 3)
        // cgSteps >= factors: CG solves each system exactly (up to rounding). The courses are
        // solved last, against the final learner vectors, so each course vector must equal the
        // Cholesky fold-in of that course against the learners.
        let model = try ALS.train(userItems: matrix, parameters: ALSParameters(
            factors: 8, regularization: 0.1, alpha: 2, iterations: 2, cgSteps: 30, seed: 5, threads: 1))
        let swapped = try FactorFixtures.transposed(model)
        let itemUsers = matrix.transposed()
        var worst: Float = 0
        for item in 0..<matrix.columnCount {
            let (learners, weights) = itemUsers.row(item)
            let exact = swapped.foldIn(items: Array(zip(learners, weights).map { (item: $0.0, weight: $0.1) }))
            worst = max(worst, FactorFixtures.maxDifference(exact, model.itemVector(item)))
        }
        #expect(worst < 1e-3)

        // And with 3 steps from a random start, one alternation is not there yet.
        let rough = try ALS.train(userItems: matrix, parameters: ALSParameters(
            factors: 8, regularization: 0.1, alpha: 2, iterations: 1, cgSteps: 1, seed: 5, threads: 1))
        let roughSwapped = try FactorFixtures.transposed(rough)
        let (learners, weights) = itemUsers.row(0)
        let exact = roughSwapped.foldIn(items: Array(zip(learners, weights).map { (item: $0.0, weight: $0.1) }))
        #expect(FactorFixtures.maxDifference(exact, rough.itemVector(0)) > 1e-3)
    }

    @Test func lossDecreasesOverIterations() throws {
        let matrix = FactorFixtures.random(rows: 30, columns: 20, perRow: 5, seed: 11)
        let parameters = ALSParameters(factors: 6, regularization: 0.05, alpha: 3, iterations: 1, seed: 2, threads: 1)
        var model = try ALS.train(userItems: matrix, parameters: parameters)
        var losses = [FactorFixtures.weightedLoss(matrix, model)]
        for _ in 0..<7 {
            model = try ALS.train(userItems: matrix, parameters: parameters, initialModel: model)
            losses.append(FactorFixtures.weightedLoss(matrix, model))
        }
        for (before, after) in zip(losses, losses.dropFirst()) {
            #expect(after <= before * (1 + 1e-6), "loss went up: \(losses)")
        }
        #expect(losses.last! < losses.first! * 0.9, "loss barely moved: \(losses)")
        // Continuing from a model is the same as training longer in one go.
        let straight = try ALS.train(userItems: matrix, parameters: ALSParameters(
            factors: 6, regularization: 0.05, alpha: 3, iterations: 8, seed: 2, threads: 1))
        #expect(straight == model)
    }

    @Test func sameSeedSameModelOtherSeedOtherModel() throws {
        let matrix = FactorFixtures.random(rows: 50, columns: 30, perRow: 5, seed: 7)
        let parameters = ALSParameters(factors: 8, iterations: 3, seed: 99)
        let first = try ALS.train(userItems: matrix, parameters: parameters)
        let second = try ALS.train(userItems: matrix, parameters: parameters)
        #expect(first.userFactors == second.userFactors)
        #expect(first.itemFactors == second.itemFactors)
        var other = parameters
        other.seed = 100
        let third = try ALS.train(userItems: matrix, parameters: other)
        #expect(third.userFactors != first.userFactors)
        #expect(third.itemFactors != first.itemFactors)
    }

    @Test func threadCountDoesNotChangeTheModel() throws {
        // More than one Gram block (512 rows) and many chunks, with a course touched by most learners.
        let matrix = FactorFixtures.random(rows: 1100, columns: 60, perRow: 3, seed: 13)
        var parameters = ALSParameters(factors: 9, iterations: 2, seed: 4, threads: 1)
        let one = try ALS.train(userItems: matrix, parameters: parameters)
        parameters.threads = 2
        let two = try ALS.train(userItems: matrix, parameters: parameters)
        parameters.threads = 5
        let five = try ALS.train(userItems: matrix, parameters: parameters)
        #expect(one.userFactors == two.userFactors && one.itemFactors == two.itemFactors)
        #expect(one.userFactors == five.userFactors && one.itemFactors == five.itemFactors)
        #expect(one.userFactors.contains { $0 != 0 })
    }

    @Test func invalidParametersThrow() {
        let matrix = FactorFixtures.twoGroups
        let invalid: [(ALSParameters, String)] = [
            (ALSParameters(factors: 0), "factors"),
            (ALSParameters(regularization: -0.1), "regularization"),
            (ALSParameters(regularization: .nan), "regularization"),
            (ALSParameters(alpha: -1), "alpha"),
            (ALSParameters(alpha: .infinity), "alpha"),
            (ALSParameters(iterations: 0), "iterations"),
            (ALSParameters(cgSteps: 0), "cgSteps"),
            (ALSParameters(threads: -1), "threads"),
        ]
        for (parameters, word) in invalid {
            do {
                _ = try ALS.train(userItems: matrix, parameters: parameters)
                Issue.record("no error for \(parameters)")
            } catch let error as FactorModelError {
                #expect(error.description.contains(word), "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        let negative = SparseMatrix(rowCount: 1, columnCount: 2, entries: [(0, 0, 1), (0, 1, -2)])
        #expect(throws: FactorModelError.self) { try ALS.train(userItems: negative) }
        let model = try? ALS.train(userItems: matrix, parameters: ALSParameters(factors: 2, iterations: 1))
        #expect(throws: FactorModelError.self) {
            try ALS.train(userItems: matrix, parameters: ALSParameters(factors: 3, iterations: 1), initialModel: model)
        }
    }

    @Test func foldInOfAConvergedLearnerReproducesTheirVector() throws {
        let matrix = FactorFixtures.random(rows: 40, columns: 25, perRow: 6, seed: 17)
        let model = try ALS.train(userItems: matrix, parameters: ALSParameters(
            factors: 6, regularization: 1, alpha: 1, iterations: 200, seed: 3, threads: 1))
        var worst: Float = 0
        var largest: Float = 0
        for user in 0..<matrix.rowCount {
            let (courses, weights) = matrix.row(user)
            let folded = model.foldIn(items: Array(zip(courses, weights).map { (item: $0.0, weight: $0.1) }))
            worst = max(worst, FactorFixtures.maxDifference(folded, model.userVector(user)))
            largest = max(largest, model.userVector(user).map(abs).max()!)
        }
        #expect(largest > 0.1)
        #expect(worst < 1e-3, "fold-in differs by \(worst)")
        // A learner with nothing gets the zero vector, as in training.
        #expect(model.foldIn(items: []) == [Float](repeating: 0, count: 6))
    }

    @Test func emptyRowsGetZeroVectorsAndProgressIsReported() throws {
        let matrix = SparseMatrix(rowCount: 4, columnCount: 3, entries: [(0, 0, 1), (0, 1, 2), (2, 1, 1)])
        let calls = FactorCallLog()
        let model = try ALS.train(userItems: matrix, parameters: ALSParameters(factors: 3, iterations: 4)) { done, total in
            calls.append(done, total)
        }
        #expect(calls.entries.map(\.0) == [1, 2, 3, 4])
        #expect(calls.entries.allSatisfy { $0.1 == 4 })
        #expect(model.userVector(1).allSatisfy { $0 == 0 })
        #expect(model.userVector(3).allSatisfy { $0 == 0 })
        #expect(model.itemVector(2).allSatisfy { $0 == 0 })
        #expect(model.userVector(0).contains { $0 != 0 })
    }
}

/// Collects progress callbacks (which are @Sendable).
final class FactorCallLog: @unchecked Sendable {
    private(set) var entries: [(Int, Int)] = []
    func append(_ done: Int, _ total: Int) { entries.append((done, total)) }
}

@Suite("FactorModel")
struct FactorModelTests {
    /// 2 learners, 4 courses, 2 factors, by hand.
    static let handmade = try! FactorModel(
        factorCount: 2,
        userFactors: [1, 0,
                      0.5, 0.5],
        itemFactors: [2, 0,     // course 0
                      0, 3,     // course 1
                      2, 0,     // course 2: same as 0
                      -1, 1])   // course 3

    @Test func scoresAndTiesByLowerIndex() {
        let model = Self.handmade
        #expect(model.score(user: 0, item: 0) == 2)
        #expect(model.score(user: 1, item: 1) == 1.5)
        // Learner 0: courses 0 and 2 tie at 2; 0 comes first. Then 1 (0), then 3 (-1).
        #expect(model.recommend(user: 0, count: 10).map(\.item) == [0, 2, 1, 3])
        #expect(model.recommend(user: 0, count: 1).map(\.item) == [0])
        #expect(model.recommend(user: 0, excluding: [0], count: 2).map(\.item) == [2, 1])
        #expect(model.recommend(user: 0, count: 0).isEmpty)
        #expect(model.recommend(userVector: [0, 1], count: 2).map(\.item) == [1, 3])
    }

    @Test func similarItemsByCosine() {
        let model = Self.handmade
        let similar = model.similarItems(to: 0, count: 3)
        #expect(similar.map(\.item) == [2, 1, 3])
        #expect(abs(similar[0].score - 1) < 1e-6)
        #expect(abs(similar[1].score) < 1e-6)
        #expect(abs(similar[2].score + 0.70710677) < 1e-6)
    }

    @Test func foldInMatchesTheNormalEquations() throws {
        // With one course of weight w: (YᵀY + (c - 1) y yᵀ + λI) x = c y, checked against a 2x2 solve by hand.
        let model = try FactorModel(factorCount: 2, userFactors: [], itemFactors: [1, 0, 0, 1, 1, 1],
                                    regularization: 0.5, alpha: 2)
        let x = model.foldIn(items: [(item: 2, weight: 1)])  // c = 3, y = (1, 1)
        // YᵀY = [[2, 1], [1, 2]]; + 2 * [[1, 1], [1, 1]] + 0.5 I = [[4.5, 3], [3, 4.5]]; b = (3, 3).
        // x = 3 / 7.5 each = 0.4.
        #expect(abs(x[0] - 0.4) < 1e-6 && abs(x[1] - 0.4) < 1e-6)
        // Repeats are summed: two entries of weight 0.5 are one of weight 1.
        #expect(model.foldIn(items: [(item: 2, weight: 0.5), (item: 2, weight: 0.5)]) == x)
    }

    @Test func invalidShapesThrow() {
        #expect(throws: FactorModelError.self) { try FactorModel(factorCount: 0, userFactors: [], itemFactors: []) }
        #expect(throws: FactorModelError.self) { try FactorModel(factorCount: 2, userFactors: [1], itemFactors: []) }
        #expect(throws: FactorModelError.self) {
            try FactorModel(factorCount: 1, userFactors: [1], itemFactors: [1, 2], itemBiases: [1])
        }
    }

    @Test func seededGeneratorIsReproducible() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42), c = SeededGenerator(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        let units = (0..<1000).map { _ in a.nextUnitFloat() }
        #expect(units.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(units.contains { $0 < 0.1 } && units.contains { $0 > 0.9 })
        let indices = Set((0..<1000).map { _ in a.nextIndex(below: 7) })
        #expect(indices == Set(0..<7))
        var s0 = SeededGenerator(seed: 1, stream: 0), s1 = SeededGenerator(seed: 1, stream: 1)
        #expect(s0.next() != s1.next())
    }
}
