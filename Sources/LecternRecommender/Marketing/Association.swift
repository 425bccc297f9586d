#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How two sets of things (courses, creators) are taken together among `total` people: the counts
/// behind support, confidence and lift, and a lower confidence bound on the lift.
public struct Association: Sendable, Equatable {
    /// People who took both parts.
    public var both: Int
    /// People who took the first part (all of it).
    public var first: Int
    /// People who took the second part.
    public var second: Int
    /// Everyone counted (every basket).
    public var total: Int

    public init(both: Int, first: Int, second: Int, total: Int) {
        self.both = both
        self.first = first
        self.second = second
        self.total = total
    }

    /// The z of a two-sided 95% interval: the bound holds the true lift above it 97.5% of the time.
    public static let defaultZ = 1.96

    /// both / total.
    public var support: Double { total > 0 ? Double(both) / Double(total) : 0 }
    /// P(second | first) = both / first.
    public var confidenceForward: Double { first > 0 ? Double(both) / Double(first) : 0 }
    /// P(first | second) = both / second.
    public var confidenceBackward: Double { second > 0 ? Double(both) / Double(second) : 0 }
    /// P(both) / (P(first) P(second)) = both * total / (first * second): 1 is chance.
    public var lift: Double {
        first > 0 && second > 0 ? Double(both) * Double(total) / (Double(first) * Double(second)) : 0
    }

    /// A lower confidence bound on the lift, on the log scale (a log-normal interval):
    /// `lift * exp(-z * sqrt(1/both - 1/first - 1/second + (2 lift - 1)/total))`.
    ///
    /// The variance is the delta method's for `ln(both * total / (first * second))` when the four cells
    /// (both, first only, second only, neither) are one multinomial sample of `total` people: the
    /// gradient over the cell shares is (1/p11 - 1/pa - 1/pb, -1/pa, -1/pb, 0), which gives
    /// `(1/p11 - 1/pa - 1/pb + 2 p11/(pa pb) - 1) / total`. It is symmetric in the two parts and 0 when
    /// everyone took both. Zero when nobody took both.
    public func liftLowerBound(z: Double = Association.defaultZ) -> Double {
        guard both > 0, first > 0, second > 0, total > 0 else { return 0 }
        let lift = self.lift
        let variance = 1 / Double(both) - 1 / Double(first) - 1 / Double(second) + (2 * lift - 1) / Double(total)
        return lift * exp(-z * sqrt(max(0, variance)))
    }
}
