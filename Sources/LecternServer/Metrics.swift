import Foundation
import Synchronization

/// Request counters and latency histograms by route, method and status, written in Prometheus's
/// text format (https://prometheus.io/docs/instrumenting/exposition_formats/).
///
/// Routes are the router's patterns (`/v1/users/{id}/recommendations`), never raw paths, so the
/// number of series stays small whatever clients send.
///
/// Not Hummingbird's `MetricsMiddleware` with swift-prometheus: that middleware records through
/// swift-metrics' process-wide `MetricsSystem` (bootstrapped once, no factory per server), so servers
/// in one process (the tests run many at once; `LecternServer.start` is public) would share their
/// counts; it labels an unmatched route `NotFound`, not `unmatched`; and swift-prometheus writes the
/// scrape-time gauges as doubles (`lectern_model_run_id{...} 7.0`) and would need a gauge dropped
/// when an algorithm loses its active run. The text format is small enough to write here.
final class Metrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    struct Series: Hashable, Sendable {
        var route: String
        var method: String
        var status: Int
    }

    struct Histogram: Sendable {
        var counts = [UInt64](repeating: 0, count: Metrics.buckets.count)
        var count: UInt64 = 0
        var sum: Double = 0
    }

    private let series = Mutex<[Series: Histogram]>([:])
    let startedAt = Date()

    /// Counts one answered request that took `seconds`.
    func observe(route: String, method: String, status: Int, seconds: Double) {
        series.withLock { all in
            let key = Series(route: route, method: method, status: status)
            var histogram = all[key] ?? Histogram()
            histogram.count += 1
            histogram.sum += seconds
            if let bucket = Self.buckets.firstIndex(where: { seconds <= $0 }) { histogram.counts[bucket] += 1 }
            all[key] = histogram
        }
    }

    /// Requests counted so far for a route and status (for tests and `/readyz`-style checks).
    func count(route: String, status: Int) -> UInt64 {
        series.withLock { all in
            all.filter { $0.key.route == route && $0.key.status == status }.values.reduce(0) { $0 + $1.count }
        }
    }

    /// The exposition text: HTTP series, then `gauges` (name, help, labelled values).
    func render(gauges: [Gauge]) -> String {
        let snapshot = series.withLock { $0 }.sorted {
            ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status)
        }
        var out = """
            # HELP lectern_http_requests_total HTTP requests answered, by route, method and status.
            # TYPE lectern_http_requests_total counter

            """
        for (key, histogram) in snapshot {
            out += "lectern_http_requests_total{\(labels(key))} \(histogram.count)\n"
        }
        out += """
            # HELP lectern_http_request_duration_seconds Time from the request's head to the response, by route, method and status.
            # TYPE lectern_http_request_duration_seconds histogram

            """
        for (key, histogram) in snapshot {
            var cumulative: UInt64 = 0
            for (index, bound) in Self.buckets.enumerated() {
                cumulative += histogram.counts[index]
                out += "lectern_http_request_duration_seconds_bucket{\(labels(key)),le=\"\(Self.format(bound))\"} \(cumulative)\n"
            }
            out += "lectern_http_request_duration_seconds_bucket{\(labels(key)),le=\"+Inf\"} \(histogram.count)\n"
            out += "lectern_http_request_duration_seconds_sum{\(labels(key))} \(Self.format(histogram.sum))\n"
            out += "lectern_http_request_duration_seconds_count{\(labels(key))} \(histogram.count)\n"
        }
        for gauge in gauges {
            out += "# HELP \(gauge.name) \(gauge.help)\n# TYPE \(gauge.name) \(gauge.type)\n"
            for (labelText, value) in gauge.values {
                out += gauge.name + (labelText.isEmpty ? "" : "{\(labelText)}") + " \(Self.format(value))\n"
            }
        }
        return out
    }

    /// A gauge computed when scraped (or a counter kept elsewhere, read when scraped).
    struct Gauge {
        var name: String
        var help: String
        /// Label text such as `algorithm="hybrid"` (or empty) and the value.
        var values: [(String, Double)]
        /// Prometheus's metric type: `gauge`, or `counter` for a count that only grows.
        var type = "gauge"
    }

    private func labels(_ key: Series) -> String {
        "route=\"\(Self.escape(key.route))\",method=\"\(Self.escape(key.method))\",status=\"\(key.status)\""
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
