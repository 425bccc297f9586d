/// A person's name, with an ASCII spelling for email addresses.
struct PersonName: Sendable {
    /// The given name as written.
    let given: String
    /// The family name as written.
    let family: String
    /// The given name in lowercase ASCII letters, digits and hyphens.
    let asciiGiven: String
    /// The family name in lowercase ASCII letters, digits and hyphens.
    let asciiFamily: String
    /// Whether the family name comes first and the parts join without a space (Chinese characters).
    let isFamilyFirst: Bool

    /// The full name as a person would write it.
    var fullName: String {
        isFamilyFirst ? family + given : given + " " + family
    }

    /// The given name and the initial of the family name, like "Maya L.".
    var shortName: String {
        isFamilyFirst ? fullName : given + " " + String(family.prefix(1)) + "."
    }

    /// The local part of an email address: `given.family`, or whichever part has an ASCII spelling.
    var emailName: String {
        if asciiGiven.isEmpty { return asciiFamily.isEmpty ? "learner" : asciiFamily }
        return asciiFamily.isEmpty ? asciiGiven : asciiGiven + "." + asciiFamily
    }
}
