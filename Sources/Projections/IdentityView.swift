public import Core
public import Logging
public import ServiceLifecycle
import Metrics
import Synchronization

/// The identity read model every gateway holds in memory: the account tree, groups, grants, users, tenants
/// and sessions, folded from the log in order. Authorization reads it on every request and identity
/// commands are decided on it, so it lives beside the gateway rather than behind a query; it is derived
/// (invariant 1) and rebuilt from the log at every start.
///
/// It tails the log itself instead of a queue: a decision taken on it carries the stream versions it saw,
/// and those must be exactly the log's.
public final class IdentityView: Service, Sendable {
    private let state = Mutex(ViewState())
    private let applied = LogWatermark()
    /// `applied` for the process's metrics: how far this gateway's view of the log has come.
    private let positionMetric = Gauge(label: "canopy_identity_view_position")
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
        try state.withLock { try body($0.state) }
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

    /// Folds a run of identity events this process just appended (the event store calls this before the
    /// log's watermark moves past them), so the view never reads its own writes back. A run that comes
    /// before the view reaches it (another process's events lie between) waits in `pending` until the
    /// log fills the gap; one already folded from the log is dropped.
    public func applyAppended(_ events: [IdentityEvent], firstPosition: Int64, lastPosition: Int64) {
        guard !events.isEmpty, lastPosition - firstPosition + 1 == Int64(events.count) else { return }
        let position = state.withLock { state -> Int64 in
            let next = state.state.position + 1
            if firstPosition > next {
                state.pending[firstPosition] = (events, lastPosition)
            } else if firstPosition == next {
                for event in events { state.state.apply(event) }
                state.state.position = lastPosition
                state.foldPending()
            }
            return state.state.position
        }
        advance(to: position)
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            _ = await retryingUntilCancelled("identity view", logger: self.logger) {
                while !Task.isCancelled {
                    let (page, through) = try await self.store.read(types: Self.types, after: self.applied.position,
                                                                   limit: Self.pageSize, without: Self.leftOut)
                    for event in page { try self.fold(event) }
                    if page.count < Self.pageSize {
                        self.moveOn(to: through)
                        await self.waitForOtherWriters()
                    }
                }
            }
        }
    }

    private static let pageSize = 500

    /// Large fields the view has no use for, left in the log: a logo's bytes (only where they are matters,
    /// its stream version, which the event's place gives).
    static let leftOut = [TenantLogoUploaded.type: "bytes"]
    private static let types = IdentityEvent.types

    private func advance(to position: Int64) {
        applied.advance(to: position)
        positionMetric.record(position)
    }

    /// Past the events of other kinds up to `position`, which a read of identity events through it skipped.
    private func moveOn(to position: Int64) {
        let moved = state.withLock { state -> Int64 in
            guard position > state.state.position else { return state.state.position }
            state.state.position = position
            state.foldPending()
            return state.state.position
        }
        advance(to: moved)
    }

    /// Waits until the log holds something not folded yet, or for the store's poll interval. This
    /// process's own appends are folded before the watermark passes them; but the log's NOTIFY of one of
    /// them often comes before its reply, so when the log seems ahead, the batches in flight land first and
    /// only a gap they leave is read.
    private func waitForOtherWriters() async {
        let deadline = ContinuousClock.now + store.configuration.pollInterval
        while ContinuousClock.now < deadline, !Task.isCancelled {
            if store.watermark.position > applied.position {
                await store.waitForOwnAppendsInFlight()
                if store.watermark.position > applied.position { return }
            } else {
                await store.waitForAppends(beyond: applied.position)
            }
        }
    }

    private func fold(_ event: RecordedEvent) throws {
        // Folded already when this process appended it: not even decoded.
        guard event.position > applied.position else { return }
        let identity: IdentityEvent?
        do { identity = try IdentityEvent(recorded: event) } catch {
            // Written through the same codec, so this is a bug, not bad input: stop rather than fold a
            // state whose stream versions would no longer be the log's.
            logger.critical("an identity event does not decode", metadata: ["position": "\(event.position)", "type": "\(event.type)", "error": "\(error)"])
            throw error
        }
        let position = state.withLock { state -> Int64 in
            guard event.position > state.state.position else { return state.state.position }
            if let identity { state.state.apply(identity) }
            state.state.position = event.position
            state.foldPending()
            return state.state.position
        }
        advance(to: position)
    }
}

/// The folded state and the runs appended here that wait for the log to reach them.
private struct ViewState {
    var state = IdentityState()
    var pending: [Int64: (events: [IdentityEvent], last: Int64)] = [:]

    /// Folds the pending runs that now follow the state, and forgets those the log already brought.
    mutating func foldPending() {
        guard !pending.isEmpty else { return }
        while let run = pending.removeValue(forKey: state.position + 1) {
            for event in run.events { state.apply(event) }
            state.position = run.last
        }
        pending = pending.filter { $0.key > state.position }
    }
}
