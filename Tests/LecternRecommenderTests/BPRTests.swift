import Testing
@testable import LecternRecommender

@Suite("BPR")
struct BPRTests {
    /// The share of (learner, touched course, untouched course) triples the model orders right.
    static func ranking(_ matrix: SparseMatrix, _ model: FactorModel) -> Double {
        var right = 0, total = 0
        for user in 0..<matrix.rowCount {
            let touched = Set(matrix.row(user).columns)
            for liked in touched {
                for other in 0..<Int32(matrix.columnCount) where !touched.contains(other) {
                    total += 1
                    if model.score(user: user, item: Int(liked)) > model.score(user: user, item: Int(other)) { right += 1 }
                }
            }
        }
        return Double(right) / Double(max(total, 1))
    }

    @Test func ranksTheObviousCourseFirst() throws {
        let model = try BPR.train(userItems: FactorFixtures.twoGroups, parameters: BPRParameters(
            factors: 4, learningRate: 0.05, regularization: 0.01, iterations: 400, seed: 3))
        #expect(model.recommend(user: 6, excluding: [0, 1], count: 1).map(\.item) == [2])
        #expect(model.itemBiases.count == 6)
        #expect(model.factorCount == 4)
        // score includes the course bias.
        var dot: Float = 0
        for j in 0..<4 { dot += model.userFactors[24 + j] * model.itemFactors[8 + j] }
        #expect(abs(model.score(user: 6, item: 2) - (dot + model.itemBiases[2])) < 1e-6)
    }

    @Test func trainingOrdersTouchedCoursesFirst() throws {
        let matrix = FactorFixtures.random(rows: 60, columns: 30, perRow: 5, seed: 21)
        let untrained = try BPR.train(userItems: matrix, parameters: BPRParameters(
            factors: 8, learningRate: 1e-9, regularization: 0, iterations: 1, seed: 8))
        let trained = try BPR.train(userItems: matrix, parameters: BPRParameters(
            factors: 8, learningRate: 0.05, iterations: 100, seed: 8))
        let before = Self.ranking(matrix, untrained), after = Self.ranking(matrix, trained)
        #expect(before < 0.65, "a random start already ranks \(before)")
        #expect(after > 0.8, "trained model ranks only \(after)")
    }

    @Test func sameSeedSameModel() throws {
        let matrix = FactorFixtures.random(rows: 30, columns: 20, perRow: 4, seed: 5)
        let parameters = BPRParameters(factors: 5, iterations: 5, seed: 77)
        let first = try BPR.train(userItems: matrix, parameters: parameters)
        let second = try BPR.train(userItems: matrix, parameters: parameters)
        #expect(first == second)
        var other = parameters
        other.seed = 78
        #expect(try BPR.train(userItems: matrix, parameters: other) != first)
    }

    /// implicit's loop, one sample at a time, with the same draws: the batched training must match it
    /// bit for bit.
    static func reference(_ matrix: SparseMatrix, _ parameters: BPRParameters) -> (users: [Float], items: [Float]) {
        let k = parameters.factors, width = k + 1
        var random = SeededGenerator(seed: parameters.seed)
        var items = (0..<(matrix.columnCount * width)).map { _ in (random.nextUnitFloat() - 0.5) / Float(k) }
        var users = (0..<(matrix.rowCount * width)).map { _ in (random.nextUnitFloat() - 0.5) / Float(k) }
        let touched = Set(matrix.columnIndices)
        for item in 0..<matrix.columnCount where !touched.contains(Int32(item)) {
            for j in 0..<width { items[item * width + j] = 0 }
        }
        for user in 0..<matrix.rowCount { users[user * width + k] = 1 }
        var entryUsers: [Int] = []
        for user in 0..<matrix.rowCount { entryUsers += Array(repeating: user, count: matrix.rowLength(user)) }
        let samples = matrix.nonZeroCount
        for _ in 0..<parameters.iterations {
            for _ in 0..<samples {
                let likedIndex = random.nextIndex(below: samples), otherIndex = random.nextIndex(below: samples)
                let user = entryUsers[likedIndex]
                let liked = Int(matrix.columnIndices[likedIndex]), other = Int(matrix.columnIndices[otherIndex])
                if parameters.verifyNegativeSamples && matrix.row(user).columns.contains(Int32(other)) { continue }
                users.withUnsafeMutableBufferPointer { u in
                    items.withUnsafeMutableBufferPointer { i in
                        BPR.step(user: u.baseAddress! + user * width, liked: i.baseAddress! + liked * width,
                                 other: i.baseAddress! + other * width, factors: k,
                                 rate: parameters.learningRate, regularization: parameters.regularization)
                    }
                }
            }
        }
        return (users, items)
    }

    @Test(arguments: [true, false])
    func batchedTrainingEqualsTheOneByOneLoop(verify: Bool) throws {
        // More entries than one batch (256), so that batches follow one another.
        let matrix = FactorFixtures.random(rows: 120, columns: 40, perRow: 5, seed: 9)
        let parameters = BPRParameters(factors: 6, learningRate: 0.05, iterations: 3, seed: 12,
                                       verifyNegativeSamples: verify)
        let model = try BPR.train(userItems: matrix, parameters: parameters)
        let (users, items) = Self.reference(matrix, parameters)
        let k = parameters.factors
        for user in 0..<matrix.rowCount {
            #expect(Array(model.userVector(user)) == Array(users[(user * (k + 1))..<(user * (k + 1) + k)]))
        }
        for item in 0..<matrix.columnCount {
            #expect(Array(model.itemVector(item)) == Array(items[(item * (k + 1))..<(item * (k + 1) + k)]))
            #expect(model.itemBiases[item] == items[item * (k + 1) + k])
        }
    }

    @Test func untouchedCoursesStayAtZeroAndLearnersKeepNoBiasColumn() throws {
        // Course 2 is never touched: implicit starts it at zero and no positive ever moves it,
        // though it can be drawn as a negative only if some learner touched it (never).
        let matrix = SparseMatrix(rowCount: 3, columnCount: 3, entries: [(0, 0, 1), (1, 1, 1), (2, 0, 1), (2, 1, 1)])
        let model = try BPR.train(userItems: matrix, parameters: BPRParameters(factors: 3, iterations: 10, seed: 1))
        #expect(model.itemVector(2).allSatisfy { $0 == 0 })
        #expect(model.itemBiases[2] == 0)
        #expect(model.userFactors.count == 3 * 3)
    }

    @Test func invalidParametersThrow() {
        let invalid = [
            BPRParameters(factors: 0), BPRParameters(learningRate: 0), BPRParameters(learningRate: .nan),
            BPRParameters(regularization: -1), BPRParameters(iterations: 0),
        ]
        for parameters in invalid {
            #expect(throws: FactorModelError.self) { try BPR.train(userItems: FactorFixtures.twoGroups, parameters: parameters) }
        }
    }
}
