import Foundation
import LecternCore

extension PlatformGenerator {
    /// The columns of the interactions file.
    static let interactionColumns = ["user", "course", "kind", "value", "channel", "occurred_at", "key"]
    /// The columns of a platform with dismissals: a dismissal's reason last.
    static let interactionColumnsWithReason = interactionColumns + ["reason"]

    /// The interactions file's columns for this shape.
    var interactionColumns: [String] { shape.dismissals > 0 ? Self.interactionColumnsWithReason : Self.interactionColumns }

    /// Simulates and writes every learner's interactions, formatting blocks of learners on every core.
    ///
    /// Purchases and refunds always carry an idempotency key, other rows now and then, about 10% in all;
    /// keys are `evt-` and the row number, so they are unique. Every learner makes exactly their budget of
    /// interactions, so each block knows its first row number before it starts.
    ///
    /// - Returns: The number of interactions written.
    /// - Complexity: O(*i* log *b*) for *i* interactions and the largest learner budget *b*; memory
    ///   O(*c* + *u*) for *c* courses and *u* learners, plus a few blocks.
    func writeInteractions(
        _ catalog: Catalog, to url: URL, format: PlatformFileFormat,
        progress: (@Sendable (PhaseProgress) -> Void)?
    ) throws -> Int {
        let target = shape.interactions
        progress?(PhaseProgress(phase: "interactions", done: 0, total: target))
        let budget = ActivityBudget(seed: seed, shape: shape)
        let blockTarget = max(64, min(1 << 13, target / 200))
        var blockStarts = [0]
        var firstRows = [0]
        var rows = 0
        var rowsInBlock = 0
        for (index, count) in budget.counts.enumerated() {
            rows += Int(count)
            rowsInBlock += Int(count)
            if rowsInBlock >= blockTarget || index == budget.counts.count - 1 {
                blockStarts.append(index + 1)
                firstRows.append(rows)
                rowsInBlock = 0
            }
        }

        let file = try RecordFormatter(url: url, format: format, columns: interactionColumns)
        let step = max(1, target / 100)
        var nextReport = step
        var reported = 0
        var consumed = 0
        let windowEnd = shape.endEpoch
        try BlockPipeline.run(count: blockStarts.count - 1) {
            ActivitySimulator(catalog: catalog, windowEnd: windowEnd, dismissals: shape.dismissals)
        } produce: { [blockStarts, firstRows] simulator, block in
            formatInteractions(
                of: blockStarts[block]..<blockStarts[block + 1], firstRow: firstRows[block],
                budget: budget, catalog: catalog, format: format, simulator: &simulator
            )
        } consume: { block in
            file.output.append(block)
            try file.output.checkHealth()
            consumed += 1
            let written = firstRows[consumed]
            if written >= nextReport {
                progress?(PhaseProgress(phase: "interactions", done: written, total: target))
                reported = written
                nextReport = (written / step + 1) * step
            }
        }
        try file.close()
        if reported != rows { progress?(PhaseProgress(phase: "interactions", done: rows, total: target)) }
        return rows
    }

    /// The interactions of the learners in `learners`, simulated and formatted.
    ///
    /// - Parameters:
    ///   - firstRow: The number of interactions before the block, which keys count from.
    ///   - simulator: The worker's simulator, reused from block to block.
    /// - Complexity: O(*i* log *b*) for *i* interactions and the largest budget *b*.
    private func formatInteractions(
        of learners: Range<Int>, firstRow: Int, budget: ActivityBudget, catalog: Catalog,
        format: PlatformFileFormat, simulator: inout ActivitySimulator
    ) -> ByteBlock {
        let rows = budget.counts[learners].reduce(0) { $0 + Int($1) }
        let writer = RecordFormatter(
            format: format, columns: interactionColumns, capacity: rows * (format == .jsonl ? 170 : 80) + 4096
        )
        let kindNames = ByteStrings(InteractionKind.allCases.map(\.rawValue))
        let channelNames = ByteStrings(InteractionChannel.names)
        let reasonNames = ByteStrings(DismissReason.allCases.map(\.rawValue))
        let withReason = shape.dismissals > 0
        let slugs = catalog.slugBytes
        let digits = externalIDDigits
        var row = firstRow
        for index in learners {
            let profile = LearnerProfile(index: index, seed: seed, shape: shape, catalog: catalog)
            var random = RandomSource(seed: seed, stream: .activity, index: index)
            simulator.simulate(profile, budget: Int(budget.counts[index]), random: &random)
            let user = Array(("u" + String(repeating: "0", count: max(0, digits - String(index + 1).count))
                + String(index + 1)).utf8)
            user.withUnsafeBufferPointer { user in
                for interaction in simulator.interactions {
                    row += 1
                    let kind = interaction.kind
                    let isKeyed = kind == .purchase || kind == .refund || random.chance(0.07)
                    writer.interactionRecord(
                        user: user,
                        course: slugs[Int(interaction.course)],
                        kind: kindNames[kind.code],
                        value: kind.carriesValue ? interaction.value : nil,
                        channel: channelNames[Int(interaction.channel.code)],
                        occurredAt: interaction.occurredAt,
                        key: isKeyed ? row : nil,
                        reason: !withReason ? nil : kind == .dismiss ? reasonNames[Int(interaction.value)] : UnsafeBufferPointer(start: nil, count: 0)
                    )
                }
            }
        }
        return writer.takeBlock()
    }
}
