import Dispatch
import LecternCore

/// Each course's most similar courses by content, best first, without the course itself: a sparse
/// course x course matrix that keeps `count` entries per row, as item-kNN keeps its neighbours.
///
/// Lists may be computed for a few courses only (a learner's history at fold-in); the others are
/// then empty.
public struct ContentNeighbors: Sendable {
    /// Neighbours kept per course.
    public let count: Int
    public let itemCount: Int
    /// CSR over courses: course i's neighbours are `indices[starts[i]..<starts[i + 1]]`.
    public let starts: [Int]
    public let indices: [Int32]
    public let scores: [Float]

    /// Course `item`'s neighbours and their cosine similarities, best first.
    public func neighbors(of item: Int) -> [(item: Int32, score: Float)] {
        guard item >= 0 && item < itemCount else { return [] }
        return (starts[item]..<starts[item + 1]).map { (indices[$0], scores[$0]) }
    }
}

extension ContentModel {
    /// The `count` courses most like course `item` by content, best first, without itself.
    ///
    /// Computed through the term postings, so only courses sharing a term with `item` are touched;
    /// the same arithmetic as `neighbors(count:of:threads:)`, so both give the same lists.
    /// - Complexity: O(sum over the course's terms of the courses holding that term).
    public func similarCourses(to item: Int, count: Int) -> [(item: Int32, score: Float)] {
        guard item >= 0, item < vectors.rowCount, count > 0 else { return [] }
        let scratch = ScoringScratch(items: vectors.rowCount)
        return similarCourses(to: item, count: count, scratch: scratch)
    }

    func similarCourses(to item: Int, count: Int, scratch: ScoringScratch) -> [(item: Int32, score: Float)] {
        defer { scratch.clearItems() }
        for k in vectors.rowStarts[item]..<vectors.rowStarts[item + 1] {
            let term = Int(vectors.columnIndices[k])
            let value = vectors.values[k]
            for p in postings.rowStarts[term]..<postings.rowStarts[term + 1] {
                let other = Int(postings.columnIndices[p])
                if other == item { continue }
                scratch.touch(other)
                scratch.scores[other] += Double(value * postings.values[p])
            }
        }
        var top = TopK(capacity: count)
        for t in 0..<scratch.touchedCount {
            let other = scratch.touched[t]
            let score = scratch.scores[Int(other)]
            if score > 0 { top.insert(other, score) }
        }
        return top.sortedDescending().map { ($0.index, Float($0.score)) }
    }

    /// Every course's (or just `items`') `count` most similar courses, on `threads` threads (0: all cores).
    /// - Complexity: O(sum over terms of (courses holding the term)²) for the whole catalog, spread
    ///   over the threads; never courses x courses unless every course shares a term with every other.
    public func neighbors(count: Int, of items: [Int32]? = nil, threads: Int = 0,
                          progress: (@Sendable (Int, Int) -> Void)? = nil) -> ContentNeighbors {
        let courseCount = vectors.rowCount
        let wanted = items.map { $0.map(Int.init).filter { $0 >= 0 && $0 < courseCount } } ?? Array(0..<courseCount)
        var lists = [[(item: Int32, score: Float)]](repeating: [], count: courseCount)
        let chunk = 64
        let chunks = (wanted.count + chunk - 1) / chunk
        let threadCount = min(threads > 0 ? threads : activeProcessorCount(), max(chunks, 1))
        let next = AtomicCounter(), done = AtomicCounter(), lock = Lock()
        lists.withUnsafeMutableBufferPointer { buffer in
            let output = UnsafeSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: threadCount) { _ in
                let scratch = ScoringScratch(items: courseCount)
                while true {
                    let c = next.increment() - 1
                    if c >= chunks { break }
                    let range = (c * chunk)..<min(wanted.count, (c + 1) * chunk)
                    for i in range {
                        output.value[wanted[i]] = similarCourses(to: wanted[i], count: count, scratch: scratch)
                    }
                    let finished = done.add(range.count)
                    if let progress { lock.withLock { progress(finished, wanted.count) } }
                }
            }
        }
        var starts = [Int](repeating: 0, count: courseCount + 1)
        for i in 0..<courseCount { starts[i + 1] = starts[i] + lists[i].count }
        var indices: [Int32] = [], scores: [Float] = []
        indices.reserveCapacity(starts[courseCount])
        scores.reserveCapacity(starts[courseCount])
        for list in lists {
            for entry in list {
                indices.append(entry.item)
                scores.append(entry.score)
            }
        }
        return ContentNeighbors(count: count, itemCount: courseCount, starts: starts, indices: indices, scores: scores)
    }

    /// The best `count` courses for a learner by content, each with the tag or domain term that
    /// matched most: the learner's profile (`profile(history:interests:)`) against each course, by
    /// cosine, as `rank(profile:excluding:count:)` scores them.
    ///
    /// Instead of every course, only candidates are scored: the neighbours of the courses in
    /// `history` and the courses holding a declared interest's term. They are ranked by the sum of
    /// their listed similarities (a lower bound of their score), and the best few are scored exactly.
    /// A course is missed only when it shares terms with the learner's courses yet is on none of
    /// their neighbour lists; tests measure how often that changes a top 10.
    /// - Complexity: O(|history| x (terms per course + K) + interest postings + candidates scored x terms per course).
    public func recommend(history: [(item: Int32, weight: Float)], interests: [String], excluding excluded: Set<Int32>,
                          count: Int, neighbors: ContentNeighbors, scratch: ScoringScratch? = nil)
        -> [(item: Int32, score: Float, term: String?)] {
        let courseCount = vectors.rowCount
        let s = scratch.flatMap { $0.fits(items: courseCount, terms: vocabulary.count) ? $0 : nil }
            ?? ScoringScratch(items: courseCount, terms: vocabulary.count)
        defer {
            s.clearItems()
            s.clearTerms()
        }
        let total = max(history.reduce(0) { $0 + $1.weight }, 1e-6)
        let interestTerms = addProfile(history: history, total: total, interests: interests, to: s)
        guard s.touchedTermCount > 0 else { return [] }
        let norm = profileNorm(s)
        guard norm > 0 else { return [] }
        let shortlist = shortlist(history: history, total: total, interestTerms: interestTerms, excluding: excluded,
                                  count: max(count * 2, count + 50), neighbors: neighbors, scratch: s)
        let top = scoreExactly(shortlist, profileNorm: norm, count: count, scratch: s)
        return top.sortedDescending().map { entry in
            let term = s.because[Int(entry.index)]
            return (entry.index, Float(entry.score), term >= 0 ? termLabels[Int(term)] : nil)
        }
    }

    /// Adds the learner's profile, term by term, to `scratch.terms`, with the same arithmetic as
    /// `profile(history:interests:)`: each history course's vector times its weight / `total`, and
    /// 1 for each declared interest's tag or domain term.
    /// - Returns: the interests' terms, in the order they were found.
    /// - Complexity: O(|history| x terms per course + interests).
    private func addProfile(history: [(item: Int32, weight: Float)], total: Float, interests: [String],
                            to s: ScoringScratch) -> [Int32] {
        let courseCount = vectors.rowCount
        for (item, weight) in history where item >= 0 && Int(item) < courseCount {
            for k in vectors.rowStarts[Int(item)]..<vectors.rowStarts[Int(item) + 1] {
                s.addTerm(Int(vectors.columnIndices[k]), vectors.values[k] * weight / total)
            }
        }
        var interestTerms: [Int32] = []
        for interest in interests {
            let name = interest.lowercased()
            for key in ["tag:" + name, "domain:" + name] {
                if let column = termIndex[key] {
                    s.addTerm(Int(column), 1)
                    interestTerms.append(column)
                }
            }
        }
        return interestTerms
    }

    /// The Euclidean length of the profile in `scratch.terms`.
    /// - Complexity: O(terms touched).
    private func profileNorm(_ s: ScoringScratch) -> Float {
        var norm: Float = 0
        for t in 0..<s.touchedTermCount {
            let value = s.terms[Int(s.touchedTerms[t])]
            norm += value * value
        }
        return norm.squareRoot()
    }

    /// The best `count` candidates by a lower bound of their score, leaving out `excluded`: the
    /// history courses themselves and their listed neighbours, weighted by the course's share of
    /// the history, and the courses holding an interest's term. The bounds are summed in
    /// `scratch.scores`.
    /// - Complexity: O(|history| x K + interest postings + candidates x log count).
    private func shortlist(history: [(item: Int32, weight: Float)], total: Float, interestTerms: [Int32],
                           excluding excluded: Set<Int32>, count: Int, neighbors: ContentNeighbors,
                           scratch s: ScoringScratch) -> TopK {
        let courseCount = vectors.rowCount
        for (item, weight) in history where item >= 0 && Int(item) < courseCount {
            let share = Double(weight / total)
            s.touch(Int(item))
            s.scores[Int(item)] += share * Double(selfSimilarity[Int(item)])
            guard Int(item) < neighbors.itemCount else { continue }
            for k in neighbors.starts[Int(item)]..<neighbors.starts[Int(item) + 1] {
                let other = Int(neighbors.indices[k])
                s.touch(other)
                s.scores[other] += share * Double(neighbors.scores[k])
            }
        }
        for term in interestTerms {
            for p in postings.rowStarts[Int(term)]..<postings.rowStarts[Int(term) + 1] {
                let other = Int(postings.columnIndices[p])
                s.touch(other)
                s.scores[other] += Double(postings.values[p])
            }
        }
        var shortlist = TopK(capacity: count)
        for t in 0..<s.touchedCount {
            let item = s.touched[t]
            let bound = s.scores[Int(item)]
            if bound > 0 && shortlist.admits(item, bound) && !excluded.contains(item) { shortlist.insert(item, bound) }
        }
        return shortlist
    }

    /// The best `count` of the shortlisted courses by their exact cosine with the profile in
    /// `scratch.terms`; each kept course's strongest named term goes to `scratch.because` (-1: none).
    /// - Complexity: O(shortlist x terms per course).
    private func scoreExactly(_ shortlist: TopK, profileNorm norm: Float, count: Int, scratch s: ScoringScratch) -> TopK {
        var top = TopK(capacity: count)
        for entry in shortlist.sortedDescending() {
            let item = Int(entry.index)
            var dot: Float = 0
            var strongest: (Int32, Float)? = nil
            for k in vectors.rowStarts[item]..<vectors.rowStarts[item + 1] {
                let column = vectors.columnIndices[k]
                let weight = s.terms[Int(column)]
                guard weight != 0 else { continue }
                let contribution = weight * vectors.values[k]
                dot += contribution
                if namedTerm[Int(column)], contribution > (strongest?.1 ?? 0) { strongest = (column, contribution) }
            }
            guard dot > 0 else { continue }
            top.insert(entry.index, Double(dot / norm))
            s.because[item] = strongest?.0 ?? -1
        }
        return top
    }
}
