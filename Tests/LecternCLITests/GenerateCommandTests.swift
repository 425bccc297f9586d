import Foundation
import Testing

@Suite("lectern generate")
struct GenerateCommandTests {
    static let seedData = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../SeedData").standardizedFileURL

    @Test func theCommittedSeedDataIsWhatTheGeneratorMakes() throws {
        let lectern = try Lectern()
        try lectern.ok(["generate", "--seed", "42", "--out", lectern.path("seed")])
        for file in ["creators.csv", "courses.csv", "users.csv", "interactions.csv", "organisations.csv", "members.csv", "assignments.csv"] {
            let made = try Data(contentsOf: URL(fileURLWithPath: lectern.path("seed/\(file)")))
            let committed = try Data(contentsOf: Self.seedData.appendingPathComponent(file))
            #expect(made == committed, "\(file) differs from SeedData: run `make seed`")
        }
    }

    @Test func aGeneratedPlatformImportsWhole() throws {
        let lectern = try Lectern()
        try lectern.ok(["generate", "--seed", "3", "--creators", "4", "--courses", "30", "--users", "80",
                        "--interactions", "3000", "--format", "jsonl", "--out", lectern.path("p")])
        for entity in ["creators", "courses", "users", "interactions", "organisations", "members", "assignments"] {
            try lectern.ok(["import", entity, lectern.path("p/\(entity).jsonl")])
        }
        let stats = try lectern.ok(["stats"])
        #expect(stats.contains("4 creators, 30 courses"))
        #expect(stats.contains("80 learners, 3000 interactions"))
    }

    @Test func aFolderThatHoldsFilesIsRefusedUnlessForced() throws {
        let lectern = try Lectern(initialized: false)
        try FileManager.default.createDirectory(atPath: lectern.path("full"), withIntermediateDirectories: true)
        try lectern.write("full/notes.txt", "mine\n")
        let small = ["generate", "--creators", "2", "--courses", "10", "--users", "10", "--interactions", "100"]
        let refused = try lectern.run(small + ["--out", lectern.path("full")])
        #expect(refused.status == 4 && refused.errorLines.count == 1 && refused.stderr.contains("--force"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: lectern.path("full")) == ["notes.txt"])
        #expect(try lectern.run(small + ["--out", lectern.path("full"), "--force"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: lectern.path("full/interactions.csv")))
        // A file where the folder should be cannot be written: a file problem, exit 8.
        try lectern.write("plain", "x\n")
        #expect(try lectern.run(small + ["--out", lectern.path("plain")]).status == 8)
    }

    @Test func badSizesAreRefused() throws {
        let lectern = try Lectern()
        let line = try lectern.fails(["generate", "--courses", "0", "--out", lectern.path("x")])
        #expect(line.contains("course"))
        #expect(!FileManager.default.fileExists(atPath: lectern.path("x/interactions.csv")))
    }
}
