import LecternGenerator
import Synchronization

/// Collects the progress reports of a generation run, from whichever thread makes them.
final class ProgressRecorder: Sendable {
    private let reports = Mutex<[GenerationProgress]>([])

    /// Adds a report.
    func record(_ progress: GenerationProgress) {
        reports.withLock { $0.append(progress) }
    }

    /// Every report so far, in the order they came.
    var all: [GenerationProgress] {
        reports.withLock { $0 }
    }
}
