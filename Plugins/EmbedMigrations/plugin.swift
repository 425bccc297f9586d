import Foundation
import PackagePlugin

/// Embeds `Migrations/*.sql` (SQLite) and `Migrations/postgres/*.sql` (PostgreSQL) into the target as Swift source, so the `lectern` binary carries its
/// schema and needs no resource bundle beside it.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let directory = context.package.directoryURL.appending(path: "Migrations")
        // SQLite's migrations, then PostgreSQL's twins in Migrations/postgres/.
        let files = try [directory, directory.appending(path: "postgres")].flatMap { folder in
            try FileManager.default
                .contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "sql" }
                .sorted { $0.lastPathComponent < $1.lastPathComponent }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(files.count) migrations",
                executable: try context.tool(named: "TextEmbedder").url,
                arguments: ["migrations", output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            ),
        ]
    }
}
