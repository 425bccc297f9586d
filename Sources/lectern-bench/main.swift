// lectern-bench: the Lectern side of `make bench`. bench/compare.py runs it beside implicit on the
// same matrices and prints both.
//
//   lectern-bench export-matrix DB DIR            the learner x course weights Lectern trains on
//   lectern-bench train DIR ALGORITHM [K|FACTORS] [ITERATIONS]
//                                                 itemknn-cosine | itemknn-bm25 | als | ease | rp3beta; prints seconds
//   lectern-bench ease-scale COURSES LEARNERS     EASE fit on a random matrix (20 courses per learner)
//                                                 and writes DIR/ALGORITHM.neighbors for comparison
//   lectern-bench recommend-latency DB N          p50/p99 of a cached `recommend`, in process
//   lectern-bench als-lists DIR FACTORS ITERATIONS N
//                                                 ALS fit, then every learner's top N (blocked product,
//                                                 all cores, owned courses left out); prints both times
import Dispatch
import Foundation
import LecternCore
import LecternRecommender
import LecternService
import LecternStore
import Synchronization

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

func write<T>(_ values: [T], to path: String) throws {
    try values.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: path)) }
}

func read<T>(_ path: String, as type: T.Type) throws -> [T] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
}

func loadMatrix(_ directory: String) throws -> SparseMatrix {
    let header = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/matrix.json"))) as! [String: Int]
    let starts = try read(directory + "/indptr.i64", as: Int64.self).map { Int($0) }
    return SparseMatrix(rowCount: header["rows"]!, columnCount: header["columns"]!, rowStarts: starts,
                        columnIndices: try read(directory + "/indices.i32", as: Int32.self),
                        values: try read(directory + "/data.f32", as: Float.self))
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail("usage: lectern-bench export-matrix|train|recommend-latency ...") }
let clock = ContinuousClock()
func elapsed(since start: ContinuousClock.Instant) -> Double {
    (clock.now - start).inSeconds
}

do {
    switch arguments[1] {
    case "export-matrix":
        guard arguments.count == 4 else { fail("usage: lectern-bench export-matrix DB DIR") }
        let db = try LecternDatabase.open(path: arguments[2], mustExist: true)
        let matrix = try TrainingMatrix.build(from: db).matrix
        try FileManager.default.createDirectory(atPath: arguments[3], withIntermediateDirectories: true)
        try write(matrix.rowStarts.map { Int64($0) }, to: arguments[3] + "/indptr.i64")
        try write(matrix.columnIndices, to: arguments[3] + "/indices.i32")
        try write(matrix.values, to: arguments[3] + "/data.f32")
        try Data("{\"rows\": \(matrix.rowCount), \"columns\": \(matrix.columnCount), \"nnz\": \(matrix.nonZeroCount)}".utf8)
            .write(to: URL(fileURLWithPath: arguments[3] + "/matrix.json"))
        print("{\"rows\": \(matrix.rowCount), \"columns\": \(matrix.columnCount), \"nnz\": \(matrix.nonZeroCount)}")

    case "train":
        guard arguments.count >= 4 else { fail("usage: lectern-bench train DIR ALGORITHM [K|FACTORS] [ITERATIONS]") }
        let directory = arguments[2], algorithm = arguments[3]
        let matrix = try loadMatrix(directory)
        let start = clock.now
        switch algorithm {
        case "itemknn-cosine", "itemknn-bm25":
            let k = arguments.count > 4 ? Int(arguments[4])! : 50
            let weighting: ItemWeighting = algorithm == "itemknn-cosine" ? .cosine : .bm25(k1: 1.2, b: 0.75)
            let model = try ItemKNN.train(userItems: matrix, parameters: ItemKNNParameters(neighbors: k, weighting: weighting))
            let seconds = elapsed(since: start)
            try write(model.neighborStarts.map { Int64($0) }, to: "\(directory)/\(algorithm).indptr.i64")
            try write(model.neighborIndices, to: "\(directory)/\(algorithm).indices.i32")
            try write(model.neighborScores, to: "\(directory)/\(algorithm).scores.f64")
            print("{\"seconds\": \(seconds)}")
        case "als":
            let factors = arguments.count > 4 ? Int(arguments[4])! : 64
            let iterations = arguments.count > 5 ? Int(arguments[5])! : 15
            // Confidence 1 + alpha * w with alpha 1, as implicit is given 1 + w.
            let model = try ALS.train(userItems: matrix, parameters: ALSParameters(factors: factors, iterations: iterations, seed: 42))
            let seconds = elapsed(since: start)
            var loss = 0.0
            for user in 0..<matrix.rowCount {
                let row = matrix.row(user)
                for (item, weight) in zip(row.columns, row.values) {
                    let error = 1 - Double(model.score(user: user, item: Int(item)))
                    loss += (1 + Double(weight)) * error * error
                }
            }
            print("{\"seconds\": \(seconds), \"observed_loss\": \(loss)}")
        case "ease", "rp3beta":
            let model = algorithm == "ease" ? try EASE.train(userItems: matrix)
                                            : try RP3beta.train(userItems: matrix)
            print("{\"seconds\": \(elapsed(since: start)), \"weights\": \(model.neighborIndices.count)}")
        default:
            fail("unknown algorithm \(algorithm)")
        }

    case "ease-scale":
        guard arguments.count == 4, let courses = Int(arguments[2]), let learners = Int(arguments[3])
        else { fail("usage: lectern-bench ease-scale COURSES LEARNERS") }
        var generator = SeededGenerator(seed: 1)
        var entries: [(row: Int32, column: Int32, value: Float)] = []
        for user in 0..<learners {
            for _ in 0..<20 { entries.append((Int32(user), Int32.random(in: 0..<Int32(courses), using: &generator), 1)) }
        }
        let matrix = SparseMatrix(rowCount: learners, columnCount: courses, entries: entries)
        let start = clock.now
        let model = try EASE.train(userItems: matrix) { done, _ in
            FileHandle.standardError.write(Data("step \(done) at \(ContinuousClock.now - start)\n".utf8))
        }
        print("{\"courses\": \(courses), \"seconds\": \(elapsed(since: start)), \"weights\": \(model.neighborIndices.count)}")

    case "als-lists":
        guard arguments.count == 6, let factors = Int(arguments[3]), let iterations = Int(arguments[4]), let n = Int(arguments[5])
        else { fail("usage: lectern-bench als-lists DIR FACTORS ITERATIONS N") }
        let matrix = try loadMatrix(arguments[2])
        var start = clock.now
        let model = try ALS.train(userItems: matrix, parameters: ALSParameters(factors: factors, iterations: iterations, seed: 42))
        let fit = elapsed(since: start)
        start = clock.now
        let chunk = 256
        let chunks = (matrix.rowCount + chunk - 1) / chunk
        let listed = AtomicCounter()
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let users = Array((c * chunk)..<min(matrix.rowCount, (c + 1) * chunk))
            let lists = model.recommendations(users: users, count: n) { Set(matrix.row(users[$0]).columns) }
            listed.add(lists.reduce(0) { $0 + $1.count })
        }
        print("{\"fit_seconds\": \(fit), \"lists_seconds\": \(elapsed(since: start)), \"rows\": \(listed.value)}")

    case "recommend-latency":
        guard arguments.count == 4, let n = Int(arguments[3]) else { fail("usage: lectern-bench recommend-latency DB N") }
        let db = try LecternDatabase.open(path: arguments[2], mustExist: true)
        let learners = try RecommendationCache(db).learnersWithLists()
        guard !learners.isEmpty else { fail("no cached recommendations: run lectern train first") }
        let service = RecommendationService(db)
        var generator = SeededGenerator(seed: 1)
        var times: [Double] = []
        for _ in 0..<n {
            let learner = learners[Int(generator.next() % UInt64(learners.count))]
            let start = clock.now
            let list = try service.recommend(userExternalID: learner, algorithm: .hybrid, limit: 10)
            times.append(elapsed(since: start))
            precondition(!list.items.isEmpty || true)
        }
        times.sort()
        print("{\"p50_ms\": \(times[times.count / 2] * 1000), \"p99_ms\": \(times[min(times.count - 1, times.count * 99 / 100)] * 1000)}")

    default:
        fail("unknown command \(arguments[1])")
    }
} catch {
    fail("\(error)")
}
