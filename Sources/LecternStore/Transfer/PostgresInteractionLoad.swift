import Foundation
internal import LecternPostgres

/// An interactions import into PostgreSQL through `COPY ... FROM STDIN`, with `InteractionWriter`'s
/// rules, batch by batch.
///
/// A row-by-row import pays a round trip or three per event (is it known, is it a refund of
/// what...) and ran at about 700 rows a second. Here each batch of parsed rows costs three
/// statements whatever its size:
/// 1. one query fetches, for the whole batch, the stored events that share a row's natural identity
///    (learner, course, kind, time: a seek in `interactions_by_user` each), the stored idempotency
///    keys among the batch's, and the history of the learner-course pairs the batch refunds or
///    dismisses;
/// 2. the rows are judged in file order against that and against the batch's rows accepted before
///    them, by the same rules as `InteractionWriter.insert` (same outcomes, same messages);
/// 3. the accepted rows go in with one COPY, their ids given by the sequence in file order.
/// The COPY of a batch is sent after the next batch's query, and runs while that batch is judged;
/// the batch it carries is merged from memory into what the query found. In a load into an empty
/// table, a Bloom filter of what earlier batches sent spares the query for rows that repeat nothing.
/// Everything runs in the import's transaction: a failure anywhere leaves nothing.
///
/// A row the rules refuse never reaches the server, so `--skip-invalid` needs no savepoint per row.
/// A concurrent writer that stores the same idempotency key between the query and the COPY makes
/// the COPY fail, and with it the import (nothing is kept; import again).
final class PostgresInteractionLoad {
    /// One parsed row: the event and the course's list price (charged when a purchase has no amount).
    typealias Parsed = (interaction: Interaction, coursePrice: Int64)

    private let session: PostgresSession
    private let writer: PGConnection.CopyWriter
    /// Learner id -> the organisation licences that cover them (a course id, or a domain).
    private let licences: [Int64: [(courseID: Int64?, domain: String?)]]
    private let domains: [Int64: String]

    /// What the batch's query found, and the batch's accepted rows so far.
    private var stored: [Identity: [Event]] = [:]
    private var keys: Set<String> = []
    private var history: [Pair: [Event]] = [:]
    private var buffer: [UInt8] = []
    /// The batch before: its rows for the COPY, sent once this batch's query has run, and what it
    /// accepted, which that query cannot see yet.
    private var pending: [UInt8] = []
    private var carried: [(identity: Identity, event: Event)] = []
    private var accepted: [(identity: Identity, event: Event)] = []
    /// Orders this import's rows after every stored event (ids are given at COPY; stored ids are
    /// far below 2^62).
    private var nextOrder: Int64 = 1 << 62
    /// Whether the table held no event when the import began: then a row's identity or key can be
    /// stored only if an earlier batch sent it, which `sent` says (or, rarely, wrongly suspects).
    private let startedEmpty: Bool
    /// The identities and keys of the rows earlier batches sent, when `startedEmpty`.
    private var sent: BloomFilter

    static let columns = ["user_id", "course_id", "kind", "value", "channel", "occurred_at", "idempotency_key", "reason"]
    static let licenceQuery = """
        SELECT m.user_id, l.course_id, l.domain FROM org_members m JOIN org_licences l ON l.org_id = m.org_id
        """
    static let domainQuery = "SELECT id, domain FROM courses"
    /// The stored events a batch needs, from one JSON argument: `i` the identities to look up,
    /// `k` the idempotency keys, `h` the pairs whose history the refund and dismissal rules read.
    /// Each row says which part it answers in column 0.
    static let batchQuery = """
        SELECT 'i', s.user_id, s.course_id, s.kind, s.occurred_at, s.value, s.id, s.idempotency_key
        FROM jsonb_to_recordset(?1::jsonb -> 'i') AS b(u bigint, c bigint, k text, t bigint)
        JOIN interactions s ON s.user_id = b.u AND s.course_id = b.c AND s.kind = b.k AND s.occurred_at = b.t
        UNION ALL
        SELECT 'k', 0, 0, '', 0, NULL, 0, s.idempotency_key
        FROM jsonb_array_elements_text(?1::jsonb -> 'k') AS b(key)
        JOIN interactions s ON s.idempotency_key = b.key
        UNION ALL
        SELECT 'h', s.user_id, s.course_id, s.kind, s.occurred_at, s.value, s.id, s.idempotency_key
        FROM jsonb_to_recordset(?1::jsonb -> 'h') AS b(u bigint, c bigint)
        JOIN interactions s ON s.user_id = b.u AND s.course_id = b.c
         AND s.kind IN ('view', 'wishlist', 'enroll', 'purchase', 'refund', 'dismiss')
        """

    struct Pair: Hashable {
        let user: Int64
        let course: Int64
    }

    struct Identity: Hashable {
        let pair: Pair
        let kind: Interaction.Kind
        let time: Int64
    }

    struct Event {
        let kind: Interaction.Kind
        let time: Int64
        let value: Int64?
        /// The stored id, or a number after every stored id for a row of this batch.
        let order: Int64
        let key: String?
    }

    /// - Parameter expectedRows: about how many rows the file holds (to size `sent`).
    init(_ session: PostgresSession, expectedRows: Int) throws {
        self.session = session
        startedEmpty = try session.query("SELECT count(*) FROM (SELECT 1 FROM interactions LIMIT 1) AS any_event", [])
            .first.map { Row(postgres: $0).int64(0) == 0 } ?? false
        sent = BloomFilter(capacity: startedEmpty ? expectedRows : 0)
        writer = session.connection.copyWriter(into: "interactions", columns: Self.columns)
        var licences: [Int64: [(courseID: Int64?, domain: String?)]] = [:]
        for row in try session.query(Self.licenceQuery, []) {
            let row = Row(postgres: row)
            licences[row.int64(0), default: []].append((row.optionalInt64(1), row.optionalText(2)))
        }
        self.licences = licences
        var domains: [Int64: String] = [:]
        for row in try session.query(Self.domainQuery, []) {
            let row = Row(postgres: row)
            domains[row.int64(0)] = row.text(1)
        }
        self.domains = domains
    }

    // MARK: Batches

    /// Reads what `batch` needs from the database, then sends the batch before it with COPY, so the
    /// server takes those rows while this batch is judged. The query runs after the COPY of the
    /// batch before that, and sees every earlier batch but the last, which is carried in memory.
    /// A batch of a load into an empty table that repeats nothing sent before and neither refunds
    /// nor dismisses needs no query.
    func prepare(_ batch: [Parsed]) throws {
        stored.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        history.removeAll(keepingCapacity: true)
        swap(&carried, &accepted)
        accepted.removeAll(keepingCapacity: true)
        var identities: [String] = [], batchKeys: [String] = [], pairs: Set<Pair> = []
        for (interaction, _) in batch {
            let pair = Pair(user: interaction.userID, course: interaction.courseID)
            if !startedEmpty || sent.mayContain(Identity(pair: pair, kind: interaction.kind, time: interaction.occurredAt).hashValue) {
                identities.append("{\"u\":\(interaction.userID),\"c\":\(interaction.courseID),\"k\":\"\(interaction.kind.rawValue)\",\"t\":\(interaction.occurredAt)}")
            }
            if let key = interaction.idempotencyKey, !key.isEmpty, !startedEmpty || sent.mayContain(key.hashValue) {
                batchKeys.append(Self.jsonString(key))
            }
            if interaction.kind == .refund || interaction.kind == .dismiss { pairs.insert(pair) }
        }
        for pair in pairs { history[pair] = [] }
        if !identities.isEmpty || !batchKeys.isEmpty || !pairs.isEmpty {
            try writer.finish()
            let json = "{\"i\":[" + identities.joined(separator: ",") + "],\"k\":[" + batchKeys.joined(separator: ",") + "],\"h\":["
                + pairs.map { "{\"u\":\($0.user),\"c\":\($0.course)}" }.joined(separator: ",") + "]}"
            try read(json)
        }
        try writer.send(pending)
        pending.removeAll(keepingCapacity: true)
        for (identity, event) in carried {
            stored[identity, default: []].append(event)
            history[identity.pair]?.append(event)
            if let key = event.key { keys.insert(key) }
        }
    }

    /// Reads the stored events `batchQuery` finds for `json`.
    private func read(_ json: String) throws {
        for row in try session.query(Self.batchQuery, [json]) {
            let row = Row(postgres: row)
            let part = row.text(0)
            guard part != "k" else { keys.insert(row.text(7)); continue }
            let pair = Pair(user: row.int64(1), course: row.int64(2))
            guard let kind = Interaction.Kind(rawValue: row.text(3)) else { continue }
            let event = Event(kind: kind, time: row.int64(4), value: row.optionalInt64(5), order: row.int64(6), key: row.optionalText(7))
            if part == "i" { stored[Identity(pair: pair, kind: kind, time: event.time), default: []].append(event) }
            else { history[pair, default: []].append(event) }
        }
        for (identity, events) in stored { stored[identity] = events.sorted { $0.order < $1.order } }
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Keeps the batch's accepted rows for the COPY that the next batch's `prepare` (or `finish`) sends.
    func flush() throws {
        swap(&pending, &buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Sends the last batch and waits until the server has taken every row.
    func finish() throws {
        try writer.send(pending)
        pending.removeAll(keepingCapacity: true)
        try writer.finish()
    }

    // MARK: Rules

    /// Judges one row of the prepared batch as `InteractionWriter.insert` would, and queues it for
    /// the COPY when it is new. Ids are unknown until the COPY, so `.recorded` and `.sameEvent`
    /// carry 0 for rows of this import.
    func insert(_ parsed: Parsed) throws -> RecordOutcome {
        var interaction = parsed.interaction
        if interaction.kind == .purchase, interaction.value == nil {
            interaction.value = isLicensed(user: interaction.userID, course: interaction.courseID) ? 0 : parsed.coursePrice
        }
        if interaction.kind == .refund, let known = storedEvent(like: interaction, anyValue: interaction.value == nil) {
            return known
        }
        if interaction.kind == .refund { try prepareRefund(&interaction) }
        try interaction.validate()
        if interaction.kind != .refund, let known = storedEvent(like: interaction) { return known }
        if interaction.kind == .dismiss, hasStandingDismissal(like: interaction) { return .sameEvent(id: 0) }
        if let key = interaction.idempotencyKey, key.isEmpty { interaction.idempotencyKey = nil }
        if let key = interaction.idempotencyKey, keys.contains(key) { return .duplicate(key: key) }
        accept(interaction)
        return .recorded(id: 0)
    }

    private func isLicensed(user: Int64, course: Int64) -> Bool {
        guard let held = licences[user] else { return false }
        let domain = domains[course]
        return held.contains { $0.courseID == course || ($0.domain != nil && $0.domain == domain) }
    }

    /// `InteractionWriter.storedEvent`: the first event (by id) with this identity and value.
    private func storedEvent(like interaction: Interaction, anyValue: Bool = false) -> RecordOutcome? {
        let identity = Identity(pair: Pair(user: interaction.userID, course: interaction.courseID),
                                kind: interaction.kind, time: interaction.occurredAt)
        guard let match = stored[identity]?.first(where: { anyValue || $0.value == interaction.value }) else { return nil }
        if let key = interaction.idempotencyKey, match.key == key { return .duplicate(key: key) }
        return .sameEvent(id: match.order)
    }

    /// `InteractionWriter.prepareRefund`: a refund needs an unrefunded purchase, and defaults to the
    /// last amount paid.
    private func prepareRefund(_ interaction: inout Interaction) throws {
        let events = history[Pair(user: interaction.userID, course: interaction.courseID)] ?? []
        let purchases = events.filter { $0.kind == .purchase }
        guard !purchases.isEmpty else {
            throw StoreError.conflict("a refund needs a purchase of the same course by the same learner")
        }
        if events.count(where: { $0.kind == .refund }) >= purchases.count {
            let retried = interaction.idempotencyKey.map { keys.contains($0) } ?? false
            if !retried { throw StoreError.conflict("the purchase was already refunded") }
        }
        if interaction.value == nil {
            interaction.value = purchases.max { ($0.time, $0.order) < ($1.time, $1.order) }?.value
        }
    }

    /// `InteractionWriter.standingDismissal`: a dismissal of the pair with no view, wishlist,
    /// enrollment or purchase between it and this one.
    private func hasStandingDismissal(like interaction: Interaction) -> Bool {
        let events = history[Pair(user: interaction.userID, course: interaction.courseID)] ?? []
        let t = interaction.occurredAt
        return events.contains { d in
            d.kind == .dismiss && !events.contains { p in
                [.view, .wishlist, .enroll, .purchase].contains(p.kind)
                    && p.time > min(d.time, t) && p.time <= max(d.time, t)
            }
        }
    }

    /// Queues a new row and records it where the batch's later rows will look.
    private func accept(_ interaction: Interaction) {
        let pair = Pair(user: interaction.userID, course: interaction.courseID)
        let event = Event(kind: interaction.kind, time: interaction.occurredAt, value: interaction.value, order: nextOrder,
                          key: interaction.idempotencyKey)
        nextOrder += 1
        let identity = Identity(pair: pair, kind: interaction.kind, time: interaction.occurredAt)
        accepted.append((identity, event))
        stored[identity, default: []].append(event)
        if history[pair] != nil || interaction.kind == .refund || interaction.kind == .dismiss {
            history[pair, default: []].append(event)
        }
        if let key = interaction.idempotencyKey { keys.insert(key) }
        if startedEmpty {
            sent.insert(identity.hashValue)
            if let key = interaction.idempotencyKey { sent.insert(key.hashValue) }
        }
        PGCopyText.appendInteger(interaction.userID, to: &buffer)
        PGCopyText.append(.integer(interaction.courseID), first: false, to: &buffer)
        PGCopyText.append(.text(interaction.kind.rawValue), first: false, to: &buffer)
        PGCopyText.append(interaction.value.map(PGValue.integer) ?? .null, first: false, to: &buffer)
        let channel = interaction.channel.flatMap { $0.isEmpty ? nil : $0 }
        PGCopyText.append(channel.map(PGValue.text) ?? .null, first: false, to: &buffer)
        PGCopyText.append(.integer(interaction.occurredAt), first: false, to: &buffer)
        PGCopyText.append(interaction.idempotencyKey.map(PGValue.text) ?? .null, first: false, to: &buffer)
        PGCopyText.append(interaction.reason.map { PGValue.text($0.rawValue) } ?? .null, first: false, to: &buffer)
        PGCopyText.endRow(&buffer)
    }
}

/// A Bloom filter of hash values: `mayContain` is true for every value inserted, and for others
/// with a small chance (about 1% at `capacity` values, more beyond). Ten bits a value, seven probes
/// by double hashing.
struct BloomFilter {
    private var bits: [UInt64]

    init(capacity: Int) {
        bits = Array(repeating: 0, count: max(1, capacity * 10 / 64 + 1))
    }

    mutating func insert(_ hash: Int) {
        let (a, b, size) = start(hash)
        for probe in 0..<UInt64(7) {
            let index = Int((a &+ probe &* b) % size)
            bits[index >> 6] |= 1 << UInt64(index & 63)
        }
    }

    func mayContain(_ hash: Int) -> Bool {
        let (a, b, size) = start(hash)
        for probe in 0..<UInt64(7) {
            let index = Int((a &+ probe &* b) % size)
            if bits[index >> 6] & (1 << UInt64(index & 63)) == 0 { return false }
        }
        return true
    }

    private func start(_ hash: Int) -> (UInt64, UInt64, UInt64) {
        let a = UInt64(bitPattern: Int64(hash))
        return (a, (a >> 29 | a << 35) | 1, UInt64(bits.count * 64))
    }
}
