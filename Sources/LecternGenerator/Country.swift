/// A country learners sign up from, with what it implies for their names and preferred language.
struct Country: Sendable {
    /// The ISO 3166-1 alpha-2 code.
    let code: String
    /// The relative share of learners from the country.
    let share: Double
    /// The names learners from the country are drawn from.
    let names: NamePool
    /// The course language learners from the country prefer.
    let language: CourseLanguage

    /// The countries learners come from.
    static let all: [Country] = [
        Country(code: "US", share: 22, names: .english, language: .english),
        Country(code: "IN", share: 13, names: .indian, language: .english),
        Country(code: "GB", share: 7, names: .english, language: .english),
        Country(code: "DE", share: 6, names: .german, language: .german),
        Country(code: "CN", share: 6, names: .chinese, language: .chinese),
        Country(code: "BR", share: 5, names: .portuguese, language: .english),
        Country(code: "CA", share: 4, names: .english, language: .english),
        Country(code: "MX", share: 4, names: .spanish, language: .spanish),
        Country(code: "ES", share: 3, names: .spanish, language: .spanish),
        Country(code: "NG", share: 3, names: .westAfrican, language: .english),
        Country(code: "AU", share: 3, names: .english, language: .english),
        Country(code: "FR", share: 3, names: .french, language: .english),
        Country(code: "JP", share: 2, names: .japanese, language: .english),
        Country(code: "PH", share: 2, names: .southeastAsian, language: .english),
        Country(code: "ID", share: 2, names: .southeastAsian, language: .english),
        Country(code: "SE", share: 2, names: .nordic, language: .english),
        Country(code: "PL", share: 2, names: .eastEuropean, language: .english),
        Country(code: "IT", share: 2, names: .italian, language: .english),
        Country(code: "NL", share: 1.5, names: .german, language: .english),
        Country(code: "KE", share: 1.5, names: .westAfrican, language: .english),
        Country(code: "TW", share: 1, names: .chinese, language: .chinese),
        Country(code: "SG", share: 1, names: .pinyin, language: .english),
        Country(code: "AT", share: 1, names: .german, language: .german),
        Country(code: "CH", share: 1, names: .german, language: .german),
        Country(code: "AR", share: 1, names: .spanish, language: .spanish),
        Country(code: "CO", share: 1, names: .spanish, language: .spanish),
        Country(code: "VN", share: 1, names: .southeastAsian, language: .english),
        Country(code: "TR", share: 1, names: .middleEastern, language: .english),
        Country(code: "EG", share: 1, names: .middleEastern, language: .english),
        Country(code: "KR", share: 1, names: .korean, language: .english),
        Country(code: "UA", share: 1, names: .eastEuropean, language: .english),
        Country(code: "DK", share: 0.8, names: .nordic, language: .english),
        Country(code: "NO", share: 0.7, names: .nordic, language: .english),
        Country(code: "ZA", share: 1, names: .english, language: .english),
        Country(code: "PT", share: 0.8, names: .portuguese, language: .english),
    ]

    /// The countries' shares, in `all` order.
    static let shares: [Double] = all.map(\.share)
}
