import Synchronization

/// Whether this process should receive traffic: set once start-up (migrations, services) is done,
/// cleared when it begins to shut down.
public final class Readiness: Sendable {
    private let ready = Mutex(false)

    public init() {}

    public var isReady: Bool { ready.withLock { $0 } }
    public func markReady() { ready.withLock { $0 = true } }
    public func markDraining() { ready.withLock { $0 = false } }
}
