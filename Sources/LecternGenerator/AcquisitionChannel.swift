/// How a learner first came to the platform.
enum AcquisitionChannel: Int, CaseIterable, Sendable {
    case search
    case socialVideo
    case messaging
    case partner
    case referral
    case direct
    case email

    /// The name written to the files.
    var name: String {
        switch self {
        case .search: "search"
        case .socialVideo: "social_video"
        case .messaging: "messaging"
        case .partner: "partner"
        case .referral: "referral"
        case .direct: "direct"
        case .email: "email"
        }
    }

    /// The share of sign-ups that come through each channel, in `allCases` order.
    static let shares: [Double] = [0.24, 0.20, 0.07, 0.08, 0.12, 0.19, 0.10]
}
