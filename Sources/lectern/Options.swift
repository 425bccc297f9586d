import ArgumentParser
import Foundation
import LecternReports
import LecternStore

/// What `--db` names: a SQLite file or a PostgreSQL database, told apart once, by the scheme.
enum DatabaseLocation: Equatable, ExpressibleByArgument {
    /// A SQLite file (or `:memory:`).
    case sqlite(path: String)
    /// A `postgres://` or `postgresql://` URL.
    case postgres(url: String)

    init(_ text: String) {
        self = LecternDatabase.isPostgresURL(text) ? .postgres(url: text) : .sqlite(path: text)
    }

    init?(argument: String) { self.init(argument) }

    /// The path or the URL as given.
    var text: String {
        switch self {
        case .sqlite(let path): path
        case .postgres(let url): url
        }
    }
}

/// `--db PATH`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The database file, or a postgres://user@host:port/dbname URL (default: $LECTERN_DB, else ./lectern.db).",
        valueName: "path"))
    var db: DatabaseLocation?

    @Flag(name: .long, help: "Create the database when the file does not exist (`lectern init` always may).")
    var create = false

    /// The database `--db` names, else `LECTERN_DB`, else `./lectern.db`.
    var location: DatabaseLocation {
        db ?? ProcessInfo.processInfo.environment["LECTERN_DB"].flatMap { $0.isEmpty ? nil : DatabaseLocation($0) }
            ?? .sqlite(path: "lectern.db")
    }

    /// Opens a database that must already exist on either engine, for `health` (a URL connects and
    /// checks the schema without changing it).
    func openExistingEitherEngine(migrate: Bool = true) throws -> Database {
        switch location {
        case .sqlite(let path): try LecternDatabase.open(path: path, migrate: migrate, mustExist: true)
        case .postgres(let url): try LecternDatabase.open(path: url, migrate: migrate)
        }
    }

    /// Opens and migrates the database on either engine, for the commands that run on PostgreSQL too
    /// (a file as `open()` does, `--create` included; a URL connects and migrates).
    func openEitherEngine(mustExist: Bool? = nil) throws -> Database {
        switch location {
        case .sqlite(let path): try LecternDatabase.open(path: path, mustExist: mustExist ?? !create)
        case .postgres(let url): try LecternDatabase.open(path: url)
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// `--format table|json|csv`, shared by every listing.
struct FormatOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table
}

extension TransferFormat: ExpressibleByArgument {}
extension Course.Difficulty: ExpressibleByArgument {}
extension Course.Format: ExpressibleByArgument {}
extension Course.Status: ExpressibleByArgument {}

/// Parses a price such as `49`, `49.9` or `49.90` into minor units (4990), exactly.
func parseMinorUnits(_ text: String, what: String = "price") throws -> Int64 {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.hasPrefix("-") { throw CommandFailure("\(what) cannot be negative, got \(text)") }
    guard let minor = Money.parse(trimmed) else {
        throw CommandFailure("invalid \(what) '\(text)': write it like 49.90, with at most two decimals")
    }
    return minor
}


/// Parses a time given on the command line (`2025-03-01`, `2025-03-01T09:30:00Z`, Unix seconds).
func parseTime(_ text: String, option: String) throws -> Int64 {
    guard let time = Timestamp.parse(text) else {
        throw CommandFailure("invalid \(option) '\(text)': use a time such as 2025-03-01 or 2025-03-01T09:30:00Z, \(Timestamp.rangeDescription)")
    }
    return time
}

/// Splits `a,b, c` into `["a", "b", "c"]`.
func splitList(_ text: String?) -> [String] {
    guard let text else { return [] }
    return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}
