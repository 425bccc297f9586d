import Foundation
import LecternCore

/// A buffered writer of bytes, to a new file or to memory, with the few formatting primitives records need.
///
/// Bytes collect in a buffer. A file writer sends the buffer to the file in one `FileHandle.write` when it is
/// full (about a megabyte at a time); a memory writer grows its buffer and hands it over whole as a
/// `ByteBlock`. A failed file write is
/// remembered, later bytes are dropped, and `close()` or `checkHealth()` throws it, so the hot appends need
/// no `try`.
final class ByteWriter: ByteSink {
    private let handle: FileHandle?
    private let path: String
    private var storage: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var count = 0
    private var failure: GeneratorError?
    private var isClosed = false

    /// Creates (or truncates) the file at `url` and opens it for writing.
    ///
    /// - Throws: `GeneratorError` when the file cannot be created or opened.
    init(url: URL, capacity: Int = 1 << 20) throws {
        path = url.path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw GeneratorError("cannot create '\(path)'")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw GeneratorError("cannot open '\(path)' for writing")
        }
        self.handle = handle
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    /// Creates a writer that collects bytes in memory, for `takeBlock()`.
    init(capacity: Int) {
        handle = nil
        path = ""
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit {
        if !isClosed { try? handle?.close() }
        storage.deallocate()
    }

    /// Makes room for `byteCount` more bytes, sending out or growing the buffer if needed.
    @inline(__always)
    func reserve(_ byteCount: Int) {
        if count + byteCount > capacity { makeRoom(byteCount) }
    }

    /// Sends the buffer to the file, or grows a memory writer's buffer to fit `byteCount` more bytes.
    private func makeRoom(_ byteCount: Int) {
        guard handle == nil else { return flush() }
        let grown = max(2 * capacity, count + byteCount)
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        bigger.moveInitialize(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = grown
    }

    /// Appends one byte.
    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Appends bytes.
    ///
    /// - Complexity: O(*n*) in the number of bytes.
    @inline(__always)
    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    /// Appends bytes; a large piece goes out directly instead of through the buffer.
    ///
    /// - Complexity: O(*n*) in the number of bytes.
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        if handle != nil && bytes.count > capacity / 4 {
            flush()
            send(UnsafeRawBufferPointer(bytes))
            return
        }
        reserve(bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    /// Appends a string's UTF-8 bytes unchanged.
    ///
    /// - Complexity: O(*n*) in the length of the string.
    func append(_ text: String) {
        var text = text
        text.withUTF8 { append($0) }
    }

    /// Appends a decimal integer, left-padded with zeros to at least `minimumDigits` digits.
    @inline(__always)
    func append(decimal value: Int64, minimumDigits: Int = 1) {
        withReservedBytes(21 + minimumDigits) { cursor in
            cursor.append(decimal: value, minimumDigits: minimumDigits)
        }
    }

    /// Hands `body` a cursor with room for `maximum` bytes (for a file writer, at most the capacity).
    @inline(__always)
    func withReservedBytes(_ maximum: Int, _ body: (inout ByteCursor) -> Void) {
        reserve(maximum)
        let start = storage + count
        var cursor = ByteCursor(start)
        body(&cursor)
        count += cursor.position - start
    }

    /// Appends a fixed-point number `units` / 10^`scale`, without trailing zeros after the point.
    func append(units: Int64, scale: Int) {
        var divisor: Int64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let whole = units / divisor
        var fraction = abs(units % divisor)
        if units < 0 && whole == 0 { append(UInt8(ascii: "-")) }
        append(decimal: whole)
        guard fraction != 0 else { return }
        var digits = scale
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        append(UInt8(ascii: "."))
        append(decimal: fraction, minimumDigits: digits)
    }

    /// Appends a moment as ISO 8601 in UTC, like `2025-03-01T09:30:00Z`.
    @inline(__always)
    func append(timestamp seconds: Int64) {
        withReservedBytes(UTCCalendar.timestampLength) { cursor in
            cursor.append(timestamp: seconds)
        }
    }

    /// Sends a file writer's buffer to the file and empties it; a memory writer keeps its bytes.
    func flush() {
        guard count > 0, handle != nil else { return }
        send(UnsafeRawBufferPointer(start: storage, count: count))
        count = 0
    }

    /// Appends a block of bytes formatted elsewhere.
    ///
    /// - Complexity: O(*n*) in the number of bytes.
    func append(_ block: ByteBlock) {
        block.withBytes { append($0) }
    }

    /// Sends bytes straight to the file, remembering the first failure.
    private func send(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, let handle, let base = bytes.baseAddress else { return }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none)
        do {
            try handle.write(contentsOf: data)
        } catch {
            failure = GeneratorError("cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    /// The bytes a memory writer collected, handed over without a copy; the writer starts again empty.
    func takeBlock() -> ByteBlock {
        let block = ByteBlock(taking: storage, count: count)
        storage = .allocate(capacity: capacity)
        count = 0
        return block
    }

    /// Throws the first write failure, if any, so a long run stops soon after the disk does.
    func checkHealth() throws {
        if let failure { throw failure }
    }

    /// Writes what is left, closes the file and reports any failure.
    ///
    /// - Throws: `GeneratorError` when any write or the close failed.
    func close() throws {
        flush()
        isClosed = true
        do {
            try handle?.close()
        } catch {
            if failure == nil { failure = GeneratorError("cannot close '\(path)': \(error.localizedDescription)") }
        }
        try checkHealth()
    }
}
