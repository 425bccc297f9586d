/// Where an interaction happened: the web, the app, an email, or the channel that brought the learner.
///
/// Stored as one byte in an `Interaction`; `none` is written as an empty field.
struct InteractionChannel: Equatable, Sendable {
    /// The code: 0 none, 1 web, 2 app, 3 email, then 4 plus an acquisition channel's raw value.
    let code: UInt8

    /// No channel recorded.
    static let none = InteractionChannel(code: 0)
    /// The website.
    static let web = InteractionChannel(code: 1)
    /// The mobile app.
    static let app = InteractionChannel(code: 2)
    /// A link in an email.
    static let email = InteractionChannel(code: 3)

    /// The channel of a learner's acquisition.
    init(_ channel: AcquisitionChannel) {
        code = 4 + UInt8(channel.rawValue)
    }

    /// Creates a channel from its code.
    private init(code: UInt8) {
        self.code = code
    }

    /// The name written for each code, empty for `none`.
    static let names: [String] = ["", "web", "app", "email"] + AcquisitionChannel.allCases.map(\.name)
}
