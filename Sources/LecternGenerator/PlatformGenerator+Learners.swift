import Foundation
import LecternCore

extension PlatformGenerator {
    /// The columns of the users file.
    static let learnerColumns = [
        "external_id", "display_name", "email", "country", "interests", "channel", "campaign", "created_at",
    ]

    /// The number of digits in external IDs: six, or more for a bigger platform.
    var externalIDDigits: Int {
        max(6, String(shape.users).count)
    }

    /// Writes the users file, formatting blocks of learners on every core.
    ///
    /// - Complexity: O(*u*) in the number of learners.
    func writeLearners(
        _ catalog: Catalog, to url: URL, format: PlatformFileFormat,
        progress: (@Sendable (PhaseProgress) -> Void)?
    ) throws {
        let total = shape.users
        progress?(PhaseProgress(phase: "users", done: 0, total: total))
        let file = try RecordFormatter(url: url, format: format, columns: Self.learnerColumns)
        let blockSize = max(1, min(4096, total / 100))
        let blockCount = (total + blockSize - 1) / blockSize
        var done = 0
        try BlockPipeline.run(count: blockCount) {} produce: { _, block in
            let range = (block * blockSize)..<min(total, (block + 1) * blockSize)
            return formatLearners(range, catalog: catalog, format: format)
        } consume: { block in
            file.output.append(block)
            try file.output.checkHealth()
            done = min(total, done + blockSize)
            progress?(PhaseProgress(phase: "users", done: done, total: total))
        }
        try file.close()
    }

    /// The records of the learners in `range`, formatted.
    ///
    /// - Complexity: O(*n*) in the number of learners.
    private func formatLearners(_ range: Range<Int>, catalog: Catalog, format: PlatformFileFormat) -> ByteBlock {
        let writer = RecordFormatter(format: format, columns: Self.learnerColumns, capacity: range.count * 200 + 4096)
        let prefix = Array("u".utf8)
        let digits = externalIDDigits
        for index in range {
            let profile = LearnerProfile(index: index, seed: seed, shape: shape, catalog: catalog)
            let learner = Learner(profile: profile, seed: seed, catalog: catalog)
            writer.token(prefix: prefix, number: learner.number, minimumDigits: digits)
            writer.text(learner.displayName)
            writer.optionalText(learner.email)
            if let country = learner.country { writer.token(Array(country.utf8)) } else { writer.empty() }
            writer.list(learner.interests)
            writer.token(Array(learner.channel.name.utf8))
            writer.optionalText(learner.campaign)
            writer.timestamp(learner.createdAt)
            writer.endRecord()
        }
        return writer.takeBlock()
    }
}
