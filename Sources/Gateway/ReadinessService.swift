public import ServiceLifecycle

/// Marks the process ready once every service has started, and draining as soon as shutdown begins.
/// List it last in the service group: it is then the first one shut down, so `/ready` answers 503 while
/// the gateway still finishes the requests it has.
public struct ReadinessService: Service {
    let readiness: Readiness

    public init(_ readiness: Readiness) {
        self.readiness = readiness
    }

    public func run() async throws {
        try? await gracefulShutdown()  // cancelled or shutting down: draining either way
        readiness.markDraining()
    }
}
