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
        // The HTTP server behind `lectern serve`.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // HMAC-SHA256 for learners' pseudonyms in reports; SHA-256 of API keys.
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // Already in Hummingbird's graph; named so LecternServer may import them directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Tests only: a client generated from openapi.json drives a live server (LecternClientTests),
        // as a storefront team would generate theirs.
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-openapi-urlsession", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // The PostgreSQL wire protocol behind LecternPostgres (issue 16's second engine).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Debian's libsqlite3-dev, seen through a module map; no other SQLite package.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // What the store, the recommender and the generator share, in pure Swift: the algorithms' and
        // interactions' names, calendar arithmetic, how records are quoted in CSV and JSON, counters.
        .target(name: "LecternCore"),
        // A thin Swift layer over the C API: connections, statements, transactions, errors.
        .target(name: "LecternSQLite", dependencies: ["CSQLite"]),
        // The second engine: a small synchronous layer over postgres-nio (connections, queries,
        // transactions, advisory locks, PostgresError); like LecternSQLite, only the store imports it.
        .target(
            name: "LecternPostgres",
            dependencies: [
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Turns files into Swift source at build time, so the binary carries them: Migrations/*.sql
        // (EmbedMigrations, the schema) and Sources/LecternServer/openapi.json (EmbedOpenAPI).
        .executableTarget(name: "TextEmbedder", path: "Sources/TextEmbedder"),
        .plugin(
            name: "EmbedMigrations",
            capability: .buildTool(),
            dependencies: ["TextEmbedder"]
        ),
        .plugin(
            name: "EmbedOpenAPI",
            capability: .buildTool(),
            dependencies: ["TextEmbedder"]
        ),
        // The domain: catalog, learners, interactions; migrations; import and export.
        .target(
            name: "LecternStore",
            dependencies: ["LecternCore", "LecternSQLite", "LecternPostgres"],
            plugins: ["EmbedMigrations"]
        ),
        // Recommendation algorithms: sparse matrices in, scores out. No SQL, no I/O.
        .target(name: "LecternRecommender", dependencies: ["LecternCore"]),
        // Trains through the store and caches results; answers from the cache with fold-in.
        .target(name: "LecternService", dependencies: ["LecternCore", "LecternStore", "LecternRecommender"]),
        // Reports as listings (table, csv, json, md) and one self-contained HTML page with SVG charts;
        // learners appear under keyed-hash pseudonyms unless personal data is asked for.
        .target(
            name: "LecternReports",
            dependencies: ["LecternCore", "LecternStore", "LecternService", .product(name: "Crypto", package: "swift-crypto")]
        ),
        // A deterministic generator of believable platforms (no SQL, no database).
        .target(name: "LecternGenerator", dependencies: ["LecternCore"]),
        // `lectern serve`: the HTTP API (Hummingbird) with API keys, limits and metrics.
        .target(
            name: "LecternServer",
            dependencies: [
                "LecternCore",
                "LecternStore",
                "LecternRecommender",
                "LecternService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // HTTP/1 parser errors and the HTTP parts between the codec and Hummingbird (ProtocolErrorHandler).
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["openapi.json"],
            plugins: ["EmbedOpenAPI"]
        ),
        .executableTarget(
            name: "lectern",
            dependencies: [
                "LecternCore",
                "LecternStore",
                "LecternReports",
                "LecternService",
                "LecternServer",
                "LecternRecommender",
                "LecternGenerator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The Lectern side of `make bench` (bench/compare.py runs it beside implicit).
        .executableTarget(name: "lectern-bench", dependencies: ["LecternCore", "LecternService", "LecternRecommender", "LecternStore"]),
        .testTarget(name: "LecternCoreTests", dependencies: ["LecternCore"]),
        .testTarget(name: "LecternSQLiteTests", dependencies: ["LecternSQLite"]),
        // What the test modules that run on both engines share: TestEngine, withDatabase(on:), and a
        // fresh PostgreSQL database per test (TestPostgres).
        .target(name: "LecternTestSupport", dependencies: ["LecternStore", "LecternPostgres"], path: "Tests/LecternTestSupport"),
        .testTarget(name: "LecternStoreTests", dependencies: ["LecternTestSupport", "LecternCore", "LecternStore"]),
        .testTarget(name: "LecternGeneratorTests", dependencies: ["LecternCore", "LecternGenerator"]),
        .testTarget(name: "LecternRecommenderTests", dependencies: ["LecternCore", "LecternRecommender"], exclude: ["Fixtures"]),
        .testTarget(name: "LecternServiceTests", dependencies: ["LecternTestSupport", "LecternCore", "LecternService", "LecternStore", "LecternSQLite", "LecternGenerator", "LecternPostgres"]),
        .testTarget(name: "LecternReportsTests", dependencies: ["LecternTestSupport", "LecternCore", "LecternReports", "LecternStore", "LecternSQLite", "LecternPostgres"]),
        .testTarget(name: "LecternCLITests", dependencies: ["lectern", "LecternTestSupport", "LecternStore", "LecternSQLite", "LecternPostgres"], exclude: ["Fixtures"]),
        .testTarget(name: "LecternServerTests", dependencies: ["LecternTestSupport", "LecternCore", "LecternServer", "LecternService", "LecternStore", "LecternSQLite", "LecternPostgres"]),
        // The HTTP API through a Swift client generated at build time from the committed document
        // (openapi.json here is a link to Sources/LecternServer/openapi.json).
        .testTarget(
            name: "LecternClientTests",
            dependencies: [
                "LecternCore", "LecternServer", "LecternService", "LecternStore",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIURLSession", package: "swift-openapi-urlsession"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
    ]
)
