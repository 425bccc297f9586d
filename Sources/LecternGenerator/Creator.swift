/// Someone who makes and sells courses on the platform.
struct Creator: Sendable {
    /// The unique name, a person's or a studio's.
    let name: String
    /// The creator's share of revenue, in hundredths (65 is 0.65).
    let revenueSharePercent: Int
    /// An email address, or nil.
    let contact: String?
    /// The index, in the catalog's domains, of the domain the creator mostly teaches.
    let domain: Int
}
