import Foundation
import Testing

@Suite("lectern --help")
struct HelpTests {
    static let commands: [[String]] = [
        [], ["init"], ["db"], ["db", "migrate"], ["db", "status"],
        ["creator"], ["creator", "add"], ["creator", "list"], ["creator", "show"],
        ["course"], ["course", "add"], ["course", "update"], ["course", "show"], ["course", "list"],
        ["course", "archive"], ["course", "tag"], ["course", "untag"], ["course", "prereq"],
        ["tag"], ["tag", "list"], ["tag", "suggest"], ["tag", "accept"], ["tag", "drop"], ["tags", "suggest"], ["user"], ["user", "add"], ["user", "update"], ["user", "show"], ["user", "list"],
        ["record"], ["activity"], ["stats"], ["import"], ["export"], ["clean"], ["generate"],
        ["train"], ["recommend"], ["similar"], ["models"], ["evaluate"], ["tune"], ["experiment"], ["experiment", "create"], ["experiment", "report"], ["experiment", "stop"], ["experiment", "list"], ["report"], ["user", "profile"], ["user", "forget"], ["segments"], ["segments", "build"], ["segments", "list"], ["path"],
        ["serve"], ["apikey"], ["apikey", "create"], ["apikey", "list"], ["apikey", "revoke"], ["health"],
    ]

    @Test(arguments: commands)
    func everyCommandExplainsItself(command: [String]) throws {
        let lectern = try Lectern()
        let result = try lectern.run(command + ["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: lectern"), "\(command): \(result.stdout)")
        #expect(result.stderr.isEmpty)
    }

    /// A mistyped command is named, with the nearest real one, before any of its options are read.
    @Test func aMistypedCommandSuggestsTheNearestOne() throws {
        let lectern = try Lectern()
        let typo = try lectern.run(["recomend", "--user", "1"])
        #expect(typo.status == 64 && typo.errorLines == ["error: unknown command 'recomend'; did you mean 'recommend'? (see `lectern --help`)"],
                "\(typo.stderr)")
        let unknown = try lectern.run(["xyzzy"])
        #expect(unknown.status == 64 && unknown.errorLines == ["error: unknown command 'xyzzy' (see `lectern --help`)"])
        #expect(try lectern.run(["tags", "list"]).status == 0)  // an alias is a command
    }
}
