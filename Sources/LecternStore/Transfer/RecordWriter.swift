import Foundation
import LecternCore

/// Writes rows as CSV, TSV or JSON Lines through a large buffer, to a file or standard output.
///
/// A file is written under a temporary name beside it and renamed into place by `finish()`, so a
/// failed export never leaves a half-written file. The fields are quoted and escaped by
/// `RecordSyntax`, as the generator's are.
final class RecordWriter: ByteSink {
    private let syntax: RecordSyntax
    private let handle: FileHandle
    private let finalPath: String?
    private let temporaryPath: String?
    private var buffer: [UInt8] = []

    init(path: String?, format: TransferFormat, columns: [String]) throws {
        syntax = RecordSyntax(format.syntax, columns: columns)
        if let path, OutputPath.isSpecial(path) {
            // A device or a pipe: written in place (see `OutputPath`).
            guard let handle = FileHandle(forWritingAtPath: path) else { throw StoreError(.io, "cannot write '\(path)'") }
            self.handle = handle
            finalPath = path
            temporaryPath = nil
        } else if let path {
            let directory = (path as NSString).deletingLastPathComponent
            let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
            guard FileManager.default.createFile(atPath: temporary, contents: nil),
                  let handle = FileHandle(forWritingAtPath: temporary) else {
                var isDirectory: ObjCBool = false
                let folder = directory.isEmpty ? "." : directory
                let reason = !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue
                    ? "the folder '\(folder)' does not exist" : String(cString: strerror(errno))
                throw StoreError(.io, "cannot write '\(path)': \(reason)")
            }
            self.handle = handle
            finalPath = path
            temporaryPath = temporary
        } else {
            handle = FileHandle.standardOutput
            finalPath = nil
            temporaryPath = nil
        }
        buffer.reserveCapacity(1 << 20)
        syntax.header(to: self)
    }

    deinit {
        if let temporaryPath { try? FileManager.default.removeItem(atPath: temporaryPath) }
    }

    enum Value {
        case text(String?)
        case int(Int64?)
        case double(Double?)
        case list([String])
        /// `true` or `false`: a JSON boolean in JSON Lines, the word in CSV and TSV.
        case bool(Bool)
    }

    /// Writes one row, values in column order.
    func row(_ values: [Value]) throws {
        for (index, value) in values.enumerated() {
            syntax.beginField(index, to: self)
            switch value {
            case .text(let text): if let text { syntax.text(text, to: self) } else { syntax.null(to: self) }
            case .int(let number): if let number { append(String(number)) } else { syntax.null(to: self) }
            case .double(let number): if let number { append(Self.decimal(number)) } else { syntax.null(to: self) }
            case .list(let items): syntax.list(items, to: self)
            case .bool(let flag): append(flag ? "true" : "false")
            }
        }
        syntax.endRecord(to: self)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Flushes and, for a file, moves it into place.
    func finish() throws {
        try flush()
        if temporaryPath == nil, let finalPath {
            do { try handle.close() } catch { throw StoreError(.io, "cannot write '\(finalPath)': \(error.localizedDescription)") }
        }
        if let temporaryPath, let finalPath {
            try handle.close()
            // rename(2) replaces the destination atomically (FileManager.replaceItemAt is broken on Linux).
            if rename(temporaryPath, finalPath) != 0 {
                throw StoreError(.io, "cannot write '\(finalPath)': \(String(cString: strerror(errno)))")
            }
        }
    }

    /// `12.5` rather than `12.500000`, and `3` rather than `3.0`.
    static func decimal(_ value: Double) -> String {
        var text = String(value)
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw StoreError(.io, "cannot write \(finalPath.map { "'\($0)'" } ?? "to standard output"): \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func append(_ byte: UInt8) {
        buffer.append(byte)
    }

    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        buffer.append(contentsOf: bytes)
    }
}

extension TransferFormat {
    /// How records of this format are written.
    var syntax: RecordSyntax.Format {
        switch self {
        case .csv: .csv
        case .tsv: .tsv
        case .jsonl: .jsonLines
        }
    }
}

/// Where `--out` writes. A regular file (or a new one) is written beside itself and renamed into
/// place, so a failure leaves nothing half-written. Anything else that exists (a device such as
/// /dev/full, a pipe, a symbolic link such as /dev/stdout) is written through in place and never
/// replaced: renaming over it would swap a device or a link for a plain file.
public enum OutputPath {
    /// Whether `path` exists and is not a plain regular file (nor a directory): a device, a pipe, or
    /// a symbolic link (such as /dev/stdout), which is written through and never replaced.
    public static func isSpecial(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    /// Writes `data` to `path` as described above.
    /// - Throws: `StoreError(.io)` naming the path and the reason (a full disk, no permission...).
    public static func write(_ data: Data, to path: String) throws {
        func failure(_ reason: String) -> StoreError { StoreError(.io, "cannot write '\(path)': \(reason)") }
        if isSpecial(path) {
            guard let handle = FileHandle(forWritingAtPath: path) else { throw failure(String(cString: strerror(errno))) }
            do {
                try handle.write(contentsOf: data)
                try handle.close()
            } catch {
                throw failure(error.localizedDescription)
            }
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: nil),
              let handle = FileHandle(forWritingAtPath: temporary) else { throw failure(String(cString: strerror(errno))) }
        do {
            try handle.write(contentsOf: data)
            try handle.close()
        } catch {
            unlink(temporary)
            throw failure(error.localizedDescription)
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw failure(reason)
        }
    }
}
