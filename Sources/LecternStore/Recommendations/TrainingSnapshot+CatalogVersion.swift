internal import LecternSQLite

extension TrainingSnapshot {
    static let catalogVersion = "SELECT version FROM catalog_version WHERE id = 1"

    /// A number that changes whenever courses, their tags or prerequisites change (kept by triggers,
    /// migration 0006), so a process holding models built from the catalog knows when to build them
    /// again.
    static func catalogVersion(in db: Executor) throws -> Int64 {
        try withStoreErrors { try db.scalarInt(Self.catalogVersion) ?? 0 }
    }
}

extension TrainingSnapshot {
    public static func catalogVersion(in database: Database) throws -> Int64 {
        try catalogVersion(in: database.executor)
    }
}
