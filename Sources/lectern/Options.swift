import ArgumentParser
import Foundation
import LecternReports
import LecternStore

/// `--db PATH`, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The database file, or a postgres:// URL for `init`, `db status` and `db migrate` (default: $LECTERN_DB, else ./lectern.db).",
        valueName: "path"))
    var db: String?

    @Flag(name: .long, help: "Create the database when the file does not exist (`lectern init` always may).")
    var create = false

    /// What `--db` (or `LECTERN_DB`) names: a file's path or a PostgreSQL URL.
    var location: String {
        db ?? ProcessInfo.processInfo.environment["LECTERN_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? "lectern.db"
    }

    /// Whether `--db` names a PostgreSQL database (`postgres://` or `postgresql://`).
    var isPostgres: Bool { LecternDatabase.isPostgresURL(location) }

    /// The SQLite file. Every command but `init`, `db status` and `db migrate` runs on SQLite only, and
    /// reads its database through this (or `open()`), so given a PostgreSQL URL it stops here: one line,
    /// `error: <command> does not run on PostgreSQL yet`, exit 6 (a database this lectern cannot use).
    var path: String {
        if isPostgres {
            Main.fail("\(Self.commandName()) does not run on PostgreSQL yet (only `init`, `db status` and `db migrate` do)", code: 6)
        }
        return location
    }

    /// The command being run, as `lectern course list`, read from the process's arguments.
    static func commandName(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> String {
        var words = ["lectern"]
        var commands: [any ParsableCommand.Type] = Lectern.configuration.subcommands
        for argument in arguments {
            guard let match = commands.first(where: { $0._commandName == argument }) else { continue }
            words.append(argument)
            commands = match.configuration.subcommands
            if commands.isEmpty { break }
        }
        return words.joined(separator: " ")
    }

    /// Connects to the PostgreSQL database `--db` names, checking it (and migrating it when `migrate`).
    func openPostgres(migrate: Bool) throws -> PostgresDatabase {
        try LecternDatabase.openPostgres(url: location, migrate: migrate)
    }

    /// Opens and migrates the database. A missing file is an error (exit 8, with a hint) unless
    /// `--create` is given: a mistyped `--db` must not quietly start an empty database.
    func open() throws -> Database {
        try LecternDatabase.open(path: path, mustExist: !create)
    }

    /// Opens the database, creating it when new (`lectern init`).
    func openCreating() throws -> Database {
        try LecternDatabase.open(path: path)
    }

    /// Opens a database that must already exist, even with `--create` (for `db status`).
    func openExisting(migrate: Bool = true) throws -> Database {
        try LecternDatabase.open(path: path, migrate: migrate, mustExist: true)
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
