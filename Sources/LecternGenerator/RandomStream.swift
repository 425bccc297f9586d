/// The purposes that draw from their own random streams, so one part can be regenerated without the others.
enum RandomStream: UInt64 {
    /// Creators, courses and the catalog's popularity.
    case catalog = 1
    /// A learner's sign-up time.
    case signup = 2
    /// A learner's behaviour: interests, channel, language.
    case learnerProfile = 3
    /// A learner's descriptive fields: name, email, campaign, declared interests.
    case learnerDetails = 4
    /// A learner's activity weight, before the weights are scaled to the target.
    case activityWeight = 5
    /// A learner's interactions.
    case activity = 6
    /// The organisations: their teams, members and seat prices.
    case organisations = 7
}
