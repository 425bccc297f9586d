import Foundation

/// Reads a file in large chunks and hands out bytes one at a time; the base of the CSV and
/// JSON Lines readers, which must stream files far larger than memory.
final class ByteReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var exhausted = false
    private let chunkSize: Int
    /// Bytes handed out so far.
    private(set) var offset = 0

    init(path: String, chunkSize: Int = 1 << 20) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw StoreError(.io, "cannot read '\(path)': no such file")
        }
        guard !isDirectory.boolValue else { throw StoreError(.io, "cannot read '\(path)': it is a directory") }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StoreError(.io, "cannot read '\(path)': permission denied")
        }
        self.handle = handle
        self.chunkSize = chunkSize
    }

    deinit {
        try? handle.close()
    }

    /// The next byte, or nil at the end of the file.
    @inline(__always)
    func next() throws -> UInt8? {
        if position == buffer.count {
            guard try refill() else { return nil }
        }
        let byte = buffer[position]
        position += 1
        offset += 1
        return byte
    }

    /// The next byte without consuming it.
    @inline(__always)
    func peek() throws -> UInt8? {
        if position == buffer.count {
            guard try refill() else { return nil }
        }
        return buffer[position]
    }

    private func refill() throws -> Bool {
        guard !exhausted else { return false }
        let data: Data?
        do {
            data = try handle.read(upToCount: chunkSize)
        } catch {
            throw StoreError(.io, "cannot read the file: \(error.localizedDescription)")
        }
        guard let data, !data.isEmpty else {
            exhausted = true
            return false
        }
        buffer = [UInt8](data)
        position = 0
        return true
    }
}
