import Foundation

/// How many interactions each learner makes: skewed (many light learners, a few heavy ones) and summing exactly
/// to the shape's target.
///
/// Each learner draws a log-normal weight, damped for learners who join late and have less time; the weights
/// are scaled to the target and rounded cumulatively, so the rounded counts add up to it.
struct ActivityBudget {
    /// The number of interactions of each learner, by index.
    let counts: [Int32]

    /// Computes the budgets of every learner of a shape.
    ///
    /// - Complexity: O(*u*) in the number of learners.
    init(seed: UInt64, shape: PlatformShape) {
        let start = shape.startEpoch
        let window = Double(shape.endEpoch - start)
        var weights = [Double](repeating: 0, count: shape.users)
        var total = 0.0
        for index in 0..<shape.users {
            var random = RandomSource(seed: seed, stream: .activityWeight, index: index)
            let createdAt = LearnerProfile.signupTime(index: index, seed: seed, shape: shape)
            let remaining = max(0.02, Double(shape.endEpoch - createdAt) / window)
            let weight = min(exp(1.15 * random.normal()), 40) * pow(remaining, 0.7)
            weights[index] = weight
            total += weight
        }
        let scale = Double(shape.interactions) / total
        var counts = [Int32](repeating: 0, count: shape.users)
        var running = 0.0
        var assigned = 0
        for index in 0..<shape.users {
            running += weights[index] * scale
            let reached = index == shape.users - 1 ? shape.interactions : Int(running.rounded())
            counts[index] = Int32(clamping: max(0, reached - assigned))
            assigned = reached
        }
        self.counts = counts
    }
}
