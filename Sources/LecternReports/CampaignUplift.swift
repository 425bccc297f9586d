import Foundation
import LecternRecommender
import LecternStore

/// A campaign's effect: the targeted learners' conversion against the held-out learners', each with
/// its 95% interval, their difference (the uplift) with its 95% Wald interval, and the two-sided
/// p-value of a pooled two-proportion z-test, as the A/B report computes them.
public struct CampaignUplift: Sendable {
    public var targeted: (rate: Double, low: Double, high: Double)
    public var heldOut: (rate: Double, low: Double, high: Double)
    /// Targeted rate minus held-out rate; nil without both groups.
    public var difference: Double?
    public var low: Double?
    public var high: Double?
    public var p: Double?

    public init(_ outcome: CampaignOutcome) {
        targeted = ExperimentStatistics.proportion(outcome.targetedConverted, of: outcome.targeted)
        heldOut = ExperimentStatistics.proportion(outcome.heldOutConverted, of: outcome.heldOut)
        guard outcome.targeted > 0, outcome.heldOut > 0 else { return }
        let (a, b) = (targeted.rate, heldOut.rate)
        let half = 1.959_963_985 * (a * (1 - a) / Double(outcome.targeted) + b * (1 - b) / Double(outcome.heldOut)).squareRoot()
        difference = a - b
        low = a - b - half
        high = a - b + half
        p = ExperimentStatistics.twoProportionZTest(successesA: outcome.heldOutConverted, trialsA: outcome.heldOut,
                                                    successesB: outcome.targetedConverted, trialsB: outcome.targeted).p
    }
}
