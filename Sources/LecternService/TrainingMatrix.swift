import LecternRecommender
import LecternStore

/// The database as the models see it: learners x courses weights, with the mappings back to ids.
public struct TrainingMatrix {
    public let snapshot: TrainingSnapshot
    let catalog: CatalogIndex
    public let events: [MatrixEvent]
    public let matrix: SparseMatrix
    /// What learners dismissed or rated low: left out of `matrix`, kept out of or moved down their lists.
    public let rejections: Rejections
    /// The time weights decay from: the newest interaction.
    public let now: Int64

    /// Reads the database and builds the weights matrix.
    /// - Throws: `StoreError` when there are no interactions or no courses.
    public static func build(from db: Database, weights: InteractionWeights = InteractionWeights()) throws -> TrainingMatrix {
        let snapshot = try TrainingSnapshot.load(from: db)
        guard !snapshot.events.isEmpty else {
            throw StoreError(.invalidInput, "nothing to train on: the database has no interactions yet")
        }
        guard !snapshot.courses.isEmpty else { throw StoreError(.invalidInput, "nothing to train on: the catalog is empty") }
        let catalog = CatalogIndex(courses: snapshot.courses)
        var rowOf: [Int64: Int32] = [:]
        for (index, learner) in snapshot.learners.enumerated() { rowOf[learner.id] = Int32(index) }
        var events: [MatrixEvent] = []
        events.reserveCapacity(snapshot.events.count)
        for event in snapshot.events {
            guard let row = rowOf[event.userID], let column = catalog.columnOf[event.courseID] else { continue }
            events.append(MatrixEvent(event, user: row, item: column))
        }
        let now = snapshot.dataUntil ?? currentUnixTime()
        let rejections = Rejections(events: events, users: snapshot.learners.count)
        let matrix = try weights.matrix(users: snapshot.learners.count, items: catalog.count, events: events, now: now,
                                        rejections: rejections)
        return TrainingMatrix(snapshot: snapshot, catalog: catalog, events: events, matrix: matrix, rejections: rejections, now: now)
    }
}
