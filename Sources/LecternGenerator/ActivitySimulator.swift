import Foundation
import LecternCore

/// Simulates what one learner does on the platform, session by session, and yields the learner's interactions
/// in time order.
///
/// A learner mostly browses their interest domains (85% of picks), drifts into related domains, follows
/// learning paths from courses they own to the courses that require them, and buys a small share of what they
/// look at. Purchases bring later events with them (enrolment, completion, rating, refund), recorded at their
/// future times; the learner's events are sorted at the end and cut to the learner's budget, which keeps every
/// cause before its effect. Each worker reuses one simulator for all its learners, so memory stays O(courses)
/// plus one learner's interactions.
///
/// Inside the simulation, times are seconds since the start of the window (`catalog.epoch`); recorded
/// interactions carry Unix seconds.
struct ActivitySimulator {
    private let catalog: Catalog
    /// The first window second after the window.
    private let windowEnd: Int64
    /// Where the current learner stands with each course, by simulation index.
    private var progress: [CourseProgress]
    /// The courses whose progress the current learner changed, to reset them cheaply.
    private var touched: [Int32] = []
    /// The courses the current learner bought or enrolled in, in that order.
    private var owned: [Int32] = []
    /// How many courses of each domain the current learner owns.
    private var ownedPerDomain: [Int32]
    /// The number of interactions recorded for the current learner.
    private var sequence: Int32 = 0
    /// The interactions of the last simulated learner, in time order.
    private(set) var interactions: [Interaction] = []

    /// The chance of dismissing a course looked at outside the learner's interests and not taken.
    private let dismissals: Double

    /// Creates a simulator for a catalog and the first Unix second after the activity window.
    init(catalog: Catalog, windowEnd: Int64, dismissals: Double = 0) {
        self.catalog = catalog
        self.dismissals = dismissals
        self.windowEnd = windowEnd - catalog.epoch
        progress = [CourseProgress](repeating: CourseProgress(), count: catalog.courses.count)
        ownedPerDomain = [Int32](repeating: 0, count: catalog.domains.count)
    }

    /// Simulates one learner until `budget` interactions are recorded, leaving them in `interactions`.
    ///
    /// - Complexity: O(*b* log *b*) in the budget.
    mutating func simulate(_ learner: LearnerProfile, budget: Int, random: inout RandomSource) {
        reset()
        guard budget > 0 else { return }
        interactions.reserveCapacity(budget + 16)
        let last = windowEnd - 1
        var now = min(learner.createdAt - catalog.epoch + 60 + Int64(random.below(4 * 3600)), last)
        let staying = 0.2 + 0.8 * random.unit().squareRoot()
        let activeUntil = now + Int64(Double(last - now) * staying)
        var session = 0
        while interactions.count < budget {
            if last - now < 1800 {
                fillWithViews(learner, from: now, count: budget - interactions.count, random: &random)
                break
            }
            let channel = session == 0 ? InteractionChannel(learner.channel) : Self.sessionChannel(&random)
            let sessionEnd = runSession(learner, at: now, channel: channel, random: &random)
            session += 1
            let remaining = budget - interactions.count
            if remaining <= 0 { break }
            let horizon = activeUntil - sessionEnd < 6 * 3600 ? last : activeUntil
            let sessionsLeft = Double(remaining) / 2.5 + 1
            let meanGap = Double(max(0, horizon - sessionEnd)) / sessionsLeft
            now = min(sessionEnd + 60 + Int64(meanGap * random.exponential()), last)
        }
        interactions.sort { ($0.occurredAt, $0.sequence) < ($1.occurredAt, $1.sequence) }
        separateRepeats(signedUp: learner.createdAt, last: catalog.epoch + last)
        if interactions.count > budget { interactions.removeLast(interactions.count - budget) }
    }

    /// The same course, kind and value in the same second is one event to Lectern (its natural
    /// identity): such a repeat moves to the nearest free second, later up to `last` or else earlier
    /// (after sign-up and the course's creation), so that every generated event is imported.
    ///
    /// - Complexity: O(*n* log *n*) in the learner's events; nothing moves in most learners.
    private mutating func separateRepeats(signedUp: Int64, last: Int64) {
        struct Identity: Hashable {
            let time: Int64, course: Int32, value: Int32, kind: InteractionKind
        }
        var seen = Set<Identity>(minimumCapacity: interactions.count)
        func identity(_ event: Interaction, at time: Int64) -> Identity {
            Identity(time: time, course: event.course, value: event.value, kind: event.kind)
        }
        var moved = false
        for i in interactions.indices {
            let event = interactions[i]
            guard !seen.insert(identity(event, at: event.occurredAt)).inserted else { continue }
            let earliest = max(signedUp + 1, catalog.courses[Int(event.course)].createdAt)
            var time = event.occurredAt + 1
            while time <= last && seen.contains(identity(event, at: time)) { time += 1 }
            if time > last {
                time = event.occurredAt - 1
                while time >= earliest && seen.contains(identity(event, at: time)) { time -= 1 }
                if time < earliest { continue }  // no free second: left as it is (an import counts it once)
            }
            seen.insert(identity(event, at: time))
            interactions[i] = Interaction(occurredAt: time, sequence: event.sequence, course: event.course,
                                          value: event.value, kind: event.kind, channel: event.channel)
            moved = true
        }
        if moved { interactions.sort { ($0.occurredAt, $0.sequence) < ($1.occurredAt, $1.sequence) } }
    }

    /// Forgets the previous learner.
    ///
    /// - Complexity: O(*t*) in the number of courses the previous learner touched.
    private mutating func reset() {
        for course in touched { progress[Int(course)] = CourseProgress() }
        touched.removeAll(keepingCapacity: true)
        owned.removeAll(keepingCapacity: true)
        for domain in ownedPerDomain.indices { ownedPerDomain[domain] = 0 }
        interactions.removeAll(keepingCapacity: true)
        sequence = 0
    }

    /// The channel of a return visit: mostly the web or the app, sometimes an email.
    private static func sessionChannel(_ random: inout RandomSource) -> InteractionChannel {
        let draw = random.unit()
        if draw < 0.48 { return .web }
        if draw < 0.84 { return .app }
        if draw < 0.93 { return .email }
        return .none
    }

    /// The channel of an event that follows a purchase: completing or rating a course.
    private static func followUpChannel(_ random: inout RandomSource) -> InteractionChannel {
        let draw = random.unit()
        return draw < 0.5 ? .app : (draw < 0.95 ? .web : .none)
    }

    /// Records an interaction if it falls inside the window while the course is visible.
    ///
    /// - Returns: Whether it was recorded.
    @discardableResult
    private mutating func record(
        _ kind: InteractionKind, course: Int32, at time: Int64, channel: InteractionChannel, value: Int32 = 0
    ) -> Bool {
        guard time < windowEnd, catalog.traits[Int(course)].isVisible(at: time) else { return false }
        if progress[Int(course)].viewCount == 0 && kind == .view { touched.append(course) }
        interactions.append(Interaction(
            occurredAt: catalog.epoch + time, sequence: sequence, course: course, value: value, kind: kind, channel: channel
        ))
        sequence &+= 1
        return true
    }

    /// Simulates one visit: a few courses looked at, and what follows from each.
    ///
    /// - Returns: The time the visit ended.
    private mutating func runSession(
        _ learner: LearnerProfile, at start: Int64, channel: InteractionChannel, random: inout RandomSource
    ) -> Int64 {
        var now = start
        var picks = 1
        while picks < 8 && random.chance(0.55) { picks += 1 }
        for _ in 0..<picks {
            guard let course = pickCourse(learner, at: now, random: &random),
                  record(.view, course: course, at: now, channel: channel)
            else { continue }
            progress[Int(course)].viewCount &+= 1
            now += 15 + Int64(random.below(420))
            considerNextStep(learner, course: course, now: &now, channel: channel, random: &random)
            if dismissals > 0 { considerDismissing(learner, course: course, now: &now, channel: channel, random: &random) }
        }
        return now
    }

    /// A course looked at outside the learner's interests and not taken may be dismissed: "not for
    /// me", with the reason the course gives (too advanced for a newcomer to its domain, too basic
    /// for one who owns courses there, too expensive, or not relevant). The learner then does not
    /// pick it again. Draws nothing on a platform without dismissals, so its events stay the same.
    private mutating func considerDismissing(
        _ learner: LearnerProfile, course: Int32, now: inout Int64, channel: InteractionChannel, random: inout RandomSource
    ) {
        let index = Int(course)
        let state = progress[index]
        let traits = catalog.traits[index]
        guard !state.isOwnedEver, !state.isWishlisted, !state.isDismissed, !learner.domains.contains(Int(traits.domain)),
              random.chance(dismissals) else { return }
        let owns = ownedPerDomain[Int(traits.domain)] > 0
        let reason: DismissReason
        switch random.unit() {
        case ..<0.25 where traits.difficulty == .advanced && !owns: reason = .tooAdvanced
        case ..<0.25 where traits.difficulty == .beginner && owns: reason = .tooBasic
        case ..<0.35 where traits.priceMinor > 15_000: reason = .tooExpensive
        case ..<0.80: reason = .notRelevant
        case ..<0.90: reason = .alreadyKnow
        default: reason = .other
        }
        if record(.dismiss, course: course, at: now + 5, channel: channel,
                  value: Int32(DismissReason.allCases.firstIndex(of: reason)!)) {
            progress[index].isDismissed = true
            now += 5
        }
    }

    /// Chooses the next course to look at: one being studied, the next step of a path, or one from the
    /// learner's domains (or a related domain, or anywhere), by popularity.
    private mutating func pickCourse(
        _ learner: LearnerProfile, at now: Int64, random: inout RandomSource
    ) -> Int32? {
        let draw = random.unit()
        if draw < 0.40 && !owned.isEmpty {
            let base = owned[random.below(owned.count)]
            if draw < 0.22 {
                let state = progress[Int(base)]
                if state.refundedAt == .max && Int64(state.completedAt) > now
                    && catalog.traits[Int(base)].isVisible(at: now) {
                    return base
                }
            } else {
                if catalog.dependents.count(of: Int(base)) > 0 {
                    let next = catalog.dependents.randomElement(of: Int(base), &random)
                    if !progress[Int(next)].isOwnedEver && catalog.traits[Int(next)].isVisible(at: now)
                        && speaks(learner, catalog.traits[Int(next)].language, random: &random) {
                        return next
                    }
                }
            }
        }
        let domain = chooseDomain(learner, random: &random)
        let list = domain ?? catalog.wholeCatalog
        if catalog.courseChoice.canDraw(from: list) {
            for _ in 0..<4 {
                let course = catalog.courseChoice.draw(from: list, &random)
                let traits = catalog.traits[Int(course)]
                guard traits.isVisible(at: now), !progress[Int(course)].isDismissed,
                      speaks(learner, traits.language, random: &random) else { continue }
                if traits.difficulty != .beginner && ownedPerDomain[Int(traits.domain)] == 0 {
                    let acceptance = traits.difficulty == .advanced ? 0.35 : 0.7
                    if !random.chance(acceptance) { continue }
                }
                return course
            }
        }
        let anchor = catalog.anchors[domain ?? learner.domains[0]]
        return anchor >= 0 && catalog.traits[Int(anchor)].isVisible(at: now) ? anchor : nil
    }

    /// Chooses where to browse: an interest domain (85%), a domain related to one (12%), or the whole catalog.
    ///
    /// - Returns: A domain index, or nil for the whole catalog.
    private func chooseDomain(_ learner: LearnerProfile, random: inout RandomSource) -> Int? {
        let draw = random.unit()
        let weights = LearnerProfile.interestWeights[learner.domains.count - 1]
        var interest = learner.domains[0]
        var target = random.unit()
        for (position, weight) in weights.enumerated() {
            target -= weight
            if target < 0 {
                interest = learner.domains[position]
                break
            }
        }
        if draw < 0.85 { return interest }
        if draw < 0.97 {
            let related = catalog.relatedDomains
            return related.count(of: interest) == 0 ? interest : Int(related.randomElement(of: interest, &random))
        }
        return nil
    }

    /// Whether the learner takes a course in `language`: their own always, English mostly, others rarely.
    @inline(__always)
    private func speaks(_ learner: LearnerProfile, _ language: CourseLanguage, random: inout RandomSource) -> Bool {
        if language == learner.language { return true }
        return random.chance(language == .english ? 0.75 : 0.08)
    }

    /// Decides what a learner does after looking at a course: buy or enrol (with what follows), wishlist it,
    /// rate a finished course, or nothing.
    private mutating func considerNextStep(
        _ learner: LearnerProfile, course: Int32, now: inout Int64, channel: InteractionChannel,
        random: inout RandomSource
    ) {
        let index = Int(course)
        let state = progress[index]
        let traits = catalog.traits[index]
        if state.isOwnedEver {
            if state.isOwned(at: now) && !state.isRated && Int64(state.completedAt) < now && state.refundedAt == .max
                && random.chance(0.15) {
                if record(.rate, course: course, at: now + 30, channel: channel, value: rating(traits, completed: true, random: &random)) {
                    progress[index].isRated = true
                    now += 30
                }
            }
            return
        }
        var propensity = learner.domains.contains(Int(traits.domain)) ? 0.085 : 0.035
        propensity *= traits.appeal
        if state.viewCount > 1 { propensity *= 1.5 }
        if state.isWishlisted { propensity *= 2 }
        if traits.hasPrerequisites {
            let ready = catalog.prerequisites.allSatisfy(in: index) { progress[Int($0)].isOwned(at: now) }
            propensity *= ready ? 1.6 : 0.3
        }
        if traits.priceMinor == 0 {
            if random.chance(min(0.7, propensity * 3.5)) {
                take(course, learner: learner, at: now, paid: nil, channel: channel, random: &random)
                now += 30 + Int64(random.below(300))
            }
        } else if random.chance(propensity) {
            var amount = traits.priceMinor
            if random.chance(0.22) {
                let percent = Int32(50 + random.below(36))
                let discounted = amount * percent / 100 / 100 * 100 - 1
                if discounted > 0 { amount = discounted }
            }
            take(course, learner: learner, at: now, paid: amount, channel: channel, random: &random)
            now += 30 + Int64(random.below(300))
        } else if !state.isWishlisted && random.chance(0.07) {
            if record(.wishlist, course: course, at: now, channel: channel) {
                progress[index].isWishlisted = true
                now += 5 + Int64(random.below(60))
            }
        }
    }

    /// Records a purchase (when `paid` is an amount) or a free enrolment, and the events that follow it.
    private mutating func take(
        _ course: Int32, learner: LearnerProfile, at time: Int64, paid: Int32?, channel: InteractionChannel,
        random: inout RandomSource
    ) {
        let index = Int(course)
        let traits = catalog.traits[index]
        let kind: InteractionKind = paid == nil ? .enroll : .purchase
        guard record(kind, course: course, at: time, channel: channel, value: paid ?? 0) else { return }
        progress[index].ownedAt = Int32(time)
        owned.append(course)
        ownedPerDomain[Int(traits.domain)] += 1

        if let paid {
            if random.chance(0.55) {
                record(.enroll, course: course, at: time + 60 + Int64(random.below(7200)), channel: channel)
            }
            if random.chance(0.05) {
                let refundAt = time + 3600 + Int64(random.below(14 * 86_400))
                if random.chance(0.3) {
                    let rateAt = time + (refundAt - time) / 2
                    let unhappy = Int32(1 + random.below(2))
                    if record(.rate, course: course, at: rateAt, channel: .web, value: unhappy) {
                        progress[index].isRated = true
                    }
                }
                let refundChannel: InteractionChannel = random.chance(0.8) ? .web : .none
                if record(.refund, course: course, at: refundAt, channel: refundChannel, value: paid) {
                    progress[index].refundedAt = Int32(refundAt)
                }
                return
            }
        }
        let completion = paid == nil ? 0.3 : 0.37 + 0.15 * Double(traits.quality)
        if random.chance(completion) {
            let hours = Double(traits.hoursTenths) / 10
            let completeAt = time + 7200 + Int64(hours * 86_400 * random.uniform(0.2...1.2))
            if record(.complete, course: course, at: completeAt, channel: Self.followUpChannel(&random)) {
                progress[index].completedAt = Int32(completeAt)
                if random.chance(0.6) {
                    let rateAt = completeAt + 300 + Int64(random.below(3 * 86_400))
                    let value = rating(traits, completed: true, random: &random)
                    if record(.rate, course: course, at: rateAt, channel: Self.followUpChannel(&random), value: value) {
                        progress[index].isRated = true
                    }
                }
                return
            }
        }
        if paid != nil && random.chance(0.08) {
            let rateAt = time + 86_400 + Int64(random.below(20 * 86_400))
            let value = rating(traits, completed: false, random: &random)
            if record(.rate, course: course, at: rateAt, channel: Self.followUpChannel(&random), value: value) {
                progress[index].isRated = true
            }
        }
    }

    /// A rating from 1 to 5: higher for better courses and for learners who finished them.
    private func rating(_ traits: CourseTraits, completed: Bool, random: inout RandomSource) -> Int32 {
        let mean = (completed ? 3.3 : 2.5) + 1.5 * Double(traits.quality)
        let value = (mean + 0.8 * random.normal()).rounded()
        return Int32(min(5, max(1, value)))
    }

    /// Fills the rest of a budget with views spread over the time left, when a learner runs out of time.
    private mutating func fillWithViews(
        _ learner: LearnerProfile, from start: Int64, count: Int, random: inout RandomSource
    ) {
        let last = windowEnd - 1
        let step = max(0, (last - start) / Int64(count + 1))
        for position in 0..<count {
            let time = min(last, start + step * Int64(position + 1))
            var course = pickCourse(learner, at: time, random: &random)
            if course == nil || !record(.view, course: course!, at: time, channel: .web) {
                course = catalog.anchors[learner.domains[0]]
                record(.view, course: course!, at: time, channel: .web)
            }
            progress[Int(course!)].viewCount &+= 1
        }
    }
}
