/// The file format of a generated platform.
public enum PlatformFileFormat: String, Sendable, CaseIterable {
    /// Comma-separated values with a header row, quoted as RFC 4180 describes.
    case csv
    /// JSON Lines: one object per line, with the CSV column names as keys.
    case jsonl
}
