import ArgumentParser
import Foundation
import LecternReports
import LecternStore

extension Lectern {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import creators, courses, users, interactions, organisations, members or assignments (CSV, TSV, JSON Lines).",
            discussion: """
                A file is imported whole or not at all: the first bad row is reported by line number and \
                reason. With --skip-invalid the good rows are kept and the bad ones listed. Import creators \
                before courses, and users and courses before interactions.
                """)

        enum Entity: String, ExpressibleByArgument, CaseIterable {
            case creators, courses, users, interactions, organisations, members, assignments
        }

        /// Whether this entity imports into PostgreSQL too (organisations are SQLite's only, so far).
        
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "creators, courses, users, interactions, organisations, members or assignments.") var entity: Entity
        @Argument(help: "The file to read.") var file: String
        @Option(help: "csv, tsv or jsonl (default: from the file name).") var format: TransferFormat?
        @Flag(help: "Import the valid rows and list the invalid ones instead of refusing the file.") var skipInvalid = false

        func run() throws {
            let db = try database.openEitherEngine()
            let progress = Progress("importing \(entity.rawValue)")
            let options = ImportOptions(format: format, skipInvalid: skipInvalid) { progress.update(done: $0, total: $1) }
            let importer = Importer(db)
            let started = Date()
            let summary: ImportSummary
            defer { progress.finish() }
            switch entity {
            case .creators: summary = try importer.importCreators(from: file, options: options)
            case .courses: summary = try importer.importCourses(from: file, options: options)
            case .users: summary = try importer.importUsers(from: file, options: options)
            case .interactions: summary = try importer.importInteractions(from: file, options: options)
            case .organisations: summary = try importer.importOrganisations(from: file, options: options)
            case .members: summary = try importer.importMembers(from: file, options: options)
            case .assignments: summary = try importer.importAssignments(from: file, options: options)
            }
            progress.finish()
            let seconds = Date().timeIntervalSince(started)
            var line = "Imported \(summary.imported) \(entity.rawValue) from \(file)"
            if summary.duplicates > 0 { line += ", \(summary.duplicates) already recorded" }
            if !summary.skipped.isEmpty { line += ", skipped \(summary.skipped.count) invalid" }
            line += String(format: " in %.2fs", seconds)
            if seconds > 0.05 && summary.imported > 0 { line += " (\(Int(Double(summary.imported) / seconds)) rows/s)" }
            print(line)
            for skipped in summary.skipped.prefix(50) { print("  skipped \(skipped.reason)") }
            if summary.skipped.count > 50 { print("  ... and \(summary.skipped.count - 50) more") }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export creators, courses, users, interactions, organisations, members or assignments as import reads them.",
            discussion: "`export catalog --out DIR` writes creators and courses into DIR.")

        enum Entity: String, ExpressibleByArgument, CaseIterable {
            case catalog, creators, courses, users, interactions, organisations, members, assignments
        }

        /// Whether this entity exports from PostgreSQL too (organisations are SQLite's only, so far).
        
        @OptionGroup var database: DatabaseOptions
        @Argument(help: "catalog, creators, courses, users, interactions, organisations, members or assignments.") var entity: Entity
        @Option(help: "File to write (default: standard output); a directory for catalog.") var out: String?
        @Option(help: "csv, tsv or jsonl (default: from --out, else csv).") var format: TransferFormat?

        func validate() throws {
            if entity == .catalog && out == nil { throw ValidationError("export catalog needs --out DIR") }
        }

        func run() throws {
            let db = try database.openEitherEngine(mustExist: true)
            let exporter = Exporter(db)
            let format = self.format ?? out.flatMap(TransferFormat.inferred(from:)) ?? .csv
            switch entity {
            case .catalog:
                let directory = out!
                do {
                    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                } catch {
                    throw CommandFailure.io("cannot create '\(directory)': \(error.localizedDescription)")
                }
                let creators = try exporter.exportCreators(to: "\(directory)/creators.\(format.rawValue)", format: format)
                let courses = try exporter.exportCourses(to: "\(directory)/courses.\(format.rawValue)", format: format)
                print("Exported \(creators) creators and \(courses) courses to \(directory)")
            case .creators: report(try exporter.exportCreators(to: out, format: format))
            case .courses: report(try exporter.exportCourses(to: out, format: format))
            case .users: report(try exporter.exportUsers(to: out, format: format))
            case .interactions: report(try exporter.exportInteractions(to: out, format: format))
            case .organisations: report(try exporter.exportOrganisations(to: out, format: format))
            case .members: report(try exporter.exportMembers(to: out, format: format))
            case .assignments: report(try exporter.exportAssignments(to: out, format: format))
            }
        }

        private func report(_ count: Int) {
            if let out { print("Exported \(count) \(entity.rawValue) to \(out)") }
        }
    }
}
