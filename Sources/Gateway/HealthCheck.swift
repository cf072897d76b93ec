/// One dependency `/health` looks at: healthy when `probe` returns, unhealthy when it throws or is too slow.
public struct HealthCheck: Sendable {
    public var name: String
    public var probe: @Sendable () async throws -> Void

    public init(name: String, probe: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.probe = probe
    }
}
