import ArgumentParser
import LecternReports
import LecternStore

extension Lectern {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a Lectern database (or bring an existing one up to date).")

        @OptionGroup var database: DatabaseOptions

        func run() throws {
            let db = try database.openCreating()
            let states = try Migrator().status(db)
            print("Lectern database ready at \(database.path) (schema version \(states.last?.version ?? 0))")
        }
    }

    struct DB: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "db",
            abstract: "Inspect and migrate the database schema.",
            subcommands: [Migrate.self, Status.self])

        struct Migrate: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Apply pending migrations, each in its own transaction.")

            @OptionGroup var database: DatabaseOptions

            func run() throws {
                let db = try LecternDatabase.open(path: database.path, migrate: false, mustExist: !database.create)
                let applied = try Migrator().migrate(db)
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
                let db = try database.openExisting(migrate: false)
                var listing = Listing(["version", "name", "state", "applied_at"])
                for state in try Migrator().status(db) {
                    let label = state.appliedAt == nil ? "pending" : (state.checksumMatches ? "applied" : "CHANGED")
                    listing.append([.int(Int64(state.version)), .text(state.name), .text(label),
                                    .text(state.appliedAt.map(Timestamp.format))])
                }
                print(listing.rendered(output.format), terminator: "")
            }
        }
    }
}
