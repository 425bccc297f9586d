import LecternRecommender
import LecternStore

/// What `bundles` looks for.
public struct BundleOptions: Sendable {
    /// The fewest learners who took every course of a bundle.
    public var minLearners = 10
    /// Keep only bundles whose courses are not all in one domain.
    public var crossDomain = false
    /// Keep only bundles holding this course (its id).
    public var courseID: Int64?
    public var limit = 20
    /// A bundle price this many percent under the sum of the current prices (0-100), and the revenue
    /// it is expected to bring.
    public var discountPercent: Double?
    /// Learners who took more courses than this are left out (see `CoOccurrence`).
    public var maxBasket = 200

    public init() {}
}

/// Two or three courses taken together more than chance.
public struct BundleRow: Sendable {
    /// Its courses, by id.
    public var courses: [MarketingCourse]
    /// The split the measures are for: for a pair its two courses; for a triple, its weakest rule (a pair
    /// and the third course).
    public var first: [MarketingCourse]
    public var second: [MarketingCourse]
    public var association: Association
    /// The lift's lower confidence bound (`Association.liftLowerBound`): bundles are sorted by it.
    public var liftLowerBound: Double
    /// Every two of its courses are in one prerequisite chain (one is a transitive prerequisite of the other).
    public var isPath: Bool
    /// With a discount, the bundle's price: the current prices' sum less the discount, rounded to the
    /// minor unit, in their currency; nil for courses in two currencies (never summed).
    public var bundlePrice: Money.Amount?
    /// With a discount: learners who own the first part only x confidence first -> second x the second
    /// part's discounted price, plus the same the other way; nil when the price is.
    public var expectedRevenue: Money.Amount?
}

/// The answer to `bundles`: the rows and what was counted.
public struct BundleResult: Sendable {
    public var rows: [BundleRow]
    /// Learners counted (who took at least one course and at most `maxBasket`).
    public var learners: Int
    /// Learners left out for taking more than `maxBasket` courses.
    public var oversized: Int
}

/// Cross-over marketing: bundles of courses and partnerships of creators, from what learners took.
public struct MarketingService {
    let db: Database

    public init(_ db: Database) {
        self.db = db
    }

    /// Course pairs and triples taken together more than chance (`CoOccurrence.search` over each learner's
    /// taken courses), published courses only, strongest lower bound first, `limit` of them.
    /// - Complexity: one pass over the enrolments, purchases and refunds, plus `CoOccurrence.search`.
    public func bundles(_ options: BundleOptions) throws -> BundleResult {
        let data = MarketingData(db)
        let courses = try data.courses()
        let index = Dictionary(uniqueKeysWithValues: courses.enumerated().map { ($1.id, Int32($0)) })
        var baskets: [[Int32]] = []
        var learner: Int64?
        try data.forEachTaken { taken in
            guard let item = index[taken.courseID] else { return }
            if taken.userID != learner {
                baskets.append([])
                learner = taken.userID
            }
            baskets[baskets.count - 1].append(item)
        }
        let found = CoOccurrence.search(baskets, itemCount: courses.count,
                                        options: .init(minCount: options.minLearners, maxBasket: options.maxBasket))
        let chains = PrerequisiteChains(try data.prerequisites())
        var rows: [BundleRow] = []
        for set in found.sets where rows.count < options.limit {
            let members = set.items.map { courses[Int($0)] }
            guard members.allSatisfy({ $0.status == "published" }) else { continue }
            if options.crossDomain, Set(members.map(\.domain)).count < 2 { continue }
            if let course = options.courseID, !members.contains(where: { $0.id == course }) { continue }
            var row = BundleRow(courses: members, first: set.first.map { courses[Int($0)] }, second: set.second.map { courses[Int($0)] },
                                association: set.association, liftLowerBound: set.lowerBound,
                                isPath: chains.allInOneChain(members.map(\.id)))
            if let discount = options.discountPercent { Self.price(&row, discount: discount) }
            rows.append(row)
        }
        return BundleResult(rows: rows, learners: found.baskets, oversized: found.oversized)
    }

    /// Sets the bundle price and expected revenue of `row` at `discount` percent off, when its courses share a currency.
    static func price(_ row: inout BundleRow, discount: Double) {
        guard let currency = row.courses.first?.currency, row.courses.allSatisfy({ $0.currency == currency }) else { return }
        func discounted(_ part: [MarketingCourse]) -> Double {
            Double(part.map(\.priceMinor).reduce(0, +)) * (100 - discount) / 100
        }
        let a = row.association
        let revenue = Double(a.first - a.both) * a.confidenceForward * discounted(row.second)
            + Double(a.second - a.both) * a.confidenceBackward * discounted(row.first)
        row.bundlePrice = Money.Amount(currency: currency, minor: Int64(discounted(row.courses).rounded()))
        row.expectedRevenue = Money.Amount(currency: currency, minor: Int64(revenue.rounded()))
    }
}

/// Which courses are transitive prerequisites of which.
struct PrerequisiteChains {
    let requires: [Int64: [Int64]]

    init(_ requires: [Int64: [Int64]]) {
        self.requires = requires
    }

    /// `course` needs `other` first, directly or through others.
    /// - Complexity: O(prerequisites reachable from `course`).
    func requires(_ course: Int64, _ other: Int64) -> Bool {
        var seen: Set<Int64> = [course], stack = [course]
        while let next = stack.popLast() {
            for required in requires[next] ?? [] where seen.insert(required).inserted {
                if required == other { return true }
                stack.append(required)
            }
        }
        return false
    }

    /// Every two of `courses` are in one chain: one requires the other.
    func allInOneChain(_ courses: [Int64]) -> Bool {
        for i in courses.indices {
            for j in courses.indices where i < j {
                if !requires(courses[i], courses[j]) && !requires(courses[j], courses[i]) { return false }
            }
        }
        return true
    }
}
