import Foundation
import LecternCore

/// The size of a generated platform: how many creators, courses, learners and interactions, over how long.
public struct PlatformShape: Sendable, Equatable {
    /// The number of creators who publish courses.
    public var creators: Int
    /// The number of courses in the catalog, drafts and archived ones included.
    public var courses: Int
    /// The number of learners who signed up.
    public var users: Int
    /// The number of interactions aimed at; the summary of a run reports the number written.
    public var interactions: Int
    /// The length of the activity window in calendar months.
    public var months: Int
    /// Unix seconds of the first moment of the activity window.
    public var startEpoch: Int64
    /// The chance that a learner dismisses ("not for me") a course they looked at outside their
    /// interests and did not take; 0, the default, for a platform without a dismiss button.
    public var dismissals: Double

    /// Creates a shape; the defaults describe the committed demo platform.
    public init(
        creators: Int = 25,
        courses: Int = 220,
        users: Int = 2400,
        interactions: Int = 120_000,
        months: Int = 14,
        startEpoch: Int64 = 1_735_689_600,
        dismissals: Double = 0
    ) {
        self.creators = creators
        self.courses = courses
        self.users = users
        self.interactions = interactions
        self.months = months
        self.startEpoch = startEpoch
        self.dismissals = dismissals
    }

    /// The committed demo platform: 25 creators, 220 courses, 2,400 learners, about 120,000 interactions over 14 months of 2025-26.
    public static let seedData = PlatformShape()

    /// The largest number of courses a shape may ask for.
    static let maximumCourses = 1_000_000
    /// The largest number of learners a shape may ask for.
    static let maximumUsers = 50_000_000
    /// The largest average number of interactions per learner.
    static let maximumInteractionsPerUser = 10_000
    /// The latest allowed start: 2100-01-01T00:00:00Z, so every time keeps a four-digit year.
    static let latestStart: Int64 = 4_102_444_800

    /// Checks that the shape describes a platform the generator can make.
    ///
    /// - Throws: `GeneratorError` naming the first value out of range, what it must be, and what it was.
    public func validate() throws {
        func reject(_ message: String) -> GeneratorError { GeneratorError(message) }
        if creators < 1 { throw reject("creators must be at least 1 (got \(creators))") }
        if courses < 10 { throw reject("courses must be at least 10 (got \(courses))") }
        if courses > Self.maximumCourses {
            throw reject("courses must be at most \(Self.maximumCourses) (got \(courses))")
        }
        if creators > courses {
            throw reject("creators (\(creators)) must not outnumber courses (\(courses)): every creator publishes at least one course")
        }
        if users < 1 { throw reject("users must be at least 1 (got \(users))") }
        if users > Self.maximumUsers { throw reject("users must be at most \(Self.maximumUsers) (got \(users))") }
        if interactions < 1 { throw reject("interactions must be at least 1 (got \(interactions))") }
        if interactions / users > Self.maximumInteractionsPerUser {
            throw reject("interactions must average at most \(Self.maximumInteractionsPerUser) per user (got \(interactions) for \(users) users)")
        }
        if !(0...1).contains(dismissals) { throw reject("dismissals must be a chance between 0 and 1 (got \(dismissals))") }
        if months < 1 { throw reject("months must be at least 1 (got \(months))") }
        if months > 120 { throw reject("months must be at most 120 (got \(months))") }
        if startEpoch < 0 || startEpoch > Self.latestStart {
            throw reject("startEpoch must lie between 1970-01-01 and 2100-01-01 (got \(startEpoch))")
        }
    }

    /// The first second after the activity window: `startEpoch` plus `months` calendar months.
    var endEpoch: Int64 {
        UTCCalendar.adding(months: months, to: startEpoch)
    }
}
