/// What `lectern db copy` compares between the source and the copy before it commits: per table the
/// row count and a sum per column, and the net revenue per currency to the cent.
///
/// Each is one SQL aggregate that both engines compute alike on equal rows: an INTEGER column's sum
/// of values modulo 1000000007 (exact on both, and far from overflowing 64 bits), a TEXT or BLOB
/// column's sum of lengths (characters of text, bytes of a blob, on both), a REAL column's count of
/// non-NULL values (a sum of doubles depends on the order it is added in).
struct CopyFingerprint {
    /// Per table, in copy order: the measures' names and values.
    var tables: [(table: String, measures: [(name: String, value: Int64?)])]
    /// Purchases less refunds (through the course's currency) plus seats sold, per currency, in minor units.
    var netRevenue: [String: Int64]

    /// The rows of every table.
    var rowCount: Int { tables.reduce(0) { $0 + Int($1.measures.first?.value ?? 0) } }

    /// Rows per table.
    func rows(of table: String) -> Int {
        Int(tables.first { $0.table == table }?.measures.first?.value ?? 0)
    }

    static let netRevenueSQL = """
        SELECT currency, sum(amount) AS net FROM (
            SELECT c.currency AS currency, CASE i.kind WHEN 'purchase' THEN i.value ELSE -i.value END AS amount
            FROM interactions i JOIN courses c ON c.id = i.course_id
            WHERE i.kind IN ('purchase', 'refund') AND i.value IS NOT NULL
            UNION ALL
            SELECT currency, amount_minor FROM org_seat_purchases
        ) AS money
        GROUP BY currency
        """

    /// The fingerprint of `tables` in `executor`'s database (call it inside a transaction, so that
    /// every aggregate reads one state).
    static func measure(_ tables: [CopyTable], in executor: Executor) throws -> CopyFingerprint {
        var measured: [(table: String, measures: [(name: String, value: Int64?)])] = []
        for table in tables {
            var names = ["rows"]
            var terms = ["count(*)"]
            for column in table.columns {
                switch column.type {
                case "INTEGER":
                    names.append("sum of \(column.name)")
                    terms.append("sum(\(column.name) % 1000000007)")
                case "TEXT", "BLOB":
                    names.append("length of \(column.name)")
                    terms.append("sum(length(\(column.name)))")
                default:
                    names.append("values of \(column.name)")
                    terms.append("count(\(column.name))")
                }
            }
            let values = try executor.first("SELECT \(terms.joined(separator: ", ")) FROM \(table.name)", cached: false) { row in
                (0..<terms.count).map { row.optionalInt64($0) }
            } ?? []
            measured.append((table.name, Array(zip(names, values))))
        }
        let pairs = try executor.all(netRevenueSQL) { ($0.text(0), $0.int64(1)) }
        return CopyFingerprint(tables: measured, netRevenue: Dictionary(pairs, uniquingKeysWith: +))
    }

    /// What differs between `self` (the source) and `copy`, in words, or nil when they agree.
    func difference(from copy: CopyFingerprint) -> String? {
        for (source, copied) in zip(tables, copy.tables) {
            for (measure, copiedMeasure) in zip(source.measures, copied.measures) where measure.value != copiedMeasure.value {
                return "\(source.table): \(measure.name) is \(Self.show(copiedMeasure.value)) in the copy against "
                    + "\(Self.show(measure.value)) in the source"
            }
        }
        for currency in Set(netRevenue.keys).union(copy.netRevenue.keys).sorted() where netRevenue[currency] != copy.netRevenue[currency] {
            return "net revenue in \(currency) is \(Money.format(copy.netRevenue[currency] ?? 0)) in the copy against "
                + "\(Money.format(netRevenue[currency] ?? 0)) in the source"
        }
        return nil
    }

    private static func show(_ value: Int64?) -> String { value.map(String.init) ?? "NULL" }
}
