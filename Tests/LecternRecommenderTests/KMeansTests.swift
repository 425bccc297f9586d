import Testing
@testable import LecternRecommender

@Suite("K-means")
struct KMeansTests {
    @Test func twoPairsOnALineForAnySeed() throws {
        // 0, 1, 10, 11: whichever rows k-means++ starts from, Lloyd ends at {0, 1} and {10, 11}
        // with centres 0.5 and 10.5 and inertia 4 x 0.5^2 = 1.
        let rows: [[Double]] = [[0], [1], [10], [11]]
        for seed: UInt64 in 0..<20 {
            let result = try KMeans(clusterCount: 2, seed: seed).fit(rows)
            #expect(result.assignments == [0, 0, 1, 1])
            #expect(result.centroids == [[0.5], [10.5]])
            #expect(result.inertia == 1)
            #expect(result.converged)
        }
    }

    @Test func anEmptyClusterTakesTheFarthestRow() throws {
        // Centres 0, 1, 100: 100 wins no row and 1 takes {1, 2, 10} with mean 13/3. The row
        // farthest from its centre is 10 (5.67 away), so it starts the empty cluster, and {1, 2}
        // has mean 1.5. Round 2 changes nothing. Inertia 0.5^2 + 0.5^2.
        let rows: [[Double]] = [[0], [1], [2], [10]]
        let result = try KMeans(clusterCount: 3).fit(rows, initialCentroids: [[0], [1], [100]])
        #expect(result.assignments == [0, 1, 1, 2])
        #expect(result.centroids == [[0], [1.5], [10]])
        #expect(result.inertia == 0.5)
        #expect(result.iterations == 2)
        #expect(result.converged)
    }

    @Test func theIterationCapStopsEarly() throws {
        let rows: [[Double]] = [[0], [1], [2], [10]]
        let result = try KMeans(clusterCount: 3, maxIterations: 1).fit(rows, initialCentroids: [[0], [1], [100]])
        #expect(result.iterations == 1)
        #expect(!result.converged)
        #expect(result.assignments == [0, 1, 1, 2])
    }

    @Test func moreClustersThanDistinctRowsLeavesOneEmpty() throws {
        // Two distinct rows, three clusters: the third starts on a repeat of [1, 1] and stays empty.
        let rows: [[Double]] = [[1, 1], [1, 1], [5, 5]]
        for seed: UInt64 in 0..<10 {
            let result = try KMeans(clusterCount: 3, seed: seed).fit(rows)
            #expect(result.assignments == [0, 0, 1])
            #expect(result.centroids == [[1, 1], [5, 5], [1, 1]])
            #expect(result.sizes == [2, 1, 0])
            #expect(result.inertia == 0)
        }
    }

    @Test func oneClusterIsTheMean() throws {
        let result = try KMeans(clusterCount: 1).fit([[0, 0], [2, 0], [4, 6]])
        #expect(result.centroids == [[2, 2]])
        // (4 + 4) + (0 + 4) + (4 + 16)
        #expect(result.inertia == 32)
    }

    @Test func theSameSeedGivesTheSameClusters() throws {
        var generator = SeededGenerator(seed: 11)
        let rows = (0..<60).map { _ in (0..<4).map { _ in Double(generator.nextUnitFloat()) } }
        let a = try KMeans(clusterCount: 5, seed: 9).fit(rows)
        let b = try KMeans(clusterCount: 5, seed: 9).fit(rows)
        #expect(a == b)
        #expect(a.assignments.first == 0)
        #expect(a.sizes.reduce(0, +) == 60)
        // Each row sits with its nearest centre, and the inertia adds up.
        var inertia = 0.0
        for (row, cluster) in zip(rows, a.assignments) {
            let distances = a.centroids.map { KMeans.squaredDistance(row, $0) }
            #expect(distances[cluster] == distances.min())
            inertia += distances[cluster]
        }
        #expect(abs(inertia - a.inertia) < 1e-12)
    }

    @Test func seedingWithAsManyClustersAsRowsTakesEveryRow() throws {
        let rows: [[Double]] = [[0, 1], [3, 4], [9, 9], [2, 7]]
        let seeds = try KMeans(clusterCount: 4, seed: 5).seedCentroids(rows)
        #expect(Set(seeds.map { $0.map(Int.init) }) == Set(rows.map { $0.map(Int.init) }))
    }

    @Test func badInputIsRefused() {
        #expect(throws: RecommenderError("k-means needs at least 1 cluster, got 0")) {
            try KMeans(clusterCount: 0).fit([[1]])
        }
        #expect(throws: RecommenderError("cannot make 3 clusters of 2 rows")) { try KMeans(clusterCount: 3).fit([[1], [2]]) }
        #expect(throws: RecommenderError("cannot make 1 clusters of 0 rows")) { try KMeans(clusterCount: 1).fit([]) }
        #expect(throws: RecommenderError.self) { try KMeans(clusterCount: 1).fit([[1, 2], [3]]) }
        #expect(throws: RecommenderError.self) { try KMeans(clusterCount: 1).fit([[.nan]]) }
        #expect(throws: RecommenderError.self) { try KMeans(clusterCount: 1, maxIterations: 0).fit([[1]]) }
        #expect(throws: RecommenderError.self) { try KMeans(clusterCount: 1, tolerance: -1).fit([[1]]) }
        #expect(throws: RecommenderError.self) { try KMeans(clusterCount: 2).fit([[1], [2]], initialCentroids: [[1]]) }
    }

    @Test func clustersAreNamedByTheirHeaviestLabels() throws {
        let labels = ["data-science", "finance", "python", "excel"]
        let names = try KMeans.clusterNames(centroids: [
            [0.5, 0.3, 0.2, 0],    // data-science + finance, then python
            [0.1, 0.6, 0, 0.3],    // finance + excel
            [0.5, 0.3, 0, 0.2],    // data-science + finance, then excel
            [0, 0, 0, 0],          // nothing
            [0.2, 0, 0.4, 0.4],    // excel and python tie: alphabetical
        ], labels: labels)
        #expect(names == ["data-science + finance + python", "finance + excel", "data-science + finance + excel",
                          "cluster 4", "excel + python"])
    }

    @Test func identicalClustersAreNumbered() throws {
        let names = try KMeans.clusterNames(centroids: [[0.5, 0.5, 0], [0.1, 0, 0], [0.5, 0.5, 0]], labels: ["a", "b", "c"])
        #expect(names == ["a + b (1)", "a", "a + b (2)"])
        #expect(throws: RecommenderError.self) { try KMeans.clusterNames(centroids: [[1]], labels: ["a", "b"]) }
    }
}
