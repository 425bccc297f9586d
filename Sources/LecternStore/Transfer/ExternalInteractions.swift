/// Interactions from another system, for evaluating Lectern on anyone's data without a catalog:
/// CSV or TSV with a header `user,item[,weight][,timestamp]`.
public struct ExternalInteractions: Sendable {
    /// Learner and item names in order of first appearance; events refer to them by index.
    public var users: [String] = []
    public var items: [String] = []
    /// (learner index, item index, weight, Unix seconds; the row number when the file has no time)
    public var events: [(user: Int32, item: Int32, weight: Float, time: Int64)] = []

    enum Column: Int, TransferColumn {
        case user, item, weight, timestamp
        var name: String { ["user", "item", "weight", "timestamp"][rawValue] }
        static let required: [Column] = [.user, .item]
    }

    /// Reads a file; a bad row is reported by its line.
    /// - Throws: `StoreError` for a missing file, a wrong header, a malformed row or an empty file.
    public static func load(from path: String) throws -> ExternalInteractions {
        guard let format = TransferFormat.inferred(from: path) ?? (path.hasSuffix(".txt") ? .tsv : nil) else {
            throw StoreError.invalid("cannot tell the format of '\(path)': name it .csv or .tsv")
        }
        let source: RecordSource<Column>
        do {
            source = try RecordSource<Column>(path: path, format: format)
        } catch let error as StoreError where error.message.hasPrefix("line 1: unknown column") || error.message.hasPrefix("line 1: missing column") {
            let separator = format == .tsv ? "<TAB>" : ","
            throw StoreError.invalid("'\(path)' needs a header line first: user\(separator)item[\(separator)weight][\(separator)timestamp] "
                                     + "(\(error.message.dropFirst("line 1: ".count)))")
        }
        var result = ExternalInteractions()
        var userIndex: [String: Int32] = [:], itemIndex: [String: Int32] = [:]
        var record = ImportRecord<Column>()
        var row: Int64 = 0
        while try Self.next(source, &record) {
            row += 1
            let user = try record.requiredText(.user), item = try record.requiredText(.item)
            let weight = try record.double(.weight) ?? 1
            guard weight > 0, weight.isFinite else { throw record.fail(.weight, "a weight must be positive, got \(weight)") }
            var time = row
            if let text = record.text(.timestamp) {
                if let seconds = Timestamp.parse(text) {
                    time = seconds
                } else if let seconds = Double(text), seconds >= Double(Timestamp.earliest), seconds <= Double(Timestamp.latest) {
                    time = Int64(seconds)
                } else {
                    throw record.fail(.timestamp, "expected a time or Unix seconds \(Timestamp.rangeDescription), got '\(text)'")
                }
            }
            let u = userIndex[user] ?? {
                let index = Int32(result.users.count)
                result.users.append(user)
                userIndex[user] = index
                return index
            }()
            let i = itemIndex[item] ?? {
                let index = Int32(result.items.count)
                result.items.append(item)
                itemIndex[item] = index
                return index
            }()
            result.events.append((u, i, Float(weight), time))
        }
        guard !result.events.isEmpty else { throw StoreError.invalid("'\(path)' holds no interactions") }
        return result
    }

    /// The next record; a record that cannot be read is an error naming its line (no skipping here).
    private static func next(_ source: RecordSource<Column>, _ record: inout ImportRecord<Column>) throws -> Bool {
        do { return try source.next(into: &record) } catch let bad as BadRecord { throw bad.error }
    }

    /// Reads a train file and a test file made elsewhere, with one shared numbering of learners and items.
    public static func load(train: String, test: String) throws -> (train: ExternalInteractions, test: ExternalInteractions, users: [String], items: [String]) {
        var trainData = try load(from: train)
        var testData = try load(from: test)
        var users = trainData.users, items = trainData.items
        var userIndex = Dictionary(uniqueKeysWithValues: users.enumerated().map { ($1, Int32($0)) })
        var itemIndex = Dictionary(uniqueKeysWithValues: items.enumerated().map { ($1, Int32($0)) })
        testData.events = testData.events.map { event in
            let user = testData.users[Int(event.user)], item = testData.items[Int(event.item)]
            if userIndex[user] == nil { userIndex[user] = Int32(users.count); users.append(user) }
            if itemIndex[item] == nil { itemIndex[item] = Int32(items.count); items.append(item) }
            return (userIndex[user]!, itemIndex[item]!, event.weight, event.time)
        }
        testData.users = users
        testData.items = items
        trainData.users = users
        trainData.items = items
        return (trainData, testData, users, items)
    }
}
