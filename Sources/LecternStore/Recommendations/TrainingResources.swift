import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
internal import LecternSQLite

/// What a training needs from the machine, checked before it starts, so that a platform too big
/// for this machine fails at once with one sentence (what ran out, how much was needed) and leaves
/// the old cache in place, instead of dying half way.
public struct TrainingResources: Sendable, Equatable {
    public var events: Int
    public var learners: Int
    public var courses: Int

    public init(events: Int, learners: Int, courses: Int) {
        self.events = events
        self.learners = learners
        self.courses = courses
    }

    static let counts = """
        SELECT (SELECT count(*) FROM interactions), (SELECT count(*) FROM users), (SELECT count(*) FROM courses)
        """

    /// The database's size as training sees it.
    /// - Complexity: O(events) for the count, read from the smallest index.
    static func measure(_ db: Executor) throws -> TrainingResources {
        try withStoreErrors {
            try db.first(counts) { TrainingResources(events: $0.int(0), learners: $0.int(1), courses: $0.int(2)) }
                ?? TrainingResources(events: 0, learners: 0, courses: 0)
        }
    }

    /// Peak memory of a training, in bytes: measured at 3M and 20M events (events, the matrix,
    /// profiles and one block of lists in flight), with a margin.
    public var memoryNeeded: Int {
        200 << 20 + events * 110 + learners * 1_600 + courses * 60_000
    }

    /// Disk a training's cache needs, in bytes: `listedRows` cached recommendations at about 60
    /// bytes each (the write-ahead log holds them before they reach the file), neighbours and factors.
    public func diskNeeded(listedRows: Int, factors: Int) -> Int {
        (listedRows * 60 + courses * 100 * 40 + (learners + courses) * (factors * 4 + 40)) * 2
    }

    /// Throws when the machine has less memory available than `memoryNeeded`.
    public func checkMemory() throws {
        guard let available = Self.availableMemory(), available < memoryNeeded else { return }
        throw StoreError(.io, "not enough memory to train: \(events) events and \(learners) learners need about "
            + "\(Self.gigabytes(memoryNeeded)), and \(Self.gigabytes(available)) is available")
    }

    /// Throws when the file system of `db` has less free space than `bytes`. A PostgreSQL server's
    /// disk is not this machine's to measure: the server refuses the write if it runs out, and the
    /// run's transaction rolls back, leaving the old cache.
    static func checkDisk(for db: Connection, bytes: Int) throws {
        guard db.path != ":memory:", !db.path.isEmpty else { return }
        let directory = (db.path as NSString).deletingLastPathComponent
        var stats = statvfs()
        guard statvfs(directory.isEmpty ? "." : directory, &stats) == 0 else { return }
        let free = Int(stats.f_bavail) * Int(stats.f_frsize)
        guard free < bytes else { return }
        throw StoreError(.io, "not enough disk space for the new cache: it needs about \(gigabytes(bytes)) "
            + "beside '\(db.path)', and \(gigabytes(free)) is free; the old cache is left in place")
    }

    /// MemAvailable from /proc/meminfo, in bytes; nil where there is none.
    static func availableMemory() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let parts = line.split(separator: " ")
            if parts.count >= 2, let kib = Int(parts[1]) { return kib * 1024 }
        }
        return nil
    }

    static func gigabytes(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GB", Double(bytes) / Double(1 << 30)) : "\(max(1, bytes >> 20)) MB"
    }
}

extension TrainingResources {
    public static func measure(_ database: Database) throws -> TrainingResources {
        try measure(database.executor)
    }

    public static func checkDisk(for database: Database, bytes: Int) throws {
        guard let connection = database.executor.sqliteConnection else { return }
        try checkDisk(for: connection, bytes: bytes)
    }
}
