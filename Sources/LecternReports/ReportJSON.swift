import LecternCore

/// A report in JSON: its listing (an array of rows), or for a report of several listings (the
/// catalog, an organisation) an object of those arrays by name.
public enum ReportJSON: Encodable, Sendable {
    case listing(Listing)
    case listings(JSONObject<Listing>)

    /// How an object of reports or of a report's listings is laid out: a member per line, not
    /// indented, each listing as it lays itself out:
    ///
    /// ```
    /// {
    /// "domains": [
    ///   {"domain": "data-science", "courses": 27},
    ///   {"domain": "total", "courses": 220}
    /// ],
    /// "most_dismissed": []
    /// }
    /// ```
    public static let objectLayout = JSONLayout.lines(indent: "")

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .listing(let listing): try container.encode(listing)
        case .listings(let listings): try container.encode(listings)
        }
    }
}
