import Foundation
import PackagePlugin

/// Embeds the target's `openapi.json` as `OpenAPIDocument.text`, so `lectern serve` can answer
/// `/openapi.json` from the committed document without a resource bundle.
@main
struct EmbedOpenAPI: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let input = context.package.directoryURL.appending(path: "Sources/LecternServer/openapi.json")
        let output = context.pluginWorkDirectoryURL.appending(path: "OpenAPIDocument.swift")
        return [
            .buildCommand(
                displayName: "Embedding openapi.json",
                executable: try context.tool(named: "TextEmbedder").url,
                arguments: ["text", output.path, "OpenAPIDocument", input.path],
                inputFiles: [input],
                outputFiles: [output]
            ),
        ]
    }
}
