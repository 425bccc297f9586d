/// What both engines' migrators decide from a database's `schema_migrations` alone: whether this
/// binary may open it, and the state of each migration.
enum MigrationLedger {
    /// A migration as `schema_migrations` records it.
    struct Applied {
        let version: Int
        let name: String
        let checksum: String
        let appliedAt: Int64
    }

    /// Refuses `applied` when it holds a migration newer than `migrations` or unknown to them, or
    /// (with `checksums`) one whose text has changed since it was applied. `target` names the
    /// database in messages.
    static func check(_ applied: [Applied], against migrations: [Migration], target: String, checksums: Bool) throws {
        let known = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        let newestKnown = migrations.last?.version ?? 0
        if let newest = applied.map(\.version).max(), newest > newestKnown {
            throw StoreError(.newerSchema, "\(target) has schema version \(newest), newer than this lectern supports (\(newestKnown)); upgrade lectern")
        }
        for row in applied {
            guard let migration = known[row.version] else {
                throw StoreError(.newerSchema, "\(target) has migration \(row.version) (\(row.name)) that this lectern does not know")
            }
            if checksums && migration.checksum != row.checksum {
                throw StoreError(.tamperedMigration, "migration \(row.version) (\(row.name)) has changed since it was applied to \(target) (checksum \(row.checksum), now \(migration.checksum)); restore the original file")
            }
        }
    }

    /// The state of every migration in `migrations`; a changed one shows as `checksumMatches == false`.
    static func states(_ applied: [Applied], of migrations: [Migration]) -> [MigrationState] {
        let rows = Dictionary(uniqueKeysWithValues: applied.map { ($0.version, $0) })
        return migrations.map { migration in
            let row = rows[migration.version]
            return MigrationState(version: migration.version, name: migration.name, appliedAt: row?.appliedAt,
                                  checksumMatches: row.map { $0.checksum == migration.checksum } ?? true)
        }
    }
}
