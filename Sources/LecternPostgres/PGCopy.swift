import NIOCore
import PostgresNIO

/// Rows in the text format of `COPY ... FROM STDIN` (https://www.postgresql.org/docs/current/sql-copy.html):
/// one line per row, columns separated by a tab, `\N` for NULL, and a backslash before each
/// backslash, newline, carriage return and tab inside a value. A BYTEA value is written in the hex
/// input form (`\x...`), its backslash doubled for COPY.
///
/// Bytes are appended to a plain array the caller keeps and reuses, one batch of rows at a time.
public enum PGCopyText {
    /// Appends one value (the first of a row when `first`, else after a tab).
    public static func append(_ value: PGValue, first: Bool, to buffer: inout [UInt8]) {
        if !first { buffer.append(UInt8(ascii: "\t")) }
        switch value {
        case .null:
            buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "N")])
        case .integer(let number):
            appendInteger(number, to: &buffer)
        case .real(let number):
            appendReal(number, to: &buffer)
        case .boolean(let flag):
            buffer.append(flag ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        case .text(let text):
            appendEscaped(text.utf8, to: &buffer)
        case .bytes(let bytes):
            appendHex(bytes, to: &buffer)
        }
    }

    /// Ends a row.
    public static func endRow(_ buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\n"))
    }

    public static func appendInteger(_ number: Int64, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: String(number).utf8)  // a small string: no allocation
    }

    /// A double as the shortest text that reads back as the same double (Swift's `description`,
    /// which PostgreSQL's `float8in` parses exactly); infinities and NaN in PostgreSQL's words.
    public static func appendReal(_ number: Double, to buffer: inout [UInt8]) {
        let text: String
        if number.isNaN {
            text = "NaN"
        } else if number.isInfinite {
            text = number < 0 ? "-Infinity" : "Infinity"
        } else {
            text = number.description
        }
        buffer.append(contentsOf: text.utf8)
    }

    /// Text with COPY's escapes: backslash, newline, carriage return and tab each behind a backslash.
    public static func appendEscaped(_ bytes: some Sequence<UInt8>, to buffer: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            default: buffer.append(byte)
            }
        }
    }

    /// BYTEA as `\\x0a1b...` (the hex form `\x0a1b`, its backslash escaped for COPY).
    public static func appendHex(_ bytes: some Collection<UInt8>, to buffer: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        buffer.reserveCapacity(buffer.count + 3 + bytes.count * 2)
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        for byte in bytes {
            buffer.append(hex[Int(byte >> 4)])
            buffer.append(hex[Int(byte & 0x0F)])
        }
    }
}

extension PGConnection {
    /// A `COPY table (columns) FROM STDIN` in flight: the next batch is prepared while the server
    /// reads this one. `send` waits for the batch before it, so at most one is in flight; `finish`
    /// waits for the last. Made by `copyWriter(into:columns:)`; one table at a time, and nothing
    /// else may run on the connection until `finish` returns.
    public final class CopyWriter {
        private let connection: PGConnection
        private let table: String
        private let columns: [String]
        private var pending: EventLoopFuture<Void>?

        fileprivate init(connection: PGConnection, table: String, columns: [String]) {
            self.connection = connection
            self.table = table
            self.columns = columns
        }

        /// Sends one batch of rows in `PGCopyText`'s format, whole rows only, as its own COPY.
        /// - Throws: `PGError` for the batch before it (a refused row, a lost connection).
        public func send(_ rows: [UInt8]) throws {
            try wait()
            guard !rows.isEmpty else { return }
            pending = connection.startCopy(into: table, columns: columns, rows: ByteBuffer(bytes: rows))
        }

        /// Waits until the server has taken every batch sent.
        public func finish() throws {
            try wait()
        }

        private func wait() throws {
            guard let pending else { return }
            self.pending = nil
            do {
                try pending.wait()
            } catch {
                throw connection.failure(error)
            }
        }

        deinit {
            _ = try? pending?.wait()
        }
    }

    /// A writer of rows into `table` through COPY (text format): names are written in the SQL as
    /// given, so they must be the schema's, never input.
    public func copyWriter(into table: String, columns: [String]) -> CopyWriter {
        CopyWriter(connection: self, table: table, columns: columns)
    }

    /// Starts one `COPY ... FROM STDIN` of `rows`. postgres-nio's `copyFrom` is asynchronous; it runs
    /// as a task on the connection's event loop (`EventLoopTaskExecutor`), never on Swift's shared
    /// pool, whose few threads may all be blocked waiting on this very future (the store is
    /// synchronous, and runs under Swift Testing on that pool).
    fileprivate func startCopy(into table: String, columns: [String], rows: ByteBuffer) -> EventLoopFuture<Void> {
        let connection = self.connection
        let logger = self.logger
        let promise = connection.eventLoop.makePromise(of: Void.self)
        Task(executorPreference: EventLoopTaskExecutor(connection.eventLoop)) {
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    try await writer.write(rows)
                }
                promise.succeed(())
            } catch {
                promise.fail(error)
            }
        }
        return promise.futureResult
    }
}

/// Runs a task's jobs on a NIO event loop: for the few asynchronous calls of postgres-nio the
/// synchronous store waits for (see `startCopy`).
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
