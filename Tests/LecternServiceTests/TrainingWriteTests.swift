import Dispatch
import Foundation
import LecternCore
import LecternGenerator
import LecternRecommender
import LecternService
import LecternSQLite
import LecternStore
import Testing
import LecternTestSupport

/// How a training run reaches the cache: in short transactions, swapped in by one, one training at a time.
@Suite("Training writes", .serialized)
struct TrainingWriteTests {
    @Test func aSecondTrainingIsRefusedWhileOneRuns() throws {
        let f = try ServiceFixture(file: true)
        defer { Self.remove(f.path) }
        var held = try TrainingLock.acquire(for: f.db)
        #expect(held != nil)
        #expect {
            try RecommendationService(f.db).train([.popular], options: RecommendationServiceTests.options())
        } throws: { error in
            (error as? StoreError)?.code == .busy && "\(error)".contains("another `lectern train` is running")
        }
        held = nil
        #expect(try RecommendationService(f.db).train([.popular], options: RecommendationServiceTests.options()).count == 1)
    }

    @Test(arguments: TestEngine.allCases) func aRunLeftWritingIsNeverServedAndIsPrunedByTheNextTraining(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine, file: true) { f in
            let first = try RecommendationService(f.db).train([.itemknn], options: RecommendationServiceTests.options())[0]
            // What a training killed while writing leaves behind.
            let cache = RecommendationCache(f.db)
            let orphan = try cache.begin(ModelRun(algorithm: .itemknn, parameters: "{}", learners: 1, courses: 1, interactions: 1,
                                                  startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
            var rows = RunOutput(run: orphan)
            rows.recommendations = [(f.learners["c"]!, 1, f.courses["x"]!, 1.0, CachedReason(text: "left behind"))]
            try cache.append(rows, to: orphan.id)
            #expect(try cache.activeRun(algorithm: .itemknn)?.id == first.id)
            #expect(try !cache.runs().contains { $0.id == orphan.id })
            #expect(try !RecommendationService(f.db).recommend(userExternalID: "c", algorithm: .itemknn, limit: 10).items
                .contains { $0.reason == "left behind" })

            try RecommendationService(f.db).train([.popular], options: RecommendationServiceTests.options())
            #expect(try f.db.scalarInt("SELECT count(*) FROM recommendations WHERE run_id = ?", [orphan.id]) == 0)
            #expect(try f.db.scalarInt("SELECT count(*) FROM model_runs WHERE id = ?", [orphan.id]) == 0)
            #expect(try cache.activeRun(algorithm: .itemknn)?.id == first.id)
        }
    }

    /// A learner forgotten while a run is written: rows written before the deletion go with the
    /// learner (a trigger), rows written after it are removed when the run is activated, and the
    /// note of the deletion is dropped once no run being written needs it.
    @Test(arguments: TestEngine.allCases) func aLearnerForgottenDuringTrainingIsNeverServed(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine, file: true) { f in
            let cache = RecommendationCache(f.db)
            let (a, b) = (f.learners["a"]!, f.learners["b"]!)
            let mark = try cache.erasureMark()
            let run = try cache.begin(ModelRun(algorithm: .popular, parameters: "{}", learners: 2, courses: 1, interactions: 1,
                                               startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
            var before = RunOutput(run: run)
            before.recommendations = [(a, 1, f.courses["x"]!, 1.0, CachedReason(.lookedAt)), (b, 1, f.courses["x"]!, 1.0, CachedReason(.lookedAt))]
            before.factors = [("user", a, [1, 2]), ("user", b, [3, 4])]
            try cache.append(before, to: run.id)

            _ = try LearnerRepository(f.db).forget(externalID: "a")
            #expect(try f.db.scalarInt("SELECT count(*) FROM recommendations WHERE user_id = ?", [a]) == 0)
            #expect(try f.db.scalarInt("SELECT count(*) FROM model_factors WHERE entity = 'user' AND entity_id = ?", [a]) == 0)

            // The training read its data before the deletion and goes on writing the forgotten learner's rows.
            var after = RunOutput(run: run)
            after.recommendations = [(a, 2, f.courses["d"]!, 0.5, CachedReason(.lookedAt))]
            after.factors = [("user", a, [5, 6])]
            try cache.append(after, to: run.id)
            #expect(try f.db.scalarInt("SELECT count(*) FROM recommendations WHERE user_id = ?", [a]) == 1)

            try cache.activate([run], erasedAfter: mark)
            #expect(try f.db.scalarInt("SELECT count(*) FROM recommendations WHERE user_id = ?", [a]) == 0)
            #expect(try f.db.scalarInt("SELECT count(*) FROM model_factors WHERE entity = 'user' AND entity_id = ?", [a]) == 0)
            #expect(try f.db.scalarInt("SELECT count(*) FROM recommendations WHERE run_id = ? AND user_id = ?", [run.id, b]) == 1)
            #expect(try f.db.scalarInt("SELECT count(*) FROM cache_erasures") == 0)
            #expect(try cache.activeRun(algorithm: .popular)?.id == run.id)
        }
    }

    /// A deletion noted while another run is still being written is kept for that run.
    @Test(arguments: TestEngine.allCases) func erasureNotesWaitForEveryRunBeingWritten(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine, file: true) { f in
            let cache = RecommendationCache(f.db)
            let mark = try cache.erasureMark()
            func begin() throws -> ModelRun {
                try cache.begin(ModelRun(algorithm: .popular, parameters: "{}", learners: 1, courses: 1, interactions: 1,
                                         startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
            }
            let (first, second) = (try begin(), try begin())
            _ = try LearnerRepository(f.db).forget(externalID: "a")
            try cache.activate([first], erasedAfter: mark)
            #expect(try f.db.scalarInt("SELECT count(*) FROM cache_erasures") == 1)
            var late = RunOutput(run: second)
            late.recommendations = [(f.learners["a"]!, 1, f.courses["x"]!, 1.0, CachedReason(.lookedAt))]
            try cache.append(late, to: second.id)
            try cache.activate([second], erasedAfter: mark)
            #expect(try f.db.scalarInt("SELECT count(*) FROM recommendations WHERE user_id = ?", [f.learners["a"]!]) == 0)
            #expect(try f.db.scalarInt("SELECT count(*) FROM cache_erasures") == 0)
        }
    }

    @Test(arguments: TestEngine.allCases) func pruningKeepsTheActiveRunAndDeletesInBatches(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine, file: true) { f in
            let cache = RecommendationCache(f.db)
            var last: ModelRun?
            for _ in 0..<5 {
                var output = RunOutput(run: ModelRun(algorithm: .popular, parameters: "{}", learners: 1, courses: 1, interactions: 1,
                                                     startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
                // More rows than one deleting transaction takes.
                for user in 0..<(RecommendationCache.rowsPerTransaction / 10 + 7) {
                    for rank in 1...11 { output.recommendations.append((f.learners["a"]!, user * 11 + rank, f.courses["d"]!, 1, CachedReason(.lookedAt))) }
                }
                last = try cache.save(output, now: { 0 })
            }
            #expect(try cache.activeRun(algorithm: .popular)?.id == last?.id)
            #expect(try f.db.scalarInt("SELECT count(DISTINCT run_id) FROM recommendations") == Int64(RecommendationCache.keptRuns))
            #expect(try f.db.scalarInt("SELECT count(*) FROM model_runs") == Int64(RecommendationCache.keptRuns))
        }
    }

    /// On PostgreSQL a saved run's tables are analysed before the run is served: the planner knows the
    /// new rows at once (reltuples is -1 for a table never analysed), not when autovacuum comes by.
    @Test func aSavedRunIsAnalysedOnPostgreSQL() throws {
        try ServiceFixture.with(engine: .postgresql, file: true) { f in
            var output = RunOutput(run: ModelRun(algorithm: .popular, parameters: "{}", learners: 1, courses: 1, interactions: 1,
                                                 startedAt: 0, finishedAt: 0, dataUntil: nil, lastInteractionID: 0))
            for rank in 1...37 { output.recommendations.append((f.learners["a"]!, rank, f.courses["d"]!, 1, CachedReason(.lookedAt))) }
            let tuples = "SELECT reltuples::int8 FROM pg_class WHERE relname = ? AND relkind = 'r'"
            #expect(try f.db.scalarInt(tuples, ["recommendations"]) == -1)
            try RecommendationCache(f.db).save(output, now: { 0 })
            #expect(try f.db.scalarInt(tuples, ["recommendations"]) == 37)
            #expect(try f.db.scalarInt("SELECT count(*) FROM pg_stats WHERE tablename = 'recommendations' AND attname = 'run_id'") == 1)
        }
    }

    /// While `train` writes a 200k-event platform's lists, another connection records events with a
    /// 2.5 s busy timeout (half the default): none fails with "locked", because no transaction of the
    /// training holds the write lock for more than about 100 ms (before, the whole cache went in one
    /// transaction, many seconds in a debug build). The margin is for a loaded 2-core machine, where
    /// the training thread can be descheduled while it holds the lock.
    @Test func writersAreNeverLockedOutDuringTraining() async throws {
        let (writes, lockedOut, slowest, failure) = try await offThePool { try Self.writeDuringTraining() }
        print("\(writes) writes during training, \(lockedOut) locked out; the slowest took \(slowest)")
        #expect(failure == nil)
        #expect(lockedOut == 0, "\(lockedOut) writes were locked out; the slowest took \(slowest)")
        #expect(writes >= 10, "the training was too short to test anything: \(writes) writes")
        #expect(slowest < .milliseconds(2_500))
    }

    static func writeDuringTraining() throws -> (writes: Int, lockedOut: Int, slowest: Duration, failure: String?) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lectern-lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let shape = PlatformShape(creators: 40, courses: 600, users: 8_000, interactions: 200_000, months: 12,
                                  startEpoch: PlatformShape.seedData.startEpoch)
        _ = try PlatformGenerator(seed: 9, shape: shape).write(to: directory, format: .csv)
        let path = directory.appendingPathComponent("lectern.db").path
        do {
            let db = try LecternDatabase.open(path: path)
            let importer = Importer(db)
            for entity in ["creators", "courses", "users", "interactions"] {
                let file = directory.appendingPathComponent("\(entity).csv").path
                switch entity {
                case "creators": _ = try importer.importCreators(from: file)
                case "courses": _ = try importer.importCourses(from: file)
                case "users": _ = try importer.importUsers(from: file)
                default: _ = try importer.importInteractions(from: file)
                }
            }
        }
        let finished = LockedFlag()
        let failure = LockedFlag()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            do {
                let db = try LecternDatabase.open(path: path)
                var options = RecommendationServiceTests.options()
                options.als.factors = 8
                options.listLength = 20
                try RecommendationService(db).train(Algorithm.allCases, options: options)
            } catch {
                failure.set("\(error)")
            }
            finished.set("done")
        }
        let writer = try LecternDatabase.open(path: path, mustExist: true)
        writer.setBusyTimeout(milliseconds: 2_500)
        let learner = try writer.scalarInt("SELECT min(id) FROM users") ?? 0
        let course = try writer.scalarInt("SELECT min(id) FROM courses WHERE status = 'published'") ?? 0
        var writes = 0, lockedOut = 0
        var slowest = Duration.zero
        let clock = ContinuousClock()
        while finished.value == nil {
            let start = clock.now
            do {
                _ = try InteractionRepository(writer).record(Interaction(userID: learner, courseID: course, kind: .view,
                                                                         occurredAt: 1_700_000_000 + Int64(writes)))
                writes += 1
            } catch let error as StoreError where error.code == .busy {
                lockedOut += 1
            }
            slowest = max(slowest, clock.now - start)
            Thread.sleep(forTimeInterval: 0.02)
        }
        group.wait()
        return (writes, lockedOut, slowest, failure.value)
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm", ".train-lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// A string set once from another thread.
final class LockedFlag: @unchecked Sendable {
    private var stored: String?
    private let lock = NSLock()
    var value: String? { lock.withLock { stored } }
    func set(_ value: String) { lock.withLock { if stored == nil { stored = value } } }
}

extension TrainingWriteTests {
    /// A platform too big for the machine fails before anything is written, naming what ran out.
    @Test(arguments: TestEngine.allCases) func aTrainingTooBigForTheMachineFailsEarlyInOneSentence(engine: TestEngine) throws {
        try ServiceFixture.with(engine: engine, file: true) { f in
            if engine == .sqlite {
                #expect {
                    try TrainingResources.checkDisk(for: f.db, bytes: Int.max / 4)
                } throws: { error in
                    (error as? StoreError)?.code == .io && "\(error)".contains("not enough disk space for the new cache")
                        && "\(error)".contains("the old cache is left in place")
                }
            } else {
                // The cache is written on the server's disk, which Lectern does not measure.
                try TrainingResources.checkDisk(for: f.db, bytes: Int.max / 4)
            }
            #expect {
                try TrainingResources(events: 1 << 40, learners: 1 << 30, courses: 1).checkMemory()
            } throws: { error in
                "\(error)".hasPrefix("not enough memory to train: 1099511627776 events")
            }
            // What this small platform needs fits.
            let size = try TrainingResources.measure(f.db)
            #expect(size.events > 0 && size.learners == 4 && size.courses == 6)
            try size.checkMemory()
            try TrainingResources.checkDisk(for: f.db, bytes: size.diskNeeded(listedRows: 100, factors: 64))
        }
    }
}
