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
/// The next batch's query runs once the COPY is done, so it sees every earlier batch's rows.
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
    /// Orders this batch's accepted rows after every stored event (ids are given at COPY).
    private var nextOrder: Int64 = 0

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

    init(_ session: PostgresSession) throws {
        self.session = session
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

    /// Reads what `batch` needs from the database (after the COPY of the batch before it).
    func prepare(_ batch: [Parsed]) throws {
        try writer.finish()
        stored.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        history.removeAll(keepingCapacity: true)
        var identities: [String] = [], batchKeys: [String] = [], pairs: Set<Pair> = []
        for (interaction, _) in batch {
            identities.append("{\"u\":\(interaction.userID),\"c\":\(interaction.courseID),\"k\":\"\(interaction.kind.rawValue)\",\"t\":\(interaction.occurredAt)}")
            if let key = interaction.idempotencyKey, !key.isEmpty { batchKeys.append(Self.jsonString(key)) }
            if interaction.kind == .refund || interaction.kind == .dismiss {
                pairs.insert(Pair(user: interaction.userID, course: interaction.courseID))
            }
        }
        for pair in pairs { history[pair] = [] }
        let json = "{\"i\":[" + identities.joined(separator: ",") + "],\"k\":[" + batchKeys.joined(separator: ",") + "],\"h\":["
            + pairs.map { "{\"u\":\($0.user),\"c\":\($0.course)}" }.joined(separator: ",") + "]}"
        var last: Int64 = 0
        for row in try session.query(Self.batchQuery, [json]) {
            let row = Row(postgres: row)
            let part = row.text(0)
            guard part != "k" else { keys.insert(row.text(7)); continue }
            let pair = Pair(user: row.int64(1), course: row.int64(2))
            guard let kind = Interaction.Kind(rawValue: row.text(3)) else { continue }
            let event = Event(kind: kind, time: row.int64(4), value: row.optionalInt64(5), order: row.int64(6), key: row.optionalText(7))
            last = max(last, event.order)
            if part == "i" { stored[Identity(pair: pair, kind: kind, time: event.time), default: []].append(event) }
            else { history[pair, default: []].append(event) }
        }
        for (identity, events) in stored { stored[identity] = events.sorted { $0.order < $1.order } }
        nextOrder = max(nextOrder, last + 1)
        buffer.removeAll(keepingCapacity: true)
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

    /// Sends the batch's accepted rows (the COPY runs while the next batch is parsed).
    func flush() throws {
        try writer.send(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Waits for the last COPY.
    func finish() throws {
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
        stored[Identity(pair: pair, kind: interaction.kind, time: interaction.occurredAt), default: []].append(event)
        if history[pair] != nil || interaction.kind == .refund || interaction.kind == .dismiss {
            history[pair, default: []].append(event)
        }
        if let key = interaction.idempotencyKey { keys.insert(key) }
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
