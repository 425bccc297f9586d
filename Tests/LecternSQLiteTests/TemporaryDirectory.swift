import Foundation

/// A directory under the system's temporary directory, removed with everything in it when released.
///
/// Tests run in parallel, so every test that touches the file system makes its own.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("lectern-sqlite-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the directory (the file need not exist).
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }
}
