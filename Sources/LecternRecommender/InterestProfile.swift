#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thing a learner did with a course, for an interest profile.
public struct LearnerEvent: Sendable, Equatable {
    public var course: Int64
    public var kind: EventKind
    /// Unix seconds.
    public var time: Int64
    /// The rating of a `rate` (1-5); a `rate` without one counts as a neutral 3.
    public var rating: Int8?

    public init(course: Int64, kind: EventKind, time: Int64, rating: Int8? = nil) {
        self.course = course
        self.kind = kind
        self.time = time
        self.rating = rating
    }
}

/// How much of a learner's interest goes to one domain or tag.
public struct Affinity: Sendable, Equatable {
    public var name: String
    public var weight: Double

    public init(name: String, weight: Double) {
        self.name = name
        self.weight = weight
    }
}

/// What a learner cares about, as shares of interest in domains and in tags.
///
/// Each course's weight is the sum of the learner's events on it, each weighted by its kind as
/// `InteractionWeights` weighs it (a view counts less than a wishlist, an enrolment, a purchase or
/// a completion; a rating adds `rate x (r - 3) / 2`; a refund takes back a purchase) and multiplied
/// by 0.5^(age / half-life). A course's total below zero counts as zero, so a refund never makes a
/// domain unwelcome. The course's weight goes to its domain and, whole, to each of its tags. Each
/// declared interest adds `declaredWeight`, undecayed, to the domain of that name, to the tag of
/// that name, or (when it names neither) to a tag. Both lists are then scaled to sum to 1 and
/// sorted by weight, heaviest first, then by name. Names are compared lowercased.
public struct InterestProfile: Sendable, Equatable {
    /// What one declared interest weighs unless told otherwise: as much as a wishlisted course.
    public static let declaredInterestWeight: Double = 2

    public var domains: [Affinity]
    public var tags: [Affinity]

    public init(domains: [Affinity], tags: [Affinity]) {
        self.domains = domains
        self.tags = tags
    }

    /// Builds a learner's profile from their events and declared interests.
    ///
    /// - Parameters:
    ///   - courseDomains: each course's domain; a course missing here adds to no domain.
    ///   - courseTags: each course's tags.
    ///   - declaredInterests: the learner's topics, each a domain or a tag name.
    ///   - now: the time ages are measured from (Unix seconds); later events count as new.
    ///   - halfLifeDays: after this many days an event counts half; nil for no decay.
    ///   - weights: the weight of each kind of event (its `halfLifeDays` is not used).
    /// - Throws: `RecommenderError` for a weight or half-life out of range.
    /// - Complexity: O(events + tags of the courses touched + declared interests, then sorting).
    public init(events: [LearnerEvent], courseDomains: [Int64: String], courseTags: [Int64: [String]],
                declaredInterests: [String], now: Int64, halfLifeDays: Double?,
                weights: InteractionWeights = InteractionWeights(),
                declaredWeight: Double = InterestProfile.declaredInterestWeight) throws {
        try weights.validate()
        if let halfLifeDays, !(halfLifeDays > 0 && halfLifeDays.isFinite) {
            throw RecommenderError("the half-life must be a positive number of days, got \(halfLifeDays)")
        }
        guard declaredWeight >= 0, declaredWeight.isFinite else {
            throw RecommenderError("the weight of a declared interest cannot be negative, got \(declaredWeight)")
        }
        var courseWeights: [Int64: Double] = [:]
        for event in events {
            var weight = weights.weight(of: event.kind, rating: event.rating ?? 3)
            if let halfLifeDays {
                let ageDays = Double(max(0, now - event.time)) / 86_400
                weight *= pow(0.5, ageDays / halfLifeDays)
            }
            courseWeights[event.course, default: 0] += weight
        }
        var domainWeights: [String: Double] = [:]
        var tagWeights: [String: Double] = [:]
        for (course, weight) in courseWeights where weight > 0 {
            if let domain = courseDomains[course] { domainWeights[domain.lowercased(), default: 0] += weight }
            for tag in Set((courseTags[course] ?? []).map { $0.lowercased() }) { tagWeights[tag, default: 0] += weight }
        }
        let knownDomains = Set(courseDomains.values.map { $0.lowercased() })
        let knownTags = Set(courseTags.values.joined().map { $0.lowercased() })
        var declared: Set<String> = []
        for interest in declaredInterests {
            let name = interest.trimmingSpaces.lowercased()
            guard !name.isEmpty, declared.insert(name).inserted, declaredWeight > 0 else { continue }
            let isDomain = knownDomains.contains(name)
            if isDomain { domainWeights[name, default: 0] += declaredWeight }
            if knownTags.contains(name) || !isDomain { tagWeights[name, default: 0] += declaredWeight }
        }
        self.domains = Self.shares(domainWeights)
        self.tags = Self.shares(tagWeights)
    }

    /// The profile's weight for domain `name` (0 when absent).
    public func domainWeight(_ name: String) -> Double {
        domains.first { $0.name == name.lowercased() }?.weight ?? 0
    }

    /// The profile's weight for tag `name` (0 when absent).
    public func tagWeight(_ name: String) -> Double {
        tags.first { $0.name == name.lowercased() }?.weight ?? 0
    }

    /// The domain weights in `domainOrder`, then the tag weights in `tagOrder`, 0 where the profile
    /// has none: one row for `KMeans`, comparable across learners given the same orders.
    /// - Complexity: O(profile + orders).
    public func affinityVector(domainOrder: [String], tagOrder: [String]) -> [Double] {
        let domainWeights = Dictionary(domains.map { ($0.name, $0.weight) }, uniquingKeysWith: +)
        let tagWeights = Dictionary(tags.map { ($0.name, $0.weight) }, uniquingKeysWith: +)
        return domainOrder.map { domainWeights[$0.lowercased()] ?? 0 } + tagOrder.map { tagWeights[$0.lowercased()] ?? 0 }
    }

    /// Dimension orders shared by `profiles`, for `affinityVector(domainOrder:tagOrder:)` and as
    /// `KMeans.clusterNames` labels (domains then tags): every domain any profile has, by name,
    /// and the `tagLimit` tags with the most weight summed over the profiles, heaviest first, then
    /// by name.
    /// - Complexity: O(total profile entries + distinct names x log).
    public static func dimensions(of profiles: [InterestProfile], tagLimit: Int = 50) -> (domains: [String], tags: [String]) {
        var domains: Set<String> = []
        var tagTotals: [String: Double] = [:]
        for profile in profiles {
            for affinity in profile.domains { domains.insert(affinity.name) }
            for affinity in profile.tags { tagTotals[affinity.name, default: 0] += affinity.weight }
        }
        let tags = tagTotals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            .prefix(max(0, tagLimit)).map(\.key)
        return (domains.sorted(), tags)
    }

    /// Positive weights scaled to sum to 1, heaviest first, then by name.
    static func shares(_ weights: [String: Double]) -> [Affinity] {
        let positive = weights.filter { $0.value > 1e-12 }
        let total = positive.values.reduce(0, +)
        guard total > 0 else { return [] }
        return positive.map { Affinity(name: $0.key, weight: $0.value / total) }
            .sorted { $0.weight != $1.weight ? $0.weight > $1.weight : $0.name < $1.name }
    }
}

fileprivate extension String {
    /// Without leading and trailing whitespace (Foundation's `trimmingCharacters` without Foundation).
    var trimmingSpaces: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
