import Foundation
internal import LecternPostgres
internal import LecternSQLite

/// Opens Lectern's SQLite file, checks it is Lectern's, and brings its schema up to date
/// (`openPostgres(url:)`, in PostgresDatabase.swift, does the same for a PostgreSQL URL).
public enum LecternDatabase {
    /// Opens `path`, creating and migrating it when it is new.
    ///
    /// `LECTERN_BUSY_TIMEOUT_MS` in the environment overrides how long a locked database is waited for
    /// (5 s by default).
    ///
    /// - Parameters:
    ///   - migrate: apply pending migrations (every command does; `db status` does not).
    ///   - mustExist: fail instead of creating a missing file.
    /// - Throws: `StoreError` for a foreign or newer database, a tampered migration, a locked file, or
    ///   a PostgreSQL server that cannot be reached or used (see `openPostgres(url:)`).
    public static func open(path: String, migrate: Bool = true, mustExist: Bool = false) throws -> Database {
        // A URL is no file: it opens a PostgreSQL database, migrated as a file is.
        if isPostgresURL(path) {
            return Database(postgres: try openPostgres(url: path, migrate: migrate).connection)
        }
        if path != ":memory:" {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue {
                throw StoreError(.io, "'\(path)' is a directory, not a database file")
            }
            if !exists && mustExist {
                throw StoreError(.io, "no database at '\(path)': check the path, or create one with `lectern init --db \(path)` (or --create)")
            }
            if exists && !FileManager.default.isReadableFile(atPath: path) {
                throw StoreError(.io, "cannot read '\(path)'")
            }
            let folder = (path as NSString).deletingLastPathComponent
            var folderIsDirectory: ObjCBool = false
            if !exists, !folder.isEmpty, !FileManager.default.fileExists(atPath: folder, isDirectory: &folderIsDirectory) {
                throw StoreError(.io, "cannot create '\(path)': the folder '\(folder)' does not exist")
            }
        }
        var options = Connection.Options()
        if let text = ProcessInfo.processInfo.environment["LECTERN_BUSY_TIMEOUT_MS"], let milliseconds = Int32(text), milliseconds >= 0 {
            options.busyTimeoutMilliseconds = milliseconds
        }
        do {
            if path != ":memory:" { try refuseForeignFile(path) }
            let db = try Connection(path: path, options: options)
            if migrate {
                try Migrator().migrate(db)
            } else {
                try Migrator().checkCompatible(db, checksums: false)
            }
            return Database(db)
        } catch let error as SQLiteError {
            throw StoreError.wrapping(error, path: path)
        }
    }

    /// Refuses another application's SQLite file before anything writes to it: opening read-write
    /// switches the journal to WAL, so the check runs on a read-only connection first, and a refused
    /// file keeps every byte. A file that cannot be read that way is left to the normal open, which
    /// says why.
    static func refuseForeignFile(_ path: String) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        var options = Connection.Options()
        options.readOnly = true
        options.foreignKeys = false
        options.busyTimeoutMilliseconds = 0
        guard let reader = try? Connection(path: path, options: options) else { return }
        do {
            try Migrator().checkCompatible(reader, checksums: false)
        } catch let error as StoreError where error.code == .foreignDatabase {
            throw error
        } catch {
            return  // busy, newer or tampered: the normal open reports it
        }
    }

    /// An in-memory database with every migration applied (for tests and tools).
    public static func inMemory() throws -> Database {
        try open(path: ":memory:")
    }
}

/// Runs a store operation, turning SQLite's and PostgreSQL's errors into `StoreError`s people can read.
func withStoreErrors<T>(path: String? = nil, _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as SQLiteError {
        throw StoreError.wrapping(error, path: path)
    } catch let error as PGError {
        throw StoreError.wrapping(error)
    }
}
