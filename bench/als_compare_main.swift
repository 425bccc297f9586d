// Lectern's side of bench/als_compare.py: reads the CSR files that the script wrote, trains
// LecternRecommender's ALS and prints one JSON line with the fit times.
//
//   als_compare_main --data bench/out/als_data [--factors 64] [--iterations 15]
//       [--regularization 0.01] [--alpha 1] [--seed 42] [--threads N] [--repeat 1]
//       [--save-prefix PATH] [--init-prefix PATH]
//
// --save-prefix writes PATH_user.f32 and PATH_item.f32 (raw little-endian float32, row-major);
// --init-prefix starts from such files instead of a random start.
// No Foundation: the files are read with the C library, to keep the process as lean as possible.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LecternRecommender

@main
struct ALSCompareMain {
    static func fail(_ message: String) -> Never {
        fputs("als_compare_main: \(message)\n", stderr)
        exit(2)
    }

    static func readFile<T>(_ path: String, as: T.Type) -> [T] {
        guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
        defer { fclose(file) }
        fseek(file, 0, SEEK_END)
        let bytes = ftell(file)
        fseek(file, 0, SEEK_SET)
        let count = bytes / MemoryLayout<T>.stride
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            let read = fread(buffer.baseAddress, MemoryLayout<T>.stride, count, file)
            guard read == count else { fail("short read on \(path)") }
            initialized = count
        }
    }

    static func writeFile(_ path: String, _ values: [Float]) {
        guard let file = fopen(path, "wb") else { fail("cannot write \(path)") }
        defer { fclose(file) }
        values.withUnsafeBufferPointer { buffer in
            _ = fwrite(buffer.baseAddress, MemoryLayout<Float>.stride, buffer.count, file)
        }
    }

    /// The integer after `"key":` in a flat JSON object.
    static func jsonInteger(_ text: String, _ key: String) -> Int {
        guard let range = text.firstRange(of: "\"\(key)\"") else { fail("header has no \(key)") }
        let rest = text[range.upperBound...].drop { $0 == ":" || $0 == " " }
        guard let value = Int(rest.prefix { $0.isNumber }) else { fail("header's \(key) is not a number") }
        return value
    }

    static func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }

    /// User + system CPU seconds of this process, all threads.
    static func cpuTime() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) * 1e-6
    }

    static func main() throws {
        var options: [String: String] = [:]
        var arguments = CommandLine.arguments.dropFirst()
        while let name = arguments.popFirst() {
            guard name.hasPrefix("--"), let value = arguments.popFirst() else { fail("expected --name value, got \(name)") }
            options[String(name.dropFirst(2))] = value
        }
        let data = options["data"] ?? "bench/out/als_data"
        let header = String(decoding: readFile(data + "/header.json", as: UInt8.self), as: UTF8.self)
        let rows = jsonInteger(header, "rows"), columns = jsonInteger(header, "columns")
        let rowStarts = readFile(data + "/indptr.i64", as: Int64.self).map { Int($0) }
        let matrix = SparseMatrix(rowCount: rows, columnCount: columns, rowStarts: rowStarts,
                                  columnIndices: readFile(data + "/indices.i32", as: Int32.self),
                                  values: readFile(data + "/data.f32", as: Float.self))

        var parameters = ALSParameters()
        if let v = options["factors"] { parameters.factors = Int(v)! }
        if let v = options["iterations"] { parameters.iterations = Int(v)! }
        if let v = options["regularization"] { parameters.regularization = Float(v)! }
        if let v = options["alpha"] { parameters.alpha = Float(v)! }
        if let v = options["seed"] { parameters.seed = UInt64(v)! }
        if let v = options["threads"] { parameters.threads = Int(v)! }
        let repeats = Int(options["repeat"] ?? "1")!

        var initial: FactorModel?
        if let prefix = options["init-prefix"] {
            initial = try FactorModel(factorCount: parameters.factors,
                                      userFactors: readFile(prefix + "_user.f32", as: Float.self),
                                      itemFactors: readFile(prefix + "_item.f32", as: Float.self),
                                      regularization: parameters.regularization, alpha: parameters.alpha)
        }

        var times: [Double] = [], cpuTimes: [Double] = []
        var model: FactorModel?
        for _ in 0..<repeats {
            model = nil  // free the previous model before the next fit, as a fresh process would
            let start = now(), startCPU = cpuTime()
            model = try ALS.train(userItems: matrix, parameters: parameters, initialModel: initial)
            times.append(now() - start)
            cpuTimes.append(cpuTime() - startCPU)
        }
        if let prefix = options["save-prefix"], let model {
            writeFile(prefix + "_user.f32", model.userFactors)
            writeFile(prefix + "_item.f32", model.itemFactors)
        }
        let threads = parameters.threads == 0 ? ALSParameters.processorCount : parameters.threads
        print("{\"fit_seconds\": [\(times.map { String($0) }.joined(separator: ", "))], "
            + "\"fit_cpu_seconds\": [\(cpuTimes.map { String($0) }.joined(separator: ", "))], \"threads\": \(threads)}")
    }
}
