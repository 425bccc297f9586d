// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "lectern",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lectern", targets: ["lectern"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // HMAC-SHA256 for learners' pseudonyms in reports.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // Debian's libsqlite3-dev, seen through a module map; no other SQLite package.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // A thin Swift layer over the C API: connections, statements, transactions, errors.
        .target(name: "LecternSQLite", dependencies: ["CSQLite"]),
        // Turns Migrations/*.sql into Swift source at build time, so the binary carries its schema.
        .executableTarget(name: "MigrationEmbedder", path: "Sources/MigrationEmbedder"),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["MigrationEmbedder"]
        ),
        // The domain: catalog, learners, interactions; migrations; import and export.
        .target(
            name: "LecternStore",
            dependencies: ["LecternSQLite"],
            plugins: ["EmbedMigrations"]
        ),
        // Recommendation algorithms: sparse matrices in, scores out. No SQL, no I/O.
        .target(name: "LecternRecommender"),
        // Trains through the store and caches results; answers from the cache with fold-in.
        .target(name: "LecternService", dependencies: ["LecternStore", "LecternRecommender"]),
        // Reports as listings (table, csv, json, md) and one self-contained HTML page with SVG charts;
        // learners appear under keyed-hash pseudonyms unless personal data is asked for.
        .target(
            name: "LecternReports",
            dependencies: ["LecternStore", "LecternService", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // A deterministic generator of believable platforms (no SQL, no database).
        .target(name: "LecternGenerator"),
        .executableTarget(
            name: "lectern",
            dependencies: [
                "LecternStore",
                "LecternReports",
                "LecternService",
                "LecternRecommender",
                "LecternGenerator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The Lectern side of `make bench` (bench/compare.py runs it beside implicit).
        .executableTarget(name: "lectern-bench", dependencies: ["LecternService", "LecternRecommender", "LecternStore"]),
        .testTarget(name: "LecternSQLiteTests", dependencies: ["LecternSQLite"]),
        .testTarget(name: "LecternStoreTests", dependencies: ["LecternStore"]),
        .testTarget(name: "LecternGeneratorTests", dependencies: ["LecternGenerator"]),
        .testTarget(name: "LecternRecommenderTests", dependencies: ["LecternRecommender"], exclude: ["Fixtures"]),
        .testTarget(name: "LecternServiceTests", dependencies: ["LecternService", "LecternStore", "LecternSQLite"]),
        .testTarget(name: "LecternReportsTests", dependencies: ["LecternReports", "LecternStore", "LecternSQLite"]),
        .testTarget(name: "LecternCLITests", dependencies: ["lectern", "LecternStore", "LecternSQLite"], exclude: ["Fixtures"]),
    ]
)
