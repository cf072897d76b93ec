extension Duration {
    /// Seconds as a Double: rates and progress lines.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
