import Foundation
import Testing

/// `lectern record dismiss`: a learner's "not for me", through the real binary.
@Suite("lectern record dismiss")
struct DismissCommandTests {
    func interactions(_ lectern: Lectern) throws -> [[String: Any]] {
        try parseJSON(try lectern.ok(["activity", "--format", "json", "--limit", "100"])) as! [[String: Any]]
    }

    @Test func aDismissalIsRecordedOnceUntilTheLearnerComesBack() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        let first = try lectern.ok(["record", "dismiss", "--user", "u1", "--course", "py-201", "--reason", "too-advanced",
                                    "--at", "2025-03-01T09:00:00Z"])
        #expect(first.hasPrefix("Recorded dismiss "), "\(first)")
        // Again, later, with or without a key: the learner said nothing new.
        let again = try lectern.ok(["record", "dismiss", "--user", "u1", "--course", "py-201", "--at", "2025-03-02T09:00:00Z"])
        #expect(again.hasPrefix("Already dismissed as event 1"), "\(again)")
        let keyed = try lectern.ok(["record", "dismiss", "--user", "u1", "--course", "py-201", "--key", "d-1",
                                    "--at", "2025-03-03T09:00:00Z"])
        #expect(keyed.hasPrefix("Already dismissed"), "\(keyed)")
        #expect(try interactions(lectern).count == 1)
        let row = try interactions(lectern)[0]
        #expect(row["kind"] as? String == "dismiss" && row["reason"] as? String == "too-advanced")

        // A view after it takes the dismissal back; a dismissal after that is a new one.
        try lectern.ok(["record", "view", "--user", "u1", "--course", "py-201", "--at", "2025-03-04T09:00:00Z"])
        let later = try lectern.ok(["record", "dismiss", "--user", "u1", "--course", "py-201", "--at", "2025-03-05T09:00:00Z"])
        #expect(later.hasPrefix("Recorded dismiss "), "\(later)")
        #expect(try interactions(lectern).filter { $0["kind"] as? String == "dismiss" }.count == 2)
        let only = try parseJSON(try lectern.ok(["activity", "--kind", "dismiss", "--format", "json"])) as! [[String: Any]]
        #expect(only.count == 2)
    }

    @Test func badDismissalsChangeNothing() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        let unknown = try lectern.fails(["record", "dismiss", "--user", "u1", "--course", "no-such-course"])
        #expect(unknown == "error: no course 'no-such-course'", "\(unknown)")
        let reason = try lectern.fails(["record", "dismiss", "--user", "u1", "--course", "py-101", "--reason", "boring"])
        #expect(reason.contains("--reason must be one of not-relevant, too-basic, too-advanced, already-know, too-expensive, other"),
                "\(reason)")
        let misplaced = try lectern.fails(["record", "view", "--user", "u1", "--course", "py-101", "--reason", "other"])
        #expect(misplaced == "error: --reason is only for dismiss events", "\(misplaced)")
        let rated = try lectern.fails(["record", "dismiss", "--user", "u1", "--course", "py-101", "--rating", "2"])
        #expect(rated.contains("--rating is only for rate events"), "\(rated)")
        #expect(try interactions(lectern).isEmpty)
    }

    @Test func aFileWithAnUnknownReasonIsRefusedWhole() throws {
        let lectern = try Lectern()
        try lectern.seedSmallCatalog()
        let file = lectern.path("dismissals.csv")
        try """
            user,course,kind,occurred_at,reason
            u1,py-101,dismiss,2025-03-01T09:00:00Z,too-basic
            u2,py-101,dismiss,2025-03-01T09:00:00Z,meh
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let error = try lectern.fails(["import", "interactions", file])
        #expect(error.contains("line 3") && error.contains("'meh' is not one of"), "\(error)")
        #expect(try interactions(lectern).isEmpty)
        let view = lectern.path("view-with-reason.csv")
        try "user,course,kind,occurred_at,reason\nu1,py-101,view,2025-03-01T09:00:00Z,other\n"
            .write(toFile: view, atomically: true, encoding: .utf8)
        let misplaced = try lectern.fails(["import", "interactions", view])
        #expect(misplaced.contains("a reason is only for dismiss events"), "\(misplaced)")
    }
}
