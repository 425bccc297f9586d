import LecternCore

/// A learner as written to the users file.
struct Learner {
    /// The number in the learner's external ID (`u000123` is 123), one more than the index.
    let number: Int
    /// The name the learner shows.
    let displayName: String
    /// The learner's email address, or nil.
    let email: String?
    /// The learner's country code, or nil.
    let country: String?
    /// Declared interests: domain names or tag names, 1 to 3, distinct, most important first.
    let interests: [String]
    /// How the learner came to the platform.
    let channel: AcquisitionChannel
    /// The marketing campaign that brought the learner, or nil.
    let campaign: String?
    /// When the learner signed up, in Unix seconds.
    let createdAt: Int64

    /// Generates the descriptive fields of the learner whose behaviour `profile` describes.
    init(profile: LearnerProfile, seed: UInt64, catalog: Catalog) {
        var random = RandomSource(seed: seed, stream: .learnerDetails, index: profile.index)
        number = profile.index + 1
        country = profile.country.map { Country.all[$0].code }
        channel = profile.channel
        createdAt = profile.createdAt

        let pool: NamePool
        if let country = profile.country {
            let home = Country.all[country]
            pool = home.language == .chinese && random.chance(0.4) ? .pinyin : home.names
        } else {
            pool = random.element(of: NamePool.everyPool)
        }
        let name = pool.name(random: &random)
        let style = random.unit()
        displayName = style < 0.8 ? name.fullName : (style < 0.93 ? name.shortName : name.given)
        email = random.chance(0.08) ? nil : "\(name.emailName).\(number)@example.com"

        var interests: [String] = []
        for domainIndex in profile.domains {
            let domain = catalog.domains[domainIndex]
            var topic = domain.name
            if random.chance(0.2) { topic = random.element(of: domain.subjects).tag }
            if interests.contains(topic) { topic = domain.name }
            if !interests.contains(topic) { interests.append(topic) }
        }
        self.interests = interests
        campaign = Self.campaign(
            channel: profile.channel, createdAt: profile.createdAt,
            key: catalog.domains[profile.domains[0]].campaignKey, random: &random
        )
    }

    /// A campaign name fitting the channel and the sign-up date, like `tiktok-finance-q2`, or nil.
    private static func campaign(
        channel: AcquisitionChannel, createdAt: Int64, key: String, random: inout RandomSource
    ) -> String? {
        let date = UTCCalendar.civilDate(of: createdAt)
        let quarter = (date.month - 1) / 3 + 1
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        var sale: String?
        switch date.month {
        case 1: sale = "new-year-\(date.year)"
        case 3, 4, 5: sale = "spring-sale-\(date.year)"
        case 11: sale = "black-friday-\(date.year)"
        default: sale = nil
        }
        if let sale, random.chance(0.12) { return sale }
        switch channel {
        case .socialVideo:
            guard random.chance(0.8) else { return nil }
            let platform = ["tiktok", "tiktok", "tiktok", "youtube", "youtube", "reels"][random.below(6)]
            return "\(platform)-\(key)-q\(quarter)"
        case .search:
            let draw = random.unit()
            return draw < 0.45 ? "search-\(key)" : (draw < 0.55 ? "brand-search" : nil)
        case .messaging:
            guard random.chance(0.7) else { return nil }
            return random.chance(0.7) ? "whatsapp-\(key)-q\(quarter)" : "telegram-\(key)"
        case .partner:
            let partners = ["codeclub", "uni-extension", "techhub", "farmers-coop", "makerspace", "hr-benefits"]
            return "partner-" + random.element(of: partners)
        case .referral:
            return random.chance(0.6) ? "refer-a-friend" : nil
        case .email:
            return "newsletter-\(months[date.month - 1])-\(date.year)"
        case .direct:
            guard let sale, random.chance(0.35) else { return nil }
            return sale
        }
    }
}
