import Foundation
import Synchronization
import LecternCore

/// Shows progress of long work on standard error, only when it is a terminal.
final class Progress: Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    /// What was last drawn, and when the phase (the label) began; worker threads report at once.
    private let state = Mutex((lastPercent: -1, lastLabel: "", phaseStart: ContinuousClock.now))

    init(_ label: String) {
        self.label = label
    }

    func update(done: Int, total: Int) {
        update(label: label, done: done, total: total)
    }

    /// Shows `label: N% (about T left)`, redrawn in place; cheap when nothing changed. The time left
    /// is estimated from how fast this phase (this label) has gone so far.
    func update(label: String, done: Int, total: Int) {
        guard enabled, total > 0 else { return }
        let percent = min(100, done * 100 / total)
        state.withLock { state in
            guard percent != state.lastPercent || label != state.lastLabel else { return }
            if label != state.lastLabel { state.phaseStart = .now }
            state.lastPercent = percent
            state.lastLabel = label
            var line = "\(label): \(percent)%"
            let elapsed = ContinuousClock.now - state.phaseStart
            if done > 0 && total > done && elapsed > Duration.seconds(2) {
                let left = elapsed.inSeconds * Double(total - done) / Double(done)
                line += " (about \(Self.describe(seconds: left)) left)"
            }
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        }
    }

    /// "45 s", "3 min", "1 h 20 min".
    static func describe(seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 90 { return "\(max(s, 1)) s" }
        if s < 3_600 { return "\((s + 30) / 60) min" }
        return "\(s / 3_600) h \((s % 3_600 + 30) / 60) min"
    }

    func finish() {
        guard enabled, state.withLock({ $0.lastPercent }) >= 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
