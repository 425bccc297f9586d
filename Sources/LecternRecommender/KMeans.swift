/// What k-means found: a cluster for each row, the cluster centres, and how tight they are.
public struct KMeansResult: Sendable, Equatable {
    /// The cluster of each row. Clusters are numbered in the order their first row appears, so
    /// row 0 is always in cluster 0; a cluster left empty gets the highest numbers.
    public var assignments: [Int]
    /// The centre (mean) of each cluster; an empty cluster keeps its last centre.
    public var centroids: [[Double]]
    /// The sum of squared distances from each row to its cluster's centre.
    public var inertia: Double
    /// How many assign-and-update rounds ran.
    public var iterations: Int
    /// False when `maxIterations` ran out before the assignments settled.
    public var converged: Bool

    public init(assignments: [Int], centroids: [[Double]], inertia: Double, iterations: Int, converged: Bool) {
        self.assignments = assignments
        self.centroids = centroids
        self.inertia = inertia
        self.iterations = iterations
        self.converged = converged
    }

    /// How many rows each cluster has.
    public var sizes: [Int] {
        var sizes = [Int](repeating: 0, count: centroids.count)
        for cluster in assignments { sizes[cluster] += 1 }
        return sizes
    }
}

/// Lloyd's k-means on dense rows (such as learners' affinity vectors over domains and tags), seeded
/// by k-means++ (Arthur & Vassilvitskii 2007, "k-means++: the advantages of careful seeding").
///
/// The same seed and rows give the same result on every platform. A cluster that empties is
/// re-seeded with the row farthest from its own centre (taken from a cluster that keeps a row).
/// When there are fewer distinct rows than clusters, the extra clusters start on repeated rows and
/// stay empty.
public struct KMeans: Sendable, Equatable {
    public var clusterCount: Int
    /// At most this many assign-and-update rounds.
    public var maxIterations: Int
    /// Stop when no centre moves by more than this squared distance in a round.
    public var tolerance: Double
    public var seed: UInt64

    public init(clusterCount: Int, maxIterations: Int = 100, tolerance: Double = 1e-10, seed: UInt64 = 0) {
        self.clusterCount = clusterCount
        self.maxIterations = maxIterations
        self.tolerance = tolerance
        self.seed = seed
    }

    /// Clusters `rows`, starting from k-means++ centres.
    ///
    /// - Throws: `RecommenderError` when `clusterCount` is below 1 or above the number of rows,
    ///   rows differ in length or hold a value that is not finite, or a parameter is out of range.
    /// - Complexity: O(iterations x rows x clusters x dimensions).
    public func fit(_ rows: [[Double]]) throws -> KMeansResult {
        try validate(rows)
        return try fit(rows, initialCentroids: seedCentroids(rows))
    }

    /// Clusters `rows`, starting from the given centres (one per cluster).
    ///
    /// - Throws: `RecommenderError` as `fit(_:)`, and when the centres do not match the rows.
    public func fit(_ rows: [[Double]], initialCentroids: [[Double]]) throws -> KMeansResult {
        try validate(rows)
        let dimensions = rows[0].count
        guard initialCentroids.count == clusterCount, initialCentroids.allSatisfy({ $0.count == dimensions }) else {
            throw RecommenderError("k-means needs \(clusterCount) initial centres of \(dimensions) values")
        }
        var centroids = initialCentroids
        var assignments = [Int](repeating: -1, count: rows.count)
        var iterations = 0
        var converged = false
        while iterations < maxIterations {
            iterations += 1
            var changed = false
            for (i, row) in rows.enumerated() {
                let nearest = Self.nearest(row, centroids).cluster
                if nearest != assignments[i] {
                    assignments[i] = nearest
                    changed = true
                }
            }
            if !changed {
                converged = true
                break
            }
            var updated = Self.means(rows, assignments, previous: centroids)
            var sizes = [Int](repeating: 0, count: clusterCount)
            for cluster in assignments { sizes[cluster] += 1 }
            var moved: Set<Int> = []
            for empty in 0..<clusterCount where sizes[empty] == 0 {
                var farthest: (row: Int, distance: Double)? = nil
                for (i, row) in rows.enumerated() where sizes[assignments[i]] > 1 && !moved.contains(i) {
                    let distance = Self.squaredDistance(row, updated[assignments[i]])
                    if distance > (farthest?.distance ?? 0) { farthest = (i, distance) }
                }
                guard let farthest else { continue }
                sizes[assignments[farthest.row]] -= 1
                sizes[empty] = 1
                assignments[farthest.row] = empty
                moved.insert(farthest.row)
                updated = Self.means(rows, assignments, previous: updated)
            }
            let shift = zip(centroids, updated).map { Self.squaredDistance($0, $1) }.max() ?? 0
            centroids = updated
            if shift <= tolerance {
                converged = true
                break
            }
        }
        // A last assignment, so every row sits with its nearest final centre.
        var inertia = 0.0
        for (i, row) in rows.enumerated() {
            let nearest = Self.nearest(row, centroids)
            assignments[i] = nearest.cluster
            inertia += nearest.distance
        }
        // Number clusters by first appearance, empty ones last.
        var order: [Int] = []
        var seen = Set<Int>()
        for cluster in assignments where seen.insert(cluster).inserted { order.append(cluster) }
        order += (0..<clusterCount).filter { !seen.contains($0) }
        var renumbered = [Int](repeating: 0, count: clusterCount)
        for (new, old) in order.enumerated() { renumbered[old] = new }
        return KMeansResult(assignments: assignments.map { renumbered[$0] }, centroids: order.map { centroids[$0] },
                            inertia: inertia, iterations: iterations, converged: converged)
    }

    /// The k-means++ starting centres: the first a uniformly random row, each next a row drawn with
    /// probability proportional to its squared distance from the nearest centre so far; when every
    /// row already sits on a centre, the lowest row not yet taken.
    public func seedCentroids(_ rows: [[Double]]) throws -> [[Double]] {
        try validate(rows)
        var generator = SeededGenerator(seed: seed)
        let first = generator.nextIndex(below: rows.count)
        var chosen = [first]
        var distances = rows.map { Self.squaredDistance($0, rows[first]) }
        while chosen.count < clusterCount {
            let total = distances.reduce(0, +)
            var next: Int
            if total > 0 {
                let target = Double(generator.next() >> 11) * 0x1p-53 * total
                var cumulative = 0.0
                next = distances.lastIndex { $0 > 0 }!
                for (i, distance) in distances.enumerated() where distance > 0 {
                    cumulative += distance
                    if cumulative > target {
                        next = i
                        break
                    }
                }
            } else {
                next = (0..<rows.count).first { !chosen.contains($0) }!
            }
            chosen.append(next)
            for (i, row) in rows.enumerated() { distances[i] = min(distances[i], Self.squaredDistance(row, rows[next])) }
        }
        return chosen.map { rows[$0] }
    }

    /// A readable name for each cluster: its `labelCount` heaviest dimensions by centre weight,
    /// joined by " + " (`data-science + finance`); ties go to the alphabetically first label, and
    /// only positive weights count (a cluster with none is `cluster N`, from 1).
    ///
    /// Clusters that would share a name take further labels while those tell them apart; any
    /// still alike get " (1)", " (2)", ... in cluster order.
    /// - Throws: `RecommenderError` when a centre does not have one weight per label.
    public static func clusterNames(centroids: [[Double]], labels: [String], labelCount: Int = 2) throws -> [String] {
        guard centroids.allSatisfy({ $0.count == labels.count }) else {
            throw RecommenderError("each cluster centre needs one weight per label (\(labels.count))")
        }
        let ranked: [[String]] = centroids.map { centroid in
            let positive: [(label: String, weight: Double)] = zip(labels, centroid).filter { $0.1 > 0 }.map { ($0.0, $0.1) }
            let sorted = positive.sorted { (a, b) -> Bool in
                a.weight != b.weight ? a.weight > b.weight : a.label < b.label
            }
            return sorted.map(\.label)
        }
        var depth = [Int](repeating: max(1, labelCount), count: centroids.count)
        func name(_ i: Int) -> String {
            ranked[i].isEmpty ? "cluster \(i + 1)" : ranked[i].prefix(depth[i]).joined(separator: " + ")
        }
        var extended = true
        while extended {
            extended = false
            let groups = Dictionary(grouping: centroids.indices, by: name)
            for (_, members) in groups where members.count > 1 {
                for i in members where depth[i] < ranked[i].count {
                    depth[i] += 1
                    extended = true
                }
            }
        }
        var names = centroids.indices.map(name)
        let counts = Dictionary(names.map { ($0, 1) }, uniquingKeysWith: +)
        var seen: [String: Int] = [:]
        for i in names.indices where counts[names[i]]! > 1 {
            let base = names[i]
            seen[base, default: 0] += 1
            names[i] = "\(base) (\(seen[base]!))"
        }
        return names
    }

    private func validate(_ rows: [[Double]]) throws {
        guard clusterCount >= 1 else { throw RecommenderError("k-means needs at least 1 cluster, got \(clusterCount)") }
        guard clusterCount <= rows.count else {
            throw RecommenderError("cannot make \(clusterCount) clusters of \(rows.count) rows")
        }
        guard maxIterations >= 1 else { throw RecommenderError("k-means needs at least 1 iteration, got \(maxIterations)") }
        guard tolerance >= 0, tolerance.isFinite else {
            throw RecommenderError("the tolerance must be zero or more, got \(tolerance)")
        }
        let dimensions = rows[0].count
        guard dimensions > 0 else { throw RecommenderError("k-means rows need at least one value") }
        for (i, row) in rows.enumerated() {
            guard row.count == dimensions else {
                throw RecommenderError("row \(i) has \(row.count) values, row 0 has \(dimensions)")
            }
            guard row.allSatisfy(\.isFinite) else { throw RecommenderError("row \(i) holds a value that is not finite") }
        }
    }

    static func squaredDistance(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in a.indices {
            let d = a[i] - b[i]
            sum += d * d
        }
        return sum
    }

    /// The nearest centre to `row` (ties to the lower cluster) and its squared distance.
    static func nearest(_ row: [Double], _ centroids: [[Double]]) -> (cluster: Int, distance: Double) {
        var best = (cluster: 0, distance: Double.infinity)
        for (cluster, centroid) in centroids.enumerated() {
            let distance = squaredDistance(row, centroid)
            if distance < best.distance { best = (cluster, distance) }
        }
        return best
    }

    /// The mean of each cluster's rows; an empty cluster keeps its `previous` centre.
    static func means(_ rows: [[Double]], _ assignments: [Int], previous: [[Double]]) -> [[Double]] {
        var sums = previous.map { [Double](repeating: 0, count: $0.count) }
        var counts = [Int](repeating: 0, count: previous.count)
        for (row, cluster) in zip(rows, assignments) {
            counts[cluster] += 1
            for j in row.indices { sums[cluster][j] += row[j] }
        }
        return sums.indices.map { c in counts[c] == 0 ? previous[c] : sums[c].map { $0 / Double(counts[c]) } }
    }
}
