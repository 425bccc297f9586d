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
            abstract: "Inspect and migrate the database schema (on SQLite or PostgreSQL).",
            subcommands: [Migrate.self, Status.self])

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
    }
}
