import Foundation
@testable import LecternPostgres
import LecternStore
import Testing
import LecternTestSupport

/// LecternPostgres without a server: URLs, the password file, scripts.
@Suite("PostgreSQL URLs, passwords and scripts")
struct PostgresURLTests {
    @Test("a URL gives user, password, host, port and database; defaults as libpq's")
    func parsesURLs() throws {
        let full = try PGConnectionURL("postgres://ada:s%3Acret@db.example:6543/shop")
        #expect(full.user == "ada" && full.password == "s:cret" && full.host == "db.example" && full.port == 6543 && full.database == "shop")
        let bare = try PGConnectionURL("postgresql://db.example/", environment: ["USER": "grace"])
        #expect(bare.user == "grace" && bare.password == nil && bare.port == 5432 && bare.database == "grace")
        let socket = try PGConnectionURL("postgres://ada@/shop?host=/run/postgresql&port=5433")
        #expect(socket.socketDirectory == "/run/postgresql" && socket.host == nil && socket.port == 5433)
        let ipv6 = try PGConnectionURL("postgres://ada@[::1]:5444/shop")
        #expect(ipv6.host == "::1" && ipv6.port == 5444)
        #expect(full.description == "ada@db.example:6543/shop")
        #expect(socket.description == "ada@/run/postgresql:5433/shop")
    }

    @Test("a bad URL is one line, and never repeats the password")
    func refusesBadURLs() {
        for (text, reason) in [("mysql://ada@h/db", "must start with postgres://"),
                               ("postgres://ada:hunter2@h:99999/db", "port must be"),
                               ("postgres://ada:hunter2@h/db?sslmode=require", "sslmode=require"),
                               ("postgres://ada:hunter2@h/db?colour=blue", "unknown parameter 'colour'")] {
            let error = #expect(throws: PGError.self) { try PGConnectionURL(text) }
            #expect(error?.description.contains(reason) == true, "\(String(describing: error))")
            #expect(error?.description.contains("hunter2") == false)
            #expect(error?.description.contains("\n") == false)
        }
    }

    @Test("the password comes from the URL, else PGPASSWORD, else the password file")
    func passwordSources() throws {
        let folder = try TemporaryDirectory()
        let file = try folder.write("pgpass", "# comment\nother:5432:*:ada:nope\ndb.example:*:shop:ada:from\\:file\n")
        chmod(file, 0o600)
        let url = try PGConnectionURL("postgres://ada@db.example/shop")
        #expect(try PGConnectionURL("postgres://ada:inline@db.example/shop").resolvedPassword(environment: ["PGPASSWORD": "env"]) == "inline")
        #expect(url.resolvedPassword(environment: ["PGPASSWORD": "env", "PGPASSFILE": file]) == "env")
        #expect(url.resolvedPassword(environment: ["PGPASSFILE": file]) == "from:file")
        #expect(try PGConnectionURL("postgres://bob@db.example/shop").resolvedPassword(environment: ["PGPASSFILE": file]) == nil)
        chmod(file, 0o644)  // readable by others: libpq ignores it, and so does Lectern
        #expect(url.resolvedPassword(environment: ["PGPASSFILE": file]) == nil)
        let home = try folder.write(".pgpass", "*:*:*:*:star\n")
        chmod(home, 0o600)
        #expect(url.resolvedPassword(environment: ["HOME": folder.url.path]) == "star")
    }

    @Test("password file lines: wildcards, escapes, the first match wins, a socket counts as localhost")
    func passwordFileRules() throws {
        let file = PGPassFile(text: "localhost:5432:*:ada:local\n*:*:shop:*:any\\\\thing\nh:1:db:u:first\nh:1:db:u:second\n")
        #expect(file.password(host: "localhost", port: 5432, database: "x", user: "ada") == "local")
        #expect(file.password(host: "far", port: 1, database: "shop", user: "bob") == "any\\thing")
        #expect(file.password(host: "h", port: 1, database: "db", user: "u") == "first")
        #expect(file.password(host: "h", port: 2, database: "db", user: "u") == nil)
        let socket = try PGConnectionURL("postgres://ada@/x?host=/tmp")
        let folder = try TemporaryDirectory()
        let path = try folder.write("pgpass", "localhost:5432:*:ada:local\n")
        chmod(path, 0o600)
        #expect(socket.resolvedPassword(environment: ["PGPASSFILE": path]) == "local")
    }

    @Test("a script is cut at semicolons outside strings, names, comments and dollar-quoted bodies")
    func splitsScripts() {
        let script = """
            -- a comment; with a semicolon
            CREATE TABLE "odd;name" (a TEXT DEFAULT 'x;y''z');
            /* block; /* nested; */ still */
            CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'no; never'; END;
            $$;
            CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$;
            SELECT $1;
            ;
            """
        let statements = PGScript.statements(in: script)
        #expect(statements.count == 4)
        #expect(statements[0].hasSuffix("CREATE TABLE \"odd;name\" (a TEXT DEFAULT 'x;y''z')"))
        #expect(statements[1].contains("RAISE EXCEPTION 'no; never'; END;\n$$"))
        #expect(statements[2].hasSuffix("$body$ SELECT 1; $body$"))
        #expect(statements[3] == "SELECT $1")
    }

    @Test("a prepared statement's text casts each parameter to its bound type, outside quotes and comments; a NULL is left to infer")
    func preparedTextCastsParameters() {
        let sql = "SELECT '$1', \"$2\" FROM t -- $1\nWHERE a = $1 AND b IN ($2, $3) LIMIT nullif($4, -1) OFFSET $10"
        let text = PGConnection.preparedText(sql, [.integer(1), .text("x"), .null, .real(0.5), .bytes([1]), .boolean(true),
                                                    .integer(7), .integer(8), .integer(9), .boolean(false)])
        #expect(text == "SELECT '$1', \"$2\" FROM t -- $1\nWHERE a = ($1::int8) AND b IN (($2::text), $3) LIMIT nullif(($4::float8), -1) OFFSET ($10::bool)")
        #expect(PGConnection.preparedText("SELECT $2", [.integer(1)]) == "SELECT $2", "a parameter without a value is left alone")
    }

    @Test("a URL is shown without its password, wherever the password is written")
    func redactsPasswords() {
        #expect(LecternDatabase.redacted("postgres://ada:s3cret@db.example:5433/shop") == "postgres://ada:***@db.example:5433/shop")
        #expect(LecternDatabase.redacted("postgresql://ada:p@ss@db.example/shop") == "postgresql://ada:***@db.example/shop")
        #expect(LecternDatabase.redacted("postgres://ada@/shop?host=/tmp&password=s3cret") == "postgres://ada@/shop?host=/tmp&password=***")
        #expect(LecternDatabase.redacted("postgres://ada@db.example/shop") == "postgres://ada@db.example/shop")
        #expect(LecternDatabase.redacted("shop.db") == "shop.db")
    }

    @Test("a URL given to the opener connects to PostgreSQL; a server that cannot be reached is one line without the password")
    func openerTakesURLs() {
        let error = #expect(throws: StoreError.self) { try LecternDatabase.open(path: "postgres://ada:hunter2@127.0.0.1:1/shop") }
        #expect(error?.code == .io)
        #expect(error?.message.hasPrefix("cannot reach the PostgreSQL server for ada@127.0.0.1:1/shop") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("hunter2") == false)
    }

    @Test("server versions read as people write them")
    func versionNames() {
        #expect(PGError.versionName(150018) == "15.18")
        #expect(PGError.versionName(130000) == "13.0")
        #expect(PGError.versionName(90624) == "9.6.24")
    }
}

private struct TransactionStop: Error {}

/// LecternPostgres and the store against a real server: bad input, and the password kept secret.
@Suite("PostgreSQL connections", .enabled(if: TestPostgres.isEnabled, "set LECTERN_TEST_PG (bash scripts/pg-cluster.sh start) or run bash .ci/run"))
struct PostgresConnectionTests {
    /// Opens through the store and returns the error's message (nil when it opened).
    static func openError(_ url: String, environment: [String: String] = [:]) -> StoreError? {
        do {
            try LecternDatabase.openPostgres(url: url, migrate: false, environment: environment).close()
            return nil
        } catch {
            return error as? StoreError
        }
    }

    @Test("a wrong password, an unreachable host, an unknown database: one line each, exit 8, never the password")
    func badInputIsOneLineWithoutThePassword() throws {
        guard let url = TestPostgres.url else { throw TestPostgres.Missing() }
        let secret = "Wr0ng-Pa55w0rd-\(UUID().uuidString.prefix(8))"
        let wrong = try TestPostgres.replacingPassword(in: url, with: secret)
        let parsed = try PGConnectionURL(url)
        let cases: [(String, String)] = [
            (wrong, "password authentication failed"),
            ("postgres://lectern:\(secret)@127.0.0.1:1/lectern", "cannot reach the PostgreSQL server"),
            ("postgres://lectern:\(secret)@[::1]:1/lectern?host=/nonexistent-\(UUID().uuidString.prefix(8))", "cannot reach"),
            (TestPostgres.replacingDatabase(in: url, with: "no_such_database_here"), "no database for"),
        ]
        for (text, expected) in cases {
            let error = try #require(Self.openError(text))
            #expect(error.code == .io, "\(error.message)")
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(!error.message.contains(secret) && !error.message.contains(parsed.password ?? secret))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test("the password may come from PGPASSWORD or the password file instead of the URL")
    func passwordFromEnvironment() throws {
        guard let url = TestPostgres.url else { throw TestPostgres.Missing() }
        let parsed = try PGConnectionURL(url)
        guard let password = parsed.password, parsed.socketDirectory == nil else { return }  // a trusted socket needs none
        let bare = "postgres://\(parsed.user)@\(parsed.host ?? "localhost"):\(parsed.port)/\(parsed.database)"
        #expect(Self.openError(bare, environment: ["HOME": "/nonexistent"])?.message.contains("asks for a password") == true)
        #expect(Self.openError(bare, environment: ["PGPASSWORD": password]) == nil)
        let folder = try TemporaryDirectory()
        let file = try folder.write("pgpass", "\(parsed.host ?? "localhost"):\(parsed.port):*:\(parsed.user):\(password)\n")
        chmod(file, 0o600)
        #expect(Self.openError(bare, environment: ["PGPASSFILE": file]) == nil)
    }

    @Test("a connection names its target without the password, and reads the server's version")
    func targetAndVersion() throws {
        guard let url = TestPostgres.url else { throw TestPostgres.Missing() }
        let connection = try PGConnection.connect(try PGConnectionURL(url))
        defer { connection.close() }
        #expect(connection.serverVersion >= PGConnection.minimumServerVersion)
        if let password = try PGConnectionURL(url).password {
            #expect(!connection.target.contains(password))
            #expect(!LecternDatabase.redacted(url).contains(password) && LecternDatabase.redacted(url).contains(":***@"))
        }
    }

    @Test("a transaction commits, rolls back on a throw, and nests as savepoints")
    func transactions() throws {
        try TestPostgres.withDatabase { url in
            let db = try PGConnection.connect(try PGConnectionURL(url))
            defer { db.close() }
            try db.execute("CREATE TABLE t (n BIGINT PRIMARY KEY)")
            func insertThenFail() throws -> Int {
                try db.execute("INSERT INTO t VALUES (1)")
                throw TransactionStop()
            }
            #expect(throws: TransactionStop.self) { try db.transaction(insertThenFail) }
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (2)")
                #expect(throws: PGError.self) { try db.transaction { try db.execute("INSERT INTO t VALUES (2)") } }
                try db.execute("INSERT INTO t VALUES (3)")
            }
            #expect(!db.isInTransaction)
            #expect(try db.query("SELECT n FROM t ORDER BY n").map { try $0.int64("n") } == [2, 3])
        }
    }

    @Test("an advisory lock held by one session is refused to another until released")
    func advisoryLocks() throws {
        guard let url = TestPostgres.url else { throw TestPostgres.Missing() }
        let first = try PGConnection.connect(try PGConnectionURL(url))
        let second = try PGConnection.connect(try PGConnectionURL(url))
        defer { first.close(); second.close() }
        let key = Int64.random(in: 1...Int64.max)
        #expect(try first.tryAdvisoryLock(key))
        #expect(try second.withAdvisoryLock(key) { 1 } == nil)
        #expect(try first.advisoryUnlock(key))
        #expect(try second.withAdvisoryLock(key) { 1 } == 1)
    }

    @Test("a server's pool opens all its sessions at once on PostgreSQL (none on SQLite), and never more than its limit")
    func poolOpensItsSessions() throws {
        try TestPostgres.withDatabase { url in
            let pool = try DatabasePool(path: url, maxSessions: 5)
            defer { pool.close() }
            let observer = try PGConnection.connect(try PGConnectionURL(url))
            defer { observer.close() }
            let others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            #expect(try observer.scalarInt(others) == 1)  // the one that opened (and migrated) the database
            #expect(pool.openSessions() == 5)
            #expect(try observer.scalarInt(others) == 5)
            #expect(pool.openSessions() == 5)
            #expect(try observer.scalarInt(others) == 5)
            #expect(try pool.read { db in try db.scalarInt("SELECT count(*) FROM schema_migrations") } ?? 0 > 0)
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("lectern-pool-\(UUID().uuidString).db").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } }
        #expect(try DatabasePool(path: file).openSessions() == nil)
    }

    @Test("a prepared statement reads every type as an unnamed one does, is prepared once, and survives a schema change")
    func preparedStatements() throws {
        try TestPostgres.withDatabase { url in
            let db = try PGConnection.connect(try PGConnectionURL(url))
            defer { db.close() }
            try db.execute("CREATE TABLE t (id BIGINT PRIMARY KEY, r DOUBLE PRECISION, s TEXT, b BYTEA, f BOOLEAN, n BIGINT)")
            try db.execute("INSERT INTO t VALUES (1, 0.1, 'å', '\\x00ff', true, NULL), (2, -1e300, '', '\\x', false, 9223372036854775807)")
            let select = "SELECT id, r, s, b, f, n, $2::text AS echo FROM t WHERE id >= $1 ORDER BY id LIMIT nullif($3, -1)"
            func rows(_ prepare: Bool, _ binds: [PGValue]) throws -> [[PGValue]] {
                try db.query(select, binds, prepare: prepare).map(\.values)
            }
            for binds: [PGValue] in [[1, "e", -1], [2, .null, 1], [1, "e", 1]] {
                let unnamed = try rows(false, binds)
                #expect(try rows(true, binds) == unnamed)
                #expect(try rows(true, binds) == unnamed, "and again, from the prepared statement")
            }
            #expect(try rows(true, [1, "e", -1]).first == [.integer(1), .real(0.1), .text("å"), .bytes([0, 255]), .boolean(true), .null, .text("e")])
            // One statement per set of bound types (the NULL is another), each prepared once.
            #expect(try db.scalarInt("SELECT count(*) FROM pg_prepared_statements") == 2)

            // A column dropped changes the statement's result: that call fails, the next prepares again.
            let narrow = "SELECT * FROM t WHERE id = $1"
            _ = try db.query(narrow, [1], prepare: true)
            try db.execute("ALTER TABLE t DROP COLUMN n")
            #expect(throws: PGError.self) { try db.query(narrow, [1], prepare: true) }
            #expect(try db.query(narrow, [1], prepare: true).first?.columns == ["id", "r", "s", "b", "f"])
            // Errors keep their SQLSTATE, as unnamed statements' do.
            #expect(throws: PGError.server(sqlState: "22012", message: "division by zero", constraint: nil)) {
                try db.query("SELECT 1 / $1", [0], prepare: true)
            }
        }
    }

    @Test("the Unix socket works too, when the cluster's URL for it is given")
    func socketConnection() throws {
        guard let socketURL = ProcessInfo.processInfo.environment["LECTERN_TEST_PG_SOCKET"] else { return }
        let connection = try PGConnection.connect(try PGConnectionURL(socketURL))
        defer { connection.close() }
        #expect(try connection.scalarInt("SELECT 40 + 2") == 42)
    }
}
