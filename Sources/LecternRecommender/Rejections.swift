/// What learners said against courses, read from their events: how Lectern hears "not for me".
///
/// The rules (README, "Not for me"):
/// - A `dismiss` holds until the learner later views, wishlists, enrolls in or buys the course
///   (a later event of a kind that `EventKind.liftsDismissal`); an event in the same second does not lift it.
/// - A rating of 1 or 2 counts against the course until a later rating of 3 or more replaces it.
///   A rating of 3 is neutral; 4 or 5 counts for the course (`InteractionWeights.weight(of:rating:)`).
///
/// What follows from a rejected pair:
/// - `InteractionWeights.matrix` leaves it out of the learner x course matrix, whatever else the
///   learner did with the course: no model treats it as a positive, and no "because you ..."
///   reason can cite it (reasons cite the learner's matrix row).
/// - A held dismissal keeps the course out of every list (`LearnerState.dismissed`).
/// - The courses most like a rejected one move down the learner's list (`LessLikeThis`).
public struct Rejections: Sendable {
    public enum Cause: UInt8, Sendable {
        case dismissed, ratedLow
    }

    /// Each learner's rejected courses, by matrix row; empty for most.
    public private(set) var byUser: [[(item: Int32, cause: Cause)]]
    /// How many (learner, course) pairs are rejected.
    public private(set) var count = 0

    /// No rejections, for `users` learners.
    public init(users: Int) {
        byUser = [[(item: Int32, cause: Cause)]](repeating: [], count: max(0, users))
    }

    /// The rejections `events` hold, for learners `0..<users`.
    /// - Complexity: O(events) with one hash lookup per dismiss and rate event, and per event of
    ///   a learner who dismissed or rated something.
    public init(events: [MatrixEvent], users: Int) {
        self.init(users: users)
        struct Pair {
            var dismissedAt = Int64.min
            var liftedAt = Int64.min
            var ratedAt = Int64.min
            var rating: Int8 = 0
        }
        var pairs: [UInt64: Pair] = [:]
        var touched = [Bool](repeating: false, count: max(0, users))
        for event in events where event.kind == .dismiss || event.kind == .rate {
            guard event.user >= 0, Int(event.user) < users else { continue }
            let key = Self.key(event.user, event.item)
            var pair = pairs[key] ?? Pair()
            if event.kind == .dismiss {
                pair.dismissedAt = max(pair.dismissedAt, event.time)
            } else if event.time >= pair.ratedAt {
                (pair.ratedAt, pair.rating) = (event.time, event.rating)
            }
            pairs[key] = pair
            touched[Int(event.user)] = true
        }
        guard !pairs.isEmpty else { return }
        for event in events where event.kind.liftsDismissal && event.user >= 0 && Int(event.user) < users && touched[Int(event.user)] {
            let key = Self.key(event.user, event.item)
            guard var pair = pairs[key], pair.dismissedAt != .min else { continue }
            pair.liftedAt = max(pair.liftedAt, event.time)
            pairs[key] = pair
        }
        for (key, pair) in pairs {
            let cause: Cause
            if pair.dismissedAt != .min && pair.liftedAt <= pair.dismissedAt {
                cause = .dismissed
            } else if pair.ratedAt != .min && pair.rating <= 2 {
                cause = .ratedLow
            } else {
                continue
            }
            byUser[Int(key >> 32)].append((Int32(truncatingIfNeeded: key & 0xFFFF_FFFF), cause))
            count += 1
        }
        for user in byUser.indices where byUser[user].count > 1 { byUser[user].sort { $0.item < $1.item } }
    }

    /// Whether `user` rejects `item`.
    public func contains(user: Int32, item: Int32) -> Bool {
        guard user >= 0, Int(user) < byUser.count else { return false }
        return byUser[Int(user)].contains { $0.item == item }
    }

    /// The courses `user` dismissed and has not come back to.
    public func dismissed(user: Int) -> Set<Int32> {
        Set(byUser[user].lazy.filter { $0.cause == .dismissed }.map(\.item))
    }

    /// Every course `user` rejects, dismissed or rated low.
    public func rejected(user: Int) -> [Int32] {
        byUser[user].map(\.item)
    }

    static func key(_ user: Int32, _ item: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: user)) << 32 | UInt64(UInt32(bitPattern: item))
    }
}

/// "Less like this": how far the courses most like a rejected one move down a learner's list.
///
/// A course whose item-kNN similarity to the nearest course the learner rejected is s (cosine,
/// 0...1) moves down `s x strength x (list length + 1)` places among the model's candidates: with
/// the default strength 1, a near copy of a dismissed course moves past a whole list (out of it,
/// when the models proposed enough others), one 30% alike three places of ten. The similarities come from the rejected courses' cached neighbour lists, so the
/// cost at read time is O(rejected x K) for the learner, never O(courses).
public struct LessLikeThis: Sendable, Equatable {
    /// For each course like a rejected one, its similarity to the nearest (0...1).
    public var similarity: [Int32: Double]
    /// Places moved down per unit of similarity, as a share of the list's length.
    public var strength: Double

    public static let defaultStrength = 1.0

    public init(similarity: [Int32: Double] = [:], strength: Double = Self.defaultStrength) {
        self.similarity = similarity
        self.strength = strength
    }

    /// The similarities of `rejected`'s neighbours in `model`.
    public init(rejected: [Int32], neighbors model: ItemKNNModel?, strength: Double = Self.defaultStrength) {
        self.init(strength: strength)
        guard let model, !rejected.isEmpty else { return }
        for item in rejected where item >= 0 && Int(item) < model.itemCount {
            for (neighbor, score) in model.neighbors(of: Int(item)) {
                let s = min(1, max(0, score))
                if s > similarity[neighbor, default: 0] { similarity[neighbor] = s }
            }
        }
    }

    public var isEmpty: Bool { similarity.isEmpty || strength <= 0 }

    /// `ranked` (best first) with the courses like a rejected one moved down; the others keep their order.
    public func apply(_ ranked: [Candidate], count: Int) -> [Candidate] {
        guard !isEmpty else { return ranked }
        let shift = strength * Double(max(1, count) + 1)
        var keyed: [(key: Double, candidate: Candidate)] = []
        keyed.reserveCapacity(ranked.count)
        var moved = false
        for (position, candidate) in ranked.enumerated() {
            let s = similarity[candidate.item] ?? 0
            if s > 0 { moved = true }
            keyed.append((Double(position) + s * shift, candidate))
        }
        guard moved else { return ranked }
        // Stable: on equal keys the model's order decides.
        return keyed.enumerated().sorted { a, b in
            a.element.key != b.element.key ? a.element.key < b.element.key : a.offset < b.offset
        }.map(\.element.candidate)
    }
}
