import LecternCore
import Synchronization

/// Dense working memory for scoring one learner at a time: per-course sums and per-term weights
/// that are cleared in O(entries touched), not O(courses).
///
/// Scoring a learner touches a few hundred courses out of tens of thousands; a dictionary per
/// learner costs a hash per touch and an allocation per learner. One scratch per worker thread,
/// reused for every learner it scores, costs neither. Not thread-safe: never share one.
public final class ScoringScratch {
    let itemCapacity: Int
    let termCapacity: Int
    /// Per-course sums; 0 where untouched.
    let scores: UnsafeMutablePointer<Double>
    /// Per-course strongest single contribution, and the history course it came from.
    let best: UnsafeMutablePointer<Double>
    let because: UnsafeMutablePointer<Int32>
    let marked: UnsafeMutablePointer<Bool>
    /// Courses touched since the last `clearItems`.
    let touched: UnsafeMutablePointer<Int32>
    var touchedCount = 0
    /// Per-term weights of a content profile; 0 where untouched.
    let terms: UnsafeMutablePointer<Float>
    let termMarked: UnsafeMutablePointer<Bool>
    let touchedTerms: UnsafeMutablePointer<Int32>
    var touchedTermCount = 0

    /// Scratch for a catalog of `items` courses and a content vocabulary of `terms` terms.
    /// - Complexity: O(items + terms) once.
    public init(items: Int, terms: Int = 0) {
        itemCapacity = max(items, 1)
        termCapacity = max(terms, 1)
        scores = .allocate(capacity: itemCapacity)
        scores.initialize(repeating: 0, count: itemCapacity)
        best = .allocate(capacity: itemCapacity)
        best.initialize(repeating: 0, count: itemCapacity)
        because = .allocate(capacity: itemCapacity)
        because.initialize(repeating: 0, count: itemCapacity)
        marked = .allocate(capacity: itemCapacity)
        marked.initialize(repeating: false, count: itemCapacity)
        touched = .allocate(capacity: itemCapacity)
        self.terms = .allocate(capacity: termCapacity)
        self.terms.initialize(repeating: 0, count: termCapacity)
        termMarked = .allocate(capacity: termCapacity)
        termMarked.initialize(repeating: false, count: termCapacity)
        touchedTerms = .allocate(capacity: termCapacity)
    }

    deinit {
        scores.deallocate()
        best.deallocate()
        because.deallocate()
        marked.deallocate()
        touched.deallocate()
        terms.deallocate()
        termMarked.deallocate()
        touchedTerms.deallocate()
    }

    /// Whether this scratch is large enough for a model of `items` courses and `terms` terms.
    func fits(items: Int, terms: Int = 0) -> Bool {
        items <= itemCapacity && terms <= termCapacity
    }

    /// Marks course `item` touched (first touch sets its sums to zero).
    @inline(__always)
    func touch(_ item: Int) {
        if !marked[item] {
            marked[item] = true
            scores[item] = 0
            best[item] = 0
            because[item] = 0
            touched[touchedCount] = Int32(item)
            touchedCount += 1
        }
    }

    func clearItems() {
        for t in 0..<touchedCount { marked[Int(touched[t])] = false }
        touchedCount = 0
    }

    @inline(__always)
    func addTerm(_ term: Int, _ value: Float) {
        if !termMarked[term] {
            termMarked[term] = true
            terms[term] = 0
            touchedTerms[touchedTermCount] = Int32(term)
            touchedTermCount += 1
        }
        terms[term] += value
    }

    func clearTerms() {
        for t in 0..<touchedTermCount {
            termMarked[Int(touchedTerms[t])] = false
            terms[Int(touchedTerms[t])] = 0
        }
        touchedTermCount = 0
    }
}

/// Scratch for callers that cannot keep one per thread (a closure called from worker threads):
/// each call borrows a free scratch, or makes one, and gives it back.
final class ScoringScratchPool: Sendable {
    private let free = Mutex<[ScoringScratch]>([])
    let items: Int
    let terms: Int

    init(items: Int, terms: Int) {
        self.items = items
        self.terms = terms
    }

    func withScratch<T>(_ body: (ScoringScratch) -> T) -> T {
        let scratch = free.withLock { $0.popLast() } ?? ScoringScratch(items: items, terms: terms)
        defer {
            // Back from the one thread that used it. `Mutex` takes a value only when the compiler
            // can see nothing else holds it, which it cannot tell of an argument; hence the wrapper.
            let returned = UnsafeSendable(scratch)
            free.withLock { $0.append(returned.value) }
        }
        return body(scratch)
    }
}
