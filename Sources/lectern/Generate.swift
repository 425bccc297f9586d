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

        func run() throws {
            let shape = PlatformShape(creators: creators, courses: courses, users: users, interactions: interactions,
                                      months: months, startEpoch: PlatformShape.seedData.startEpoch)
            do {
                try shape.validate()
            } catch let error as GeneratorError {
                throw CommandFailure(error.description)
            }
            let progress = Progress("generating")
            let started = Date()
            let summary: GenerationSummary
            do {
                summary = try PlatformGenerator(seed: seed, shape: shape).write(
                    to: URL(fileURLWithPath: out), format: format) { progress.update(done: $0.done, total: $0.total) }
            } catch let error as GeneratorError {
                progress.finish()
                throw CommandFailure(error.description)
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
