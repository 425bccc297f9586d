import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LecternCore

/// Generates a believable learning platform (creators, courses, learners and their interactions) as files.
///
/// The same seed and shape always give byte-identical files. Interactions are simulated and written one
/// learner at a time, so memory stays O(courses + users) however many interactions are asked for.
public struct PlatformGenerator: Sendable {
    /// The seed every random draw derives from.
    public let seed: UInt64
    /// The size of the platform.
    public let shape: PlatformShape

    /// Creates a generator of the platform that `seed` and `shape` determine.
    public init(seed: UInt64, shape: PlatformShape) {
        self.seed = seed
        self.shape = shape
    }

    /// Writes `creators.<ext>`, `courses.<ext>`, `users.<ext>`, `interactions.<ext>`, and the
    /// organisations' `organisations.<ext>`, `members.<ext>` and `assignments.<ext>` into `directory`.
    ///
    /// The directory is created if missing. Each file is written under a hidden temporary name in the
    /// directory and renamed once all are complete, so a failure leaves no half-written file.
    ///
    /// - Parameters:
    ///   - directory: Where the files go; existing files of the same names are replaced.
    ///   - format: CSV or JSON Lines.
    ///   - progress: Called after each phase starts and ends, and about every 1% of users and interactions.
    /// - Returns: The numbers of records written and the file names.
    /// - Throws: `GeneratorError` when the shape is invalid or a file cannot be written.
    /// - Complexity: O(*c* log *c* + *u* + *i* log *b*) for *c* courses, *u* users, *i* interactions and
    ///   the largest learner budget *b*; memory O(*c* + *u* + *b*).
    public func write(
        to directory: URL,
        format: PlatformFileFormat,
        progress: (@Sendable (PhaseProgress) -> Void)? = nil
    ) throws -> GenerationSummary {
        try shape.validate()
        let names = ["creators", "courses", "users", "interactions", "organisations", "members", "assignments"]
            .map { "\($0).\(format.rawValue)" }
        let staged = names.map { directory.appendingPathComponent(".\($0).partial") }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw GeneratorError("cannot create directory '\(directory.path)': \(error.localizedDescription)")
        }
        do {
            let catalog = Catalog(seed: seed, shape: shape)
            try writeCreators(catalog, to: staged[0], format: format, progress: progress)
            try writeCourses(catalog, to: staged[1], format: format, progress: progress)
            try writeLearners(catalog, to: staged[2], format: format, progress: progress)
            let interactions = try writeInteractions(catalog, to: staged[3], format: format, progress: progress)
            _ = try writeOrganisations(catalog, to: Array(staged[4...6]), format: format)
            for (source, name) in zip(staged, names) {
                let destination = directory.appendingPathComponent(name)
                if rename(source.path, destination.path) != 0 {
                    let reason = String(cString: strerror(errno))
                    throw GeneratorError("cannot rename '\(source.path)' to '\(destination.path)': \(reason)")
                }
            }
            return GenerationSummary(
                creators: catalog.creators.count, courses: catalog.courses.count, users: shape.users,
                interactions: interactions, files: names
            )
        } catch {
            for url in staged { try? FileManager.default.removeItem(at: url) }
            if let error = error as? GeneratorError { throw error }
            throw GeneratorError("cannot write the platform to '\(directory.path)': \(error.localizedDescription)")
        }
    }
}
