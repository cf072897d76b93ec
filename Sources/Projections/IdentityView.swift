public import Core
public import Logging
public import ServiceLifecycle
import Synchronization

/// The identity read model every gateway holds in memory: the account tree, groups, grants, users, tenants
/// and sessions, folded from the log in order. Authorization reads it on every request and identity
/// commands are decided on it, so it lives beside the gateway rather than behind a query; it is derived
/// (invariant 1) and rebuilt from the log at every start.
///
/// It tails the log itself instead of a queue: a decision taken on it carries the stream versions it saw,
/// and those must be exactly the log's.
public final class IdentityView: Service, Sendable {
    private let state = Mutex(IdentityState())
    private let applied = LogWatermark()
    private let store: EventStore
    private let logger: Logger

    public init(store: EventStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// The log position folded in so far.
    public var position: Int64 { applied.position }

    /// Reads the state under its lock: keep `body` short and free of I/O.
    public func read<T>(_ body: (IdentityState) throws -> T) rethrows -> T {
        try state.withLock { try body($0) }
    }

    /// True once everything up to `position` is folded in; false if that takes longer than `timeout`.
    public func waitUntilApplied(_ position: Int64, timeout: Duration) async -> Bool {
        await applied.wait(beyond: position - 1, timeout: timeout)
        return applied.position >= position
    }

    /// Waits until what the log holds now is folded in.
    public func catchUp(timeout: Duration) async throws -> Bool {
        await waitUntilApplied(try await store.headPosition(), timeout: timeout)
    }

    /// Folds a run of identity events just appended by this process when the view sits right before them,
    /// so the writer need not wait for the tail to read its own events back; the tail then skips them.
    /// Otherwise (other events came first) this does nothing and the tail folds them in order.
    public func applyAppended(_ events: [IdentityEvent], firstPosition: Int64, lastPosition: Int64) {
        guard !events.isEmpty, lastPosition - firstPosition + 1 == Int64(events.count) else { return }
        let folded = state.withLock { state -> Bool in
            guard state.position == firstPosition - 1 else { return false }
            for event in events { state.apply(event) }
            state.position = lastPosition
            return true
        }
        if folded { applied.advance(to: lastPosition) }
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            _ = await retryingUntilCancelled("identity view", logger: self.logger) {
                for try await event in self.store.tail(after: self.applied.position) {
                    try self.fold(event)
                }
            }
        }
    }

    private func fold(_ event: RecordedEvent) throws {
        let identity: IdentityEvent?
        do { identity = try IdentityEvent(recorded: event) } catch {
            // Written through the same codec, so this is a bug, not bad input: stop rather than fold a
            // state whose stream versions would no longer be the log's.
            logger.critical("an identity event does not decode", metadata: ["position": "\(event.position)", "type": "\(event.type)", "error": "\(error)"])
            throw error
        }
        state.withLock { state in
            // Already folded when its writer here appended it (`applyAppended`).
            guard event.position > state.position else { return }
            if let identity { state.apply(identity) }
            state.position = event.position
        }
        applied.advance(to: event.position)
    }
}
