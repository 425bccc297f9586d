import ArgumentParser
import LecternReports
import LecternStore

extension Lectern {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a Lectern database (or bring an existing one up to date).",
            discussion: "--db may be a postgres:// URL: an empty PostgreSQL database is made Lectern's.")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            switch database.location {
            case .postgres(let url):
                let db = try LecternDatabase.openPostgres(url: url, migrate: true)
                defer { db.close() }
                let states = try db.status()
                print("Lectern database ready at \(db.target) on PostgreSQL (schema version \(states.last?.version ?? 0))")
            case .sqlite(let path):
                let db = try LecternDatabase.open(path: path)
                let states = try Migrator().status(db)
                print("Lectern database ready at \(path) (schema version \(states.last?.version ?? 0))")
            }
        }
    }

    struct DB: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "db",
            abstract: "Inspect and migrate the database schema, or copy a whole database (on SQLite or PostgreSQL).",
            subcommands: [Migrate.self, Status.self, Copy.self])

        struct Migrate: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Apply pending migrations, each in its own transaction.")

            @OptionGroup var database: DatabaseOptions

            func run() throws {
                let applied: [Migration]
                switch database.location {
                case .postgres(let url):
                    let db = try LecternDatabase.openPostgres(url: url, migrate: false)
                    defer { db.close() }
                    applied = try db.migrate()
                case .sqlite(let path):
                    let db = try LecternDatabase.open(path: path, migrate: false, mustExist: !database.create)
                    applied = try Migrator().migrate(db)
                }
                if applied.isEmpty {
                    print("Schema is up to date.")
                } else {
                    for migration in applied { print("applied \(migration.version) \(migration.name)") }
                }
            }
        }

        struct Status: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List migrations: applied, pending or changed.")

            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: FormatOptions

            func run() throws {
                let states: [MigrationState]
                switch database.location {
                case .postgres(let url):
                    let db = try LecternDatabase.openPostgres(url: url, migrate: false)
                    defer { db.close() }
                    states = try db.status()
                case .sqlite(let path):
                    states = try Migrator().status(try LecternDatabase.open(path: path, migrate: false, mustExist: true))
                }
                var listing = Listing(["version", "name", "state", "applied_at"])
                for state in states {
                    let label = state.appliedAt == nil ? "pending" : (state.checksumMatches ? "applied" : "CHANGED")
                    listing.append([.int(Int64(state.version)), .text(state.name), .text(label),
                                    .text(state.appliedAt.map(Timestamp.format))])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }
    
        struct Copy: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Copy a whole database into an empty one, between SQLite and PostgreSQL.",
                discussion: """
                    Copies every table (catalog, learners, events, organisations, API keys, experiments, \
                    settings, recommendation caches...) from --from (default: --db, else $LECTERN_DB) into \
                    --to, a file or a postgres:// URL: SQLite to PostgreSQL to move up, PostgreSQL to SQLite \
                    for a local copy. The source must be at this lectern's schema (run `lectern db migrate` \
                    on it first); the target is migrated, must be empty (a new file is made), and gets \
                    everything in one transaction. Before committing, every table's row count and sums and \
                    the net revenue per currency are compared with the source's; any difference, or any \
                    failure, leaves the target as it was. Exit 3..8 as elsewhere: 4 the same database \
                    twice, 5 a target that holds data, 6 a source to migrate first or another \
                    application's database, 8 a missing file or an unreachable server.
                    """)

            @OptionGroup var database: DatabaseOptions
            @Option(help: ArgumentHelp("The database to copy: a file or a postgres:// URL (default: --db, else $LECTERN_DB).",
                                       valueName: "path-or-url"))
            var from: DatabaseLocation?
            @Option(help: ArgumentHelp("The empty database to copy into: a file (made if missing) or a postgres:// URL.",
                                       valueName: "path-or-url"))
            var to: DatabaseLocation

            func validate() throws {
                if from != nil && database.db != nil && from != database.db {
                    throw ValidationError("give the source once: --from or --db, not both")
                }
            }

            func run() throws {
                let source = (from ?? database.location).text
                let progress = Progress("copying")
                defer { progress.finish() }
                let summary = try DatabaseCopy.copy(from: source, to: to.text) { table, done, total in
                    progress.update(label: "copying \(table)", done: done, total: total)
                }
                progress.finish()
                print("Copied \(summary.tables) tables, \(summary.rows) rows from \(summary.source) to \(summary.target)"
                      + String(format: " in %.2fs", summary.seconds))
                let revenue = summary.netRevenue.sorted { $0.key < $1.key }
                    .map { "\($0.key) \(Money.format($0.value, grouped: true))" }
                print("Verified: row counts and column sums of every table" + (revenue.isEmpty ? "" : ", net revenue \(revenue.joined(separator: ", "))"))
            }
        }
    }
}
