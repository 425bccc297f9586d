import Foundation
import LecternCore

/// What drives a learner's behaviour: when they joined, what they care about, where they come from.
///
/// Regenerated from the seed and the learner's index whenever needed, so no pass keeps every learner.
struct LearnerProfile {
    /// The learner's position in the users file, from 0.
    let index: Int
    /// When the learner signed up, in Unix seconds.
    let createdAt: Int64
    /// The index of the learner's country in `Country.all`, or nil when unknown.
    let country: Int?
    /// The course language the learner prefers.
    let language: CourseLanguage
    /// How the learner came to the platform.
    let channel: AcquisitionChannel
    /// The indices of the learner's interest domains, 1 to 3, most important first.
    let domains: [Int]

    /// How strongly a learner with 1, 2 or 3 interests prefers each, most important first.
    static let interestWeights: [[Double]] = [[1], [0.68, 0.32], [0.58, 0.28, 0.14]]

    /// Regenerates the profile of the learner at `index`.
    init(index: Int, seed: UInt64, shape: PlatformShape, catalog: Catalog) {
        self.index = index
        createdAt = Self.signupTime(index: index, seed: seed, shape: shape)
        var random = RandomSource(seed: seed, stream: .learnerProfile, index: index)
        if random.chance(0.06) {
            country = nil
            language = .english
        } else {
            let country = random.index(weightedBy: Country.shares)
            self.country = country
            language = Country.all[country].language
        }
        channel = AcquisitionChannel.allCases[random.index(weightedBy: AcquisitionChannel.shares)]

        let wanted = [1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3][random.below(20)]
        var domains = [random.index(weightedBy: catalog.domainShares)]
        var attempts = 0
        while domains.count < min(wanted, catalog.domains.count) && attempts < 12 {
            attempts += 1
            let related = catalog.relatedDomains
            let candidate = related.count(of: domains[0]) > 0 && random.chance(0.6)
                ? Int(related.randomElement(of: domains[0], &random))
                : random.index(weightedBy: catalog.domainShares)
            if !domains.contains(candidate) { domains.append(candidate) }
        }
        self.domains = domains
    }

    /// When the learner at `index` signed up: non-decreasing in the index, denser later as the platform grows.
    static func signupTime(index: Int, seed: UInt64, shape: PlatformShape) -> Int64 {
        var random = RandomSource(seed: seed, stream: .signup, index: index)
        let lastSignup = shape.endEpoch - 2 * UTCCalendar.secondsPerDay
        let span = Double(max(0, lastSignup - shape.startEpoch))
        let position = (Double(index) + random.unit()) / Double(shape.users)
        return shape.startEpoch + Int64(pow(position, 0.8) * span)
    }
}
