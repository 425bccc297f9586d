import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

@Suite("InteractionRepository")
struct InteractionRepositoryTests {
    /// A published course at 25.00, a draft, an archived course, and two learners.
    private struct Fixture {
        let db: Database
        let repository: InteractionRepository
        let course: Course
        let draft: Course
        let archived: Course
        let learner: Learner
        let other: Learner

        init() throws {
            try self.init(try makeDatabase())
        }

        init(_ db: Database) throws {
            self.db = db
            repository = InteractionRepository(db)
            let ada = try makeCreator(in: db)
            course = try makeCourse(in: db, slug: "swift", creator: ada, priceMinor: 2_500)
            draft = try makeCourse(in: db, slug: "draft", creator: ada, priceMinor: 900, status: .draft)
            let old = try makeCourse(in: db, slug: "old", creator: ada, priceMinor: 500)
            try CourseRepository(db).archive(id: old.id)
            archived = try CourseRepository(db).find(id: old.id)!
            learner = try makeLearner(in: db, externalID: "u1")
            other = try makeLearner(in: db, externalID: "u2")
        }

        func event(_ kind: Interaction.Kind, value: Int64? = nil, course: Course? = nil, learner: Learner? = nil,
                   at time: Int64 = newYear2025, key: String? = nil, channel: String? = nil) -> Interaction {
            Interaction(userID: (learner ?? self.learner).id, courseID: (course ?? self.course).id, kind: kind,
                        value: value, channel: channel, occurredAt: time, idempotencyKey: key)
        }

        @discardableResult
        func record(_ interaction: Interaction) throws -> RecordOutcome {
            try repository.record(interaction)
        }

        /// Stored (kind, value) pairs, oldest first.
        func stored() throws -> [String] {
            try repository.list().map(\.interaction).sorted { $0.id < $1.id }.map {
                "\($0.kind.rawValue):\($0.value.map(String.init) ?? "nil")"
            }
        }
    }

    // MARK: Recording

    @Test("events without a value are stored as given and read back with names", arguments: TestEngine.allCases)
    func plainEvents(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            let outcome = try f.record(f.event(.view, at: 100, channel: "web"))
            guard case .recorded(let id) = outcome else {
                Issue.record("expected a new event, got \(outcome)")
                return
            }
            try f.record(f.event(.wishlist, at: 200))
            try f.record(f.event(.enroll, at: 300))
            try f.record(f.event(.complete, at: 400))
            #expect(try f.stored() == ["view:nil", "wishlist:nil", "enroll:nil", "complete:nil"])

            let records = try f.repository.list()
            #expect(records.map(\.interaction.kind) == [.complete, .enroll, .wishlist, .view])
            let view = try #require(records.last)
            #expect(view.interaction.id == id)
            #expect(view.interaction.channel == "web")
            #expect(view.interaction.occurredAt == 100)
            #expect(view.userExternalID == "u1")
            #expect(view.courseSlug == "swift")
        }
    }

    @Test("ratings 1 to 5 are stored; anything else is invalidInput and nothing is written", arguments: TestEngine.allCases)
    func ratings(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.rate, value: 1))
            try f.record(f.event(.rate, value: 5))
            for bad: Int64? in [0, 6, -1, nil] {
                expectStoreError(.invalidInput, containing: "rating") { try f.record(f.event(.rate, value: bad)) }
            }
            #expect(try f.stored() == ["rate:1", "rate:5"])
        }
    }

    @Test("an event that carries no value refuses one", arguments: TestEngine.allCases)
    func valueOnPlainEvent(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            expectStoreError(.invalidInput, containing: "view carries no value") { try f.record(f.event(.view, value: 3)) }
            #expect(try f.repository.count() == 0)
        }
    }

    @Test("a purchase without an amount is charged the course price; a given amount is kept", arguments: TestEngine.allCases)
    func purchaseAmount(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.purchase))
            try f.record(f.event(.purchase, value: 1_999, learner: f.other))
            try f.record(f.event(.purchase, value: 0, at: newYear2025 + 1))
            #expect(try f.stored() == ["purchase:2500", "purchase:1999", "purchase:0"])
            expectStoreError(.invalidInput, containing: "negative") { try f.record(f.event(.purchase, value: -1)) }
            #expect(try f.repository.count() == 3)
        }
    }

    @Test("a refund with no purchase is refused and nothing is written", arguments: TestEngine.allCases)
    func refundWithoutPurchase(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.view))
            expectStoreError(.conflict, containing: "needs a purchase") { try f.record(f.event(.refund)) }
            expectStoreError(.conflict) { try f.record(f.event(.refund, value: 100)) }
            // Another learner's purchase does not count.
            try f.record(f.event(.purchase, learner: f.other))
            expectStoreError(.conflict) { try f.record(f.event(.refund)) }
            #expect(try f.stored() == ["view:nil", "purchase:2500"])
        }
    }

    @Test("a refund without an amount returns what the latest purchase paid", arguments: TestEngine.allCases)
    func refundDefaultsToPurchase(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.purchase, value: 1_999, at: 100))
            try f.record(f.event(.refund, at: 200))
            #expect(try f.stored() == ["purchase:1999", "refund:1999"])
        }
    }

    @Test("a refund may name a partial amount", arguments: TestEngine.allCases)
    func partialRefund(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.purchase, at: 100))
            try f.record(f.event(.refund, value: 500, at: 200))
            #expect(try f.stored() == ["purchase:2500", "refund:500"])
        }
    }

    @Test("a second refund of one purchase is a conflict; two purchases allow two refunds", arguments: TestEngine.allCases)
    func secondRefund(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.purchase, at: 100))
            try f.record(f.event(.refund, at: 200))
            expectStoreError(.conflict, containing: "already refunded") { try f.record(f.event(.refund, at: 300)) }
            #expect(try f.repository.count() == 2)

            try f.record(f.event(.purchase, value: 2_000, at: 400))
            try f.record(f.event(.refund, at: 500))
            expectStoreError(.conflict) { try f.record(f.event(.refund, at: 600)) }
            #expect(try f.stored() == ["purchase:2500", "refund:2500", "purchase:2000", "refund:2000"])
        }
    }

    @Test("the refund trigger in the schema holds even when the repository is bypassed")
    func refundTrigger() throws {
        let f = try Fixture()
        let error = #expect(throws: SQLiteError.self) {
            try f.db.run("INSERT INTO interactions (user_id, course_id, kind, value, occurred_at) VALUES (?, ?, 'refund', 100, 0)",
                         [f.learner.id, f.course.id])
        }
        #expect(error?.extendedCode == 1811) // SQLITE_CONSTRAINT_TRIGGER
        #expect(error?.message == "a refund needs a purchase of the same course by the same learner")
        #expect(try f.repository.count() == 0)
    }

    // MARK: Idempotency

    @Test("an idempotency key is recorded once; a retry is reported as a duplicate and writes nothing", arguments: TestEngine.allCases)
    func idempotencyKey(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            let first = try f.record(f.event(.purchase, key: "order-1"))
            guard case .recorded = first else {
                Issue.record("expected a new event, got \(first)")
                return
            }
            #expect(try f.record(f.event(.purchase, key: "order-1")) == .duplicate(key: "order-1"))
            // The key alone decides, whatever the event says.
            #expect(try f.record(f.event(.view, key: "order-1")) == .duplicate(key: "order-1"))
            #expect(try f.repository.count() == 1)
            #expect(try f.db.scalarInt("SELECT count(*) FROM interactions WHERE idempotency_key = 'order-1'") == 1)

            try f.record(f.event(.purchase, learner: f.other, key: "order-2"))
            #expect(try f.repository.count() == 2)
        }
    }

    @Test("a retried refund with a known key is a duplicate, not a second refund", arguments: TestEngine.allCases)
    func retriedRefund(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.purchase, at: 100))
            try f.record(f.event(.refund, at: 200, key: "refund-1"))
            #expect(try f.record(f.event(.refund, at: 200, key: "refund-1")) == .duplicate(key: "refund-1"))
            expectStoreError(.conflict) { try f.record(f.event(.refund, at: 300, key: "refund-2")) }
            #expect(try f.repository.count() == 2)
        }
    }

    @Test("an empty idempotency key counts as none", arguments: TestEngine.allCases)
    func emptyKey(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.view, key: ""))
            try f.record(f.event(.view, at: newYear2025 + 1, key: ""))
            #expect(try f.repository.count() == 2)
            #expect(try f.db.scalarInt("SELECT count(*) FROM interactions WHERE idempotency_key IS NULL") == 2)
        }
    }

    @Test("an event with the learner, course, kind, time and value of a stored one is that event", arguments: TestEngine.allCases)
    func naturalIdentity(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            guard case .recorded(let first) = try f.repository.record(f.event(.view)) else { Issue.record("not recorded"); return }
            #expect(try f.repository.record(f.event(.view)) == .sameEvent(id: first))
            #expect(try f.repository.record(f.event(.view, key: "late-key")) == .sameEvent(id: first))
            #expect(try f.repository.record(f.event(.rate, value: 4)) != .sameEvent(id: first))
            guard case .recorded(let rated) = try f.repository.record(f.event(.rate, value: 5, at: newYear2025 + 9)) else {
                Issue.record("not recorded"); return
            }
            #expect(try f.repository.record(f.event(.rate, value: 5, at: newYear2025 + 9)) == .sameEvent(id: rated))
            // A purchase and its refund, recorded again (the refund without its amount): nothing new, no "already refunded".
            guard case .recorded(let bought) = try f.repository.record(f.event(.purchase, value: 4990, at: newYear2025 + 60, key: "o-1")) else {
                Issue.record("not recorded"); return
            }
            guard case .recorded(let refunded) = try f.repository.record(f.event(.refund, at: newYear2025 + 120)) else {
                Issue.record("not recorded"); return
            }
            #expect(try f.repository.record(f.event(.purchase, value: 4990, at: newYear2025 + 60, key: "o-1")) == .duplicate(key: "o-1"))
            #expect(try f.repository.record(f.event(.purchase, value: 4990, at: newYear2025 + 60)) == .sameEvent(id: bought))
            #expect(try f.repository.record(f.event(.refund, at: newYear2025 + 120)) == .sameEvent(id: refunded))
            #expect(try f.repository.count() == 5)
        }
    }

    // MARK: What may be recorded

    @Test("a draft or archived course cannot be bought or enrolled in, but can be viewed", arguments: TestEngine.allCases)
    func notOnSale(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            for course in [f.draft, f.archived] {
                expectStoreError(.conflict, containing: "not on sale") { try f.record(f.event(.purchase, course: course)) }
                expectStoreError(.conflict) { try f.record(f.event(.enroll, course: course)) }
            }
            #expect(try f.repository.count() == 0)
            try f.record(f.event(.view, course: f.draft))
            #expect(try f.repository.count() == 1)
        }
    }

    @Test("an unknown learner or course is notFound and nothing is written", arguments: TestEngine.allCases)
    func unknownLearnerOrCourse(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            expectStoreError(.notFound, containing: "learner") {
                try f.record(Interaction(userID: 999, courseID: f.course.id, kind: .view, occurredAt: 0))
            }
            expectStoreError(.notFound, containing: "course") {
                try f.record(Interaction(userID: f.learner.id, courseID: 999, kind: .view, occurredAt: 0))
            }
            #expect(try f.repository.count() == 0)
        }
    }

    // MARK: Reading

    @Test("list filters by learner, course, kind and time, newest first, and limits", arguments: TestEngine.allCases)
    func list(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.view, at: 100))
            try f.record(f.event(.purchase, at: 200))
            try f.record(f.event(.view, course: f.draft, at: 300))
            try f.record(f.event(.view, learner: f.other, at: 400))
            try f.record(f.event(.rate, value: 4, at: 400))
            func times(_ filter: InteractionFilter) throws -> [Int64] { try f.repository.list(filter).map(\.interaction.occurredAt) }

            #expect(try times(InteractionFilter()) == [400, 400, 300, 200, 100])
            // Equal times: the later id first.
            #expect(try f.repository.list().prefix(2).map(\.interaction.kind) == [.rate, .view])
            #expect(try times(InteractionFilter(userID: f.other.id)) == [400])
            #expect(try times(InteractionFilter(courseID: f.draft.id)) == [300])
            #expect(try times(InteractionFilter(kind: .view)) == [400, 300, 100])
            #expect(try times(InteractionFilter(userID: f.learner.id, courseID: f.course.id, kind: .view)) == [100])
            // since is inclusive, until exclusive.
            #expect(try times(InteractionFilter(since: 200, until: 400)) == [300, 200])
            #expect(try times(InteractionFilter(limit: 2)) == [400, 400])
        }
    }

    @Test("counts by kind, most frequent first", arguments: TestEngine.allCases)
    func counts(engine: TestEngine) throws {
        try withDatabase(on: engine) { (db: Database) throws in
            let f = try Fixture(db)
            try f.record(f.event(.view, at: 1))
            try f.record(f.event(.view, at: 2))
            try f.record(f.event(.view, at: 3))
            try f.record(f.event(.purchase, at: 4))
            #expect(try f.repository.count() == 4)
            let counts = try f.repository.countsByKind()
            #expect(counts.map(\.kind) == ["view", "purchase"])
            #expect(counts.map(\.count) == [3, 1])
        }
    }
}
