extension Duration {
    /// The duration in seconds, fractions included (for timings people read and rates).
    public var inSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
