import ArgumentParser
import Foundation
import LecternGenerator

extension PlatformFileFormat: ExpressibleByArgument {}

extension Lectern {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a believable platform (creators, courses, users, interactions) as files.",
            discussion: """
                The same seed and sizes always give the same files. Files are streamed, so large platforms \
                for benchmarks (1M users, 50k courses, 50M interactions) need little memory. Load them with \
                `lectern import`. The defaults make the bundled SeedData.
                """)

        @Option(help: "Random seed.") var seed: UInt64 = 42
        @Option(help: "Directory to write into.") var out: String = "SeedData"
        @Option(help: "csv or jsonl.") var format: PlatformFileFormat = .csv
        @Option(help: "Number of creators.") var creators: Int = PlatformShape.seedData.creators
        @Option(help: "Number of courses.") var courses: Int = PlatformShape.seedData.courses
        @Option(help: "Number of users.") var users: Int = PlatformShape.seedData.users
        @Option(help: "Number of interactions (approximate).") var interactions: Int = PlatformShape.seedData.interactions
        @Option(help: "Months of activity.") var months: Int = PlatformShape.seedData.months
        @Option(help: ArgumentHelp(
            "The chance (0 to 1) that a learner dismisses a course they looked at outside their interests and did not take.",
            discussion: "0 (the default) makes a platform without a dismiss button; the files then have no reason column."))
        var dismissals: Double = 0
        @Flag(help: "Write into --out even when it already holds files (they may be replaced).") var force = false

        func run() throws {
            let shape = PlatformShape(creators: creators, courses: courses, users: users, interactions: interactions,
                                      months: months, startEpoch: PlatformShape.seedData.startEpoch, dismissals: dismissals)
            do {
                try shape.validate()
            } catch let error as GeneratorError {
                throw CommandFailure(error.description)
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: out, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw CommandFailure.io("'\(out)' is a file, not a folder") }
                let held = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
                if !held.isEmpty && !force {
                    throw CommandFailure("'\(out)' already holds \(held.count) file(s): choose an empty folder, or pass --force to write over them")
                }
            }
            let progress = Progress("generating")
            let started = Date()
            let summary: GenerationSummary
            do {
                summary = try PlatformGenerator(seed: seed, shape: shape).write(
                    to: URL(fileURLWithPath: out), format: format) { progress.update(done: $0.done, total: $0.total) }
            } catch let error as GeneratorError {
                // Writing fails only on the file system (the shape was checked above).
                progress.finish()
                throw CommandFailure.io(error.description)
            } catch {
                progress.finish()
                throw CommandFailure.io("cannot write into '\(out)': \(error.localizedDescription)")
            }
            progress.finish()
            let seconds = Date().timeIntervalSince(started)
            print("""
                Generated \(summary.creators) creators, \(summary.courses) courses, \(summary.users) users and \
                \(summary.interactions) interactions in \(out) (seed \(seed)) in \(String(format: "%.2f", seconds))s\
                \(seconds > 0.05 ? " (\(Int(Double(summary.interactions) / seconds)) interactions/s)" : "")
                """)
        }
    }
}
