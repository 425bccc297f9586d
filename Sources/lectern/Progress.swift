import Foundation
import LecternCore

/// Shows progress of long work on standard error, only when it is a terminal.
final class Progress: @unchecked Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private var lastPercent = -1
    private let lock = NSLock()

    init(_ label: String) {
        self.label = label
    }

    private var lastLabel = ""

    func update(done: Int, total: Int) {
        update(label: label, done: done, total: total)
    }

    private var phaseStart = ContinuousClock.now

    /// Shows `label: N% (about T left)`, redrawn in place; cheap when nothing changed. The time left
    /// is estimated from how fast this phase (this label) has gone so far.
    func update(label: String, done: Int, total: Int) {
        guard enabled, total > 0 else { return }
        let percent = min(100, done * 100 / total)
        lock.withLock {
            guard percent != lastPercent || label != lastLabel else { return }
            if label != lastLabel { phaseStart = .now }
            lastPercent = percent
            lastLabel = label
            var line = "\(label): \(percent)%"
            let elapsed = ContinuousClock.now - phaseStart
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
        guard enabled, lastPercent >= 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
