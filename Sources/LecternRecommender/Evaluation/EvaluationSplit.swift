/// A learner and a course they showed interest in after the split: what a list ought to find.
public struct HeldOutPair: Sendable, Hashable, Comparable {
    public var user: Int32
    public var item: Int32

    public init(user: Int32, item: Int32) {
        self.user = user
        self.item = item
    }

    public static func < (lhs: HeldOutPair, rhs: HeldOutPair) -> Bool {
        (lhs.user, lhs.item) < (rhs.user, rhs.item)
    }
}

/// Which held-out events make a course relevant to a learner. Relevance is binary.
///
/// A course is relevant when the learner's held-out events on it include a purchase, an
/// enrolment, a completion, a wishlisting, a rating of at least `minimumRating`, or (only if
/// `viewsCount`) a view. A refund or a low rating does not make a course relevant, and does not
/// cancel another held-out event that does.
///
/// Views count by default: they are most of what learners do, the training matrix already reads
/// them as (weak) interest, so the test side asks the models to predict what they were trained
/// to predict; and catalogs with few sales would otherwise leave too few test pairs to measure.
/// Turn `viewsCount` off to ask "did the list find what they went on to buy or take?".
public struct Relevance: Sendable, Equatable {
    /// Whether a view alone makes a course relevant (default true).
    public var viewsCount: Bool
    /// The lowest rating (1-5) that counts as interest (default 4).
    public var minimumRating: Int8

    public init(viewsCount: Bool = true, minimumRating: Int8 = 4) {
        self.viewsCount = viewsCount
        self.minimumRating = minimumRating
    }

    /// Whether this one event shows interest.
    public func isPositive(_ event: MatrixEvent) -> Bool {
        switch event.kind {
        case .purchase, .enroll, .complete, .wishlist: true
        case .rate: event.rating >= minimumRating
        case .view: viewsCount
        case .refund, .dismiss: false
        }
    }

    /// The distinct (learner, course) pairs with at least one positive event, sorted by learner
    /// then course.
    /// - Complexity: O(events + pairs log pairs).
    public func relevantPairs(in events: [MatrixEvent]) -> [HeldOutPair] {
        var pairs = Set<HeldOutPair>()
        for event in events where isPositive(event) { pairs.insert(HeldOutPair(user: event.user, item: event.item)) }
        return pairs.sorted()
    }
}

/// Events divided into a training part and a held-out part, with the pairs the held-out part
/// makes relevant.
///
/// Every input event lands in exactly one of `train` and `heldOut` (each keeps the input order),
/// so no held-out event is ever trained on. `test` is derived from `heldOut` alone; the
/// `Evaluator` then applies the protocol (it drops pairs whose learner or course training never
/// saw, and pairs the learner already touched in training).
///
/// The strategies that make splits are in `EvaluationSplit+Strategies.swift`.
public struct EvaluationSplit: Sendable, Equatable {
    /// What models may learn from.
    public var train: [MatrixEvent]
    /// What they may not: the events behind `test`.
    public var heldOut: [MatrixEvent]
    /// The relevant (learner, course) pairs of `heldOut`, distinct, sorted by learner then course.
    public var test: [HeldOutPair]

    public init(train: [MatrixEvent], heldOut: [MatrixEvent], test: [HeldOutPair]) {
        self.train = train
        self.heldOut = heldOut
        self.test = test
    }

    /// The split that holds out `events[i]` where `isHeldOut[i]`.
    init(_ events: [MatrixEvent], isHeldOut: [Bool], relevance: Relevance) {
        precondition(events.count == isHeldOut.count)
        var train: [MatrixEvent] = []
        var heldOut: [MatrixEvent] = []
        for (event, out) in zip(events, isHeldOut) {
            if out { heldOut.append(event) } else { train.append(event) }
        }
        self.init(train: train, heldOut: heldOut, test: relevance.relevantPairs(in: heldOut))
    }
}
