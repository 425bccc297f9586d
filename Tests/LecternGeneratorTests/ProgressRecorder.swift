import LecternCore
import LecternGenerator
import Synchronization

/// Collects the progress reports of a generation run, from whichever thread makes them.
final class ProgressRecorder: Sendable {
    private let reports = Mutex<[PhaseProgress]>([])

    /// Adds a report.
    func record(_ progress: PhaseProgress) {
        reports.withLock { $0.append(progress) }
    }

    /// Every report so far, in the order they came.
    var all: [PhaseProgress] {
        reports.withLock { $0 }
    }
}
