import LecternPostgres
import Testing

/// Runs `body`, expects a `PGError` raised by the server with `sqlState` whose message contains `text`.
func expectPostgresRefusal(_ text: String, sqlState: String = "23000", sourceLocation: SourceLocation = #_sourceLocation,
                           _ body: () throws -> Void) {
    let error = #expect(throws: PGError.self, sourceLocation: sourceLocation) { try body() }
    if let error {
        #expect(error.sqlState == sqlState, "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
    }
}
