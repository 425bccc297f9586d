import Foundation

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

    /// Shows `label: N%`, redrawn in place; cheap when nothing changed.
    func update(label: String, done: Int, total: Int) {
        guard enabled, total > 0 else { return }
        let percent = min(100, done * 100 / total)
        lock.withLock {
            guard percent != lastPercent || label != lastLabel else { return }
            lastPercent = percent
            lastLabel = label
            FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(percent)%".utf8))
        }
    }

    func finish() {
        guard enabled, lastPercent >= 0 else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
