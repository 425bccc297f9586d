import ArgumentParser
import Foundation
import LecternRecommender
import LecternReports
import LecternStore

/// `lectern`: the command line of the Lectern learning-platform backend.
struct Lectern: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lectern",
        abstract: "The backend of a paid learning platform: catalog, learners, activity, in one SQLite file or on PostgreSQL.",
        discussion: """
            Every command takes --db PATH (default $LECTERN_DB, else ./lectern.db). `lectern init` creates \
            a database; other commands refuse a missing file (exit 8) unless given --create. A database \
            is migrated when opened. A URL postgres://user@host:port/dbname in place of the path selects \
            PostgreSQL (the password from the URL, PGPASSWORD or ~/.pgpass; never shown).
            """,
        version: "0.1.0",
        subcommands: [
            Init.self, DB.self, CreatorCommand.self, CourseCommand.self, TagCommand.self, UserCommand.self,
            Record.self, Activity.self, Stats.self, Import.self, Export.self, Clean.self, Generate.self,
            Train.self, Recommend.self, Similar.self, Models.self, Evaluate.self, Tune.self, ExperimentCommand.self, Report.self,
            Segments.self, Path.self, OrgCommand.self, Assign.self, Assignments.self, Bundles.self, Partners.self, AudienceCommand.self,
            Serve.self, APIKeyCommand.self, Health.self,
        ]
    )
}

/// Runs the command line, printing every failure as one `error: ...` line with a non-zero exit.
@main
enum Main {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        // `lectern --db PATH command ...` reads naturally; pass it on as the default database.
        if arguments.first == "--db", arguments.count > 1 {
            setenv("LECTERN_DB", arguments[1], 1)
            arguments.removeFirst(2)
        } else if let first = arguments.first, first.hasPrefix("--db=") {
            setenv("LECTERN_DB", String(first.dropFirst(5)), 1)
            arguments.removeFirst()
        }
        if let first = arguments.first, !first.hasPrefix("-"), first != "help" {
            let names = Lectern.configuration.subcommands.flatMap { [$0._commandName] + $0.configuration.aliases }
            if !names.contains(first) {
                let near = names.map { ($0, editDistance($0, first)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }
                fail("unknown command '\(oneLine(first, limit: 60))'" + (near.map { "; did you mean '\($0.0)'?" } ?? "")
                     + " (see `lectern --help`)", code: 64)
            }
        }
        do {
            var command = try Lectern.parseAsRoot(arguments)
            try command.run()
        } catch let error as StoreError {
            fail(error.message, code: exitCode(for: error))
        } catch let error as CommandFailure {
            fail(error.message, code: error.code)
        } catch let error as RecommenderError {
            fail(error.description, code: 4)
        } catch let error as FactorModelError {
            fail(error.description, code: 4)
        } catch {
            let code = Lectern.exitCode(for: error)
            if code == .success {
                // --help, --version and other clean exits print their text normally.
                print(Lectern.fullMessage(for: error))
                exit(0)
            }
            var message = Lectern.message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
            if message.lowercased().hasPrefix("error: ") { message = String(message.dropFirst(7)) }
            message = message.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "; ")
            message = oneSentence(message)
            fail(message + " (see `\(helpCommand(for: arguments))`)", code: code.rawValue)
        }
    }

    /// `lectern course add` for the subcommand the arguments name, as far as they name one.
    static func commandName(for arguments: [String]) -> String {
        var words = ["lectern"]
        var commands: [any ParsableCommand.Type] = Lectern.configuration.subcommands
        for argument in arguments {
            guard let match = commands.first(where: { $0._commandName == argument }) else { break }
            words.append(argument)
            commands = match.configuration.subcommands
        }
        return words.joined(separator: " ")
    }

    /// `lectern course add --help` for the subcommand the arguments name, as far as they name one.
    static func helpCommand(for arguments: [String]) -> String {
        commandName(for: arguments) + " --help"
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("error: \(oneLine(message))\n".utf8))
        exit(code == 0 ? 1 : code)
    }

    /// ArgumentParser's two sentences for a value outside a choice ("The value 'expert' is invalid for
    /// '--difficulty <difficulty>'. Please provide one of 'beginner', 'intermediate' or 'advanced'.")
    /// as one: "invalid --difficulty 'expert': use beginner, intermediate or advanced".
    static func oneSentence(_ message: String) -> String {
        let pattern = #/The value '(?<value>.*)' is invalid for '(?<option>[^' <]+)[^']*'\. Please provide one of (?<choices>.*)\./#
        if let match = message.wholeMatch(of: pattern) {
            let choices = match.output.choices.replacingOccurrences(of: "'", with: "")
            return "invalid \(match.output.option) '\(match.output.value)': use \(choices)"
        }
        // Many choices come as a list ("Please provide one of the following:; - view; - wishlist; ..."),
        // and an argument is named as <kind>.
        let listed = #/The value '(?<value>.*)' is invalid for '<?(?<name>[^'<> ]+)[^']*'\. Please provide one of the following:(?<items>(; - [^;]+)+)/#
        if let match = message.wholeMatch(of: listed) {
            let items = match.output.items.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).dropFirst(2) }
                .filter { !$0.isEmpty }
            let choices = items.count > 1 ? items.dropLast().joined(separator: ", ") + " or " + items.last! : items.joined()
            return "invalid \(match.output.name) '\(match.output.value)': use \(choices)"
        }
        return message
    }

    /// Levenshtein distance between two short words (command names).
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }

    /// An error as one line of at most `limit` characters: line breaks and other control characters
    /// (which a value from a file or an argument may carry) are escaped, and a longer text is cut.
    static func oneLine(_ message: String, limit: Int = 500) -> String {
        var out = ""
        var count = 0
        for scalar in message.unicodeScalars {
            let shown = scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029
                ? scalar.escaped(asASCII: true) : String(scalar)
            count += 1
            if count > limit { return out + "…" }
            out += shown
        }
        return out
    }

    /// Distinct exit codes let scripts tell a missing thing from a bad value from a busy database.
    static func exitCode(for error: StoreError) -> Int32 {
        switch error.code {
        case .notFound: 3
        case .invalidInput: 4
        case .conflict: 5
        case .foreignDatabase, .newerSchema, .tamperedMigration: 6
        case .busy: 7
        case .io, .unavailable: 8
        }
    }
}

/// A failure found by the command line itself, printed as `error: message`.
struct CommandFailure: Error {
    let message: String
    /// The exit status: 4 (invalid input) unless said otherwise, as the README lists them.
    let code: Int32
    init(_ message: String, code: Int32 = 4) {
        self.message = message
        self.code = code
    }

    /// A file or folder that cannot be written or created: exit 8.
    static func io(_ message: String) -> CommandFailure { CommandFailure(message, code: 8) }
}
