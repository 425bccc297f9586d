import LecternStore

/// The crossover report's listing: domain x domain flows after the first purchase.
extension ReportBuilder {
    func crossoverResult() throws -> CrossoverResult {
        if let known = results.crossover { return known }
        let result = try CrossoverReport(db).crossover(filter)
        results.crossover = result
        return result
    }

    /// One row per (first domain, later domain) someone crossed and currency of the later purchases: the
    /// learners who started in the first, those who crossed, their share, the median days, the top three
    /// channels that brought them, then the net of the later purchases.
    func crossover() throws -> Listing {
        var listing = Listing(["from", "to", "learners", "crossed", "share", "median_days", "channels", "currency", "net"])
        for row in try crossoverResult().rows {
            listing.append([.text(row.from), .text(row.to)],
                           shared: [.int(Int64(row.learners)), .int(Int64(row.crossed)), .number(row.share, decimals: 3),
                                    .number(row.medianDays, decimals: 1), .list(row.channels.prefix(3).map { "\($0.channel) \($0.learners)" })],
                           perCurrency: row.net.map { ($0.currency, [.money($0.minor)]) }, zero: [.money(0)])
        }
        return listing
    }
}
