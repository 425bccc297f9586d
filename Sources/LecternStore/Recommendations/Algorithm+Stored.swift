import LecternCore

extension Algorithm {
    /// The algorithm a name read from the database names.
    ///
    /// Only this lectern writes those names, and the cache's, the experiments' and the tuning
    /// tables' CHECKs hold them to `Algorithm`'s cases (a newer lectern with more would have migrated
    /// the file, which this one then refuses to open). A name it does not know was written by hand:
    /// an error that says where, never a silent default.
    /// - Throws: `StoreError(.invalidInput)` naming `place` and the name.
    init(stored name: String, in place: @autoclosure () -> String) throws {
        guard let algorithm = Algorithm(rawValue: name) else {
            throw StoreError.invalid("\(place()) names the algorithm '\(name)', which this lectern does not know")
        }
        self = algorithm
    }
}
