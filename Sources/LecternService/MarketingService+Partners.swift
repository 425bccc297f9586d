import LecternRecommender
import LecternStore

/// Two creators whose audiences overlap beyond chance.
public struct PartnerRow: Sendable {
    public var first: MarketingCreator
    public var second: MarketingCreator
    /// `both`: shared learners; `first`, `second`: each creator's audience (learners who took any of
    /// their courses); `total`: every learner counted.
    public var association: Association
    public var liftLowerBound: Double
    /// What the first creator earned (their revenue share of the net paid for their courses, rounded to
    /// the minor unit) from shared learners whose first course with the second came before their first
    /// with the first, per currency in currency order.
    public var firstEarnedViaSecond: [Money.Amount]
    /// The same for the second creator from learners who came through the first.
    public var secondEarnedViaFirst: [Money.Amount]
}

/// The answer to `partners`.
public struct PartnerResult: Sendable {
    public var rows: [PartnerRow]
    public var learners: Int
    public var oversized: Int
}

extension MarketingService {
    /// One learner's creators: when they first took a course of each, and what they paid for them.
    struct CreatorTouch {
        var creator: Int32
        var firstAt: Int64
        /// Net paid per currency (by index into the currencies).
        var net: [Int: Int64]
    }

    /// Pairs of creators sharing at least `minShared` learners with a lift whose lower bound is above 1
    /// (`CoOccurrence` over each learner's set of creators), strongest bound first, `limit` of them
    /// (those with `creatorID` only, when given), with what each earned through the other.
    /// - Complexity: one pass over the enrolments, purchases and refunds; O(sum over learners of their
    ///   creators²) for the counts and the earnings.
    public func partners(minShared: Int, creatorID: Int64? = nil, limit: Int = 20, maxBasket: Int = 200) throws -> PartnerResult {
        let data = MarketingData(db)
        let creators = try data.creators()
        let creatorIndex = Dictionary(uniqueKeysWithValues: creators.enumerated().map { ($1.id, Int32($0)) })
        let courses = try data.courses()
        let currencies = Array(Set(courses.map(\.currency))).sorted()
        let currencyIndex = Dictionary(uniqueKeysWithValues: currencies.enumerated().map { ($1, $0) })
        let courseInfo = Dictionary(uniqueKeysWithValues: courses.compactMap { course in
            creatorIndex[course.creatorID].map { (course.id, (creator: $0, currency: currencyIndex[course.currency]!)) }
        })
        var learners: [[CreatorTouch]] = []
        var learner: Int64?
        try data.forEachTaken { taken in
            guard let info = courseInfo[taken.courseID] else { return }
            if taken.userID != learner {
                learners.append([])
                learner = taken.userID
            }
            let last = learners.count - 1
            if let at = learners[last].firstIndex(where: { $0.creator == info.creator }) {
                learners[last][at].firstAt = min(learners[last][at].firstAt, taken.firstAt)
                learners[last][at].net[info.currency, default: 0] += taken.netMinor
            } else {
                learners[last].append(CreatorTouch(creator: info.creator, firstAt: taken.firstAt, net: [info.currency: taken.netMinor]))
            }
        }
        let found = CoOccurrence.search(learners.map { $0.map(\.creator) }, itemCount: creators.count,
                                        options: .init(minCount: minShared, maxBasket: maxBasket, triples: false))
        let sets = found.sets.filter { set in creatorID.map { id in set.items.contains { creators[Int($0)].id == id } } ?? true }
            .prefix(limit)
        let earned = Self.earnedThroughOthers(learners, pairs: Set(sets.map { CoOccurrence.key($0.items[0], $0.items[1]) }),
                                              maxBasket: maxBasket)
        func amounts(_ creator: Int32, via other: Int32) -> [Money.Amount] {
            (earned[CoOccurrence.key(creator, other)] ?? [:]).sorted { $0.key < $1.key }.map {
                Money.Amount(currency: currencies[$0.key], minor: Int64((Double($0.value) * creators[Int(creator)].revenueShare).rounded()))
            }
        }
        let rows = sets.map { set in
            PartnerRow(first: creators[Int(set.items[0])], second: creators[Int(set.items[1])], association: set.association,
                       liftLowerBound: set.lowerBound, firstEarnedViaSecond: amounts(set.items[0], via: set.items[1]),
                       secondEarnedViaFirst: amounts(set.items[1], via: set.items[0]))
        }
        return PartnerResult(rows: rows, learners: found.baskets, oversized: found.oversized)
    }

    /// Net paid to creator x by learners who took a course of creator y before their first of x, keyed
    /// by `CoOccurrence.key(x, y)`, per currency index, for the creator pairs in `pairs` (smaller index first).
    static func earnedThroughOthers(_ learners: [[CreatorTouch]], pairs: Set<UInt64>, maxBasket: Int) -> [UInt64: [Int: Int64]] {
        var earned: [UInt64: [Int: Int64]] = [:]
        for touches in learners where touches.count >= 2 && touches.count <= maxBasket {
            for i in touches.indices {
                for j in touches.indices where touches[i].creator < touches[j].creator
                    && pairs.contains(CoOccurrence.key(touches[i].creator, touches[j].creator)) {
                    let (x, y) = (touches[i], touches[j])
                    if y.firstAt < x.firstAt {
                        for (currency, net) in x.net { earned[CoOccurrence.key(x.creator, y.creator), default: [:]][currency, default: 0] += net }
                    } else if x.firstAt < y.firstAt {
                        for (currency, net) in y.net { earned[CoOccurrence.key(y.creator, x.creator), default: [:]][currency, default: 0] += net }
                    }
                }
            }
        }
        return earned
    }
}
