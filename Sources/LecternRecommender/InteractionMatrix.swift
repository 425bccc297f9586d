#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kinds of event a learner's weight for a course is built from.
public enum EventKind: UInt8, Sendable, CaseIterable {
    case view, wishlist, enroll, purchase, complete, rate, refund, dismiss

    /// Whether a later event of this kind takes back a dismissal of the course (see `Rejections`).
    public var liftsDismissal: Bool { self == .view || self == .wishlist || self == .enroll || self == .purchase }
}

/// One event, with learner and course already mapped to matrix rows and columns.
public struct MatrixEvent: Sendable, Equatable {
    public var user: Int32
    public var item: Int32
    public var kind: EventKind
    /// The rating of a `rate` (1-5); ignored otherwise.
    public var rating: Int8
    /// Unix seconds.
    public var time: Int64
    /// A weight given by the data itself (an external file), used instead of the kind's weight.
    public var weight: Float?

    public init(user: Int32, item: Int32, kind: EventKind, rating: Int8 = 0, time: Int64, weight: Float? = nil) {
        self.user = user
        self.item = item
        self.kind = kind
        self.rating = rating
        self.time = time
        self.weight = weight
    }
}

/// How much each kind of event says about a learner's interest in a course.
///
/// A learner's weight for a course is the sum of their events' weights, each multiplied by
/// 0.5^(age / half-life) when a half-life is set. A rating r adds `rate * (r - 3) / 2`, so 5 stars
/// add `rate` and 1 star takes it away; a refund takes back `purchase`; a dismissal adds nothing.
/// Sums at or below zero leave the pair out of the matrix, and so does a pair the learner rejects
/// (a dismissal they have not come back from, or a latest rating of 1 or 2: see `Rejections`),
/// whatever else they did with the course.
public struct InteractionWeights: Sendable, Equatable {
    public var view: Double = 1
    public var wishlist: Double = 2
    public var enroll: Double = 3
    public var purchase: Double = 5
    public var complete: Double = 5
    public var rate: Double = 4
    /// Half-life of an event's weight in days; nil for no decay.
    public var halfLifeDays: Double?

    public init(view: Double = 1, wishlist: Double = 2, enroll: Double = 3, purchase: Double = 5,
                complete: Double = 5, rate: Double = 4, halfLifeDays: Double? = nil) {
        self.view = view
        self.wishlist = wishlist
        self.enroll = enroll
        self.purchase = purchase
        self.complete = complete
        self.rate = rate
        self.halfLifeDays = halfLifeDays
    }

    public func validate() throws {
        for (name, value) in [("view", view), ("wishlist", wishlist), ("enroll", enroll), ("purchase", purchase),
                              ("complete", complete), ("rate", rate)] {
            guard value >= 0, value.isFinite else { throw RecommenderError("the \(name) weight cannot be negative, got \(value)") }
        }
        if let halfLifeDays, !(halfLifeDays > 0 && halfLifeDays.isFinite) {
            throw RecommenderError("the half-life must be a positive number of days, got \(halfLifeDays)")
        }
    }

    /// The weight one event adds, before decay.
    @inlinable
    public func weight(of kind: EventKind, rating: Int8) -> Double {
        switch kind {
        case .view: view
        case .wishlist: wishlist
        case .enroll: enroll
        case .purchase: purchase
        case .complete: complete
        case .rate: rate * (Double(min(max(rating, 1), 5)) - 3) / 2
        case .refund: -purchase
        case .dismiss: 0
        }
    }

    /// Builds the learner x course matrix of weights.
    ///
    /// - Parameters:
    ///   - now: the time decay is measured from (Unix seconds).
    /// - Complexity: O(events + users + items).
    public func matrix(users: Int, items: Int, events: [MatrixEvent], now: Int64,
                       rejections: Rejections? = nil) throws -> SparseMatrix {
        try validate()
        let rejections = rejections ?? Rejections(events: events, users: users)
        let rejecting = rejections.count == 0 ? [] : rejections.byUser.map { !$0.isEmpty }
        let decayPerSecond = halfLifeDays.map { log(2.0) / ($0 * 86_400) }
        var entries: [(row: Int32, column: Int32, value: Float)] = []
        entries.reserveCapacity(events.count)
        for event in events {
            guard event.user >= 0, Int(event.user) < users, event.item >= 0, Int(event.item) < items else {
                throw RecommenderError("an event names learner \(event.user) or course \(event.item) outside the matrix")
            }
            if !rejecting.isEmpty, rejecting[Int(event.user)], rejections.contains(user: event.user, item: event.item) { continue }
            var value = event.weight.map(Double.init) ?? weight(of: event.kind, rating: event.rating)
            if let decayPerSecond {
                value *= exp(-decayPerSecond * Double(max(0, now - event.time)))
            }
            if value != 0 { entries.append((event.user, event.item, Float(value))) }
        }
        let summed = SparseMatrix(rowCount: users, columnCount: items, entries: entries)
        // Keep only positive interest.
        var starts = [Int](repeating: 0, count: users + 1)
        var columns: [Int32] = []
        var values: [Float] = []
        columns.reserveCapacity(summed.nonZeroCount)
        values.reserveCapacity(summed.nonZeroCount)
        for r in 0..<users {
            for k in summed.rowStarts[r]..<summed.rowStarts[r + 1] where summed.values[k] > 1e-6 {
                columns.append(summed.columnIndices[k])
                values.append(summed.values[k])
            }
            starts[r + 1] = columns.count
        }
        return SparseMatrix(rowCount: users, columnCount: items, rowStarts: starts, columnIndices: columns, values: values)
    }
}
