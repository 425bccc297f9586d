/// The statements a connection keeps prepared for fixed SQL, at most `capacity` of them.
///
/// When full, the least recently used statement leaves to make room for a new one; the others stay.
/// A statement that leaves is only forgotten here: whoever still holds it may go on using it.
struct StatementCache {
    private struct Entry {
        let statement: Statement
        /// The value of `clock` when the statement was last handed out.
        var lastUse: UInt64
    }

    let capacity: Int
    private var entries: [String: Entry] = [:]
    /// Counts hand-outs, so that a smaller `lastUse` means used longer ago.
    private var clock: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    var count: Int { entries.count }

    /// The statement kept for `sql`, now the most recently used one; nil when there is none.
    mutating func statement(for sql: String) -> Statement? {
        guard let index = entries.index(forKey: sql) else { return nil }
        clock += 1
        entries.values[index].lastUse = clock
        return entries.values[index].statement
    }

    /// Keeps `statement` for its SQL, evicting the least recently used statement when full.
    /// - Returns: false when the cache holds nothing (capacity 0).
    /// - Complexity: O(capacity) when a statement must be evicted (a scan for the oldest use: cheap
    ///   beside the prepare that comes with every miss), else O(1).
    mutating func insert(_ statement: Statement) -> Bool {
        guard capacity > 0 else { return false }
        if entries[statement.sql] == nil, entries.count >= capacity,
           let oldest = entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
            entries[oldest.key] = nil
            oldest.value.statement.cachingConnection = nil
        }
        clock += 1
        entries[statement.sql] = Entry(statement: statement, lastUse: clock)
        return true
    }

    /// Forgets `statement`, if it is the one kept for its SQL.
    mutating func remove(_ statement: Statement) {
        if entries[statement.sql]?.statement === statement {
            entries[statement.sql] = nil
        }
    }
}
