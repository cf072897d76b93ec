public import Core
public import Logging
public import ServiceLifecycle
import Foundation
import Metrics

/// The identity read model every gateway holds in memory: the account tree, groups, grants, users, tenants
/// and sessions, folded from the log in order. Authorization reads it on every request and identity
/// commands are decided on it, so it lives beside the gateway rather than behind a query; it is derived
/// (invariant 1) and rebuilt at every start: from the log, or from a snapshot its own build wrote and the
/// log after it (`IdentitySnapshots`).
///
/// It tails the log itself instead of a queue: a decision taken on it carries the stream versions it saw,
/// and those must be exactly the log's.
public final class IdentityView: Service, Sendable {
    private let state = ReadWriteLock(ViewState())
    private let applied = LogWatermark()
    /// `applied` for the process's metrics: how far this gateway's view of the log has come.
    private let positionMetric = Gauge(label: "canopy_identity_view_position")
    /// Sessions held in memory, counted when expired ones are forgotten.
    private let sessionsMetric = Gauge(label: "canopy_identity_view_sessions")
    private let store: EventStore
    private let sessionRetention: SessionRetention
    private let snapshots: IdentitySnapshots?
    private let logger: Logger

    /// With `snapshots`, a start begins from the newest snapshot its build wrote, and a caught-up view
    /// writes another every `snapshots.every` events.
    public init(store: EventStore, logger: Logger, sessionRetention: SessionRetention = .init(), snapshots: IdentitySnapshots? = nil) {
        self.store = store
        self.sessionRetention = sessionRetention
        self.snapshots = snapshots
        self.logger = logger
    }

    /// The position of the snapshot this view started from, if it started from one.
    public var restoredPosition: Int64? { state.read { $0.restored } }

    /// When the view forgets sessions that have expired (`IdentityState.forgetSessions`): every login adds
    /// one, every refresh a hash to it, and without this each gateway would hold them all for as long as it
    /// runs. Only a caught-up view forgets, and only sessions expired for longer than `afterExpiry`: what it
    /// has not folded yet was decided moments ago, when no such session could be refreshed, unless the
    /// gateways' clocks disagree by more than that.
    public struct SessionRetention: Sendable {
        public var afterExpiry: Duration = .seconds(24 * 3600)
        /// How often a caught-up view looks (each look walks every session under the state's lock).
        public var sweepEvery: Duration = .seconds(3600)
        public init() {}
    }

    /// The log position folded in so far.
    public var position: Int64 { applied.position }

    /// Reads the state under its lock: keep `body` short and free of I/O.
    public func read<T>(_ body: (IdentityState) throws -> T) rethrows -> T {
        try state.read { try body($0.state) }
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
        let position = state.write { state -> Int64 in
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
                try await self.restoreSnapshot()
                var page = try await self.page(after: self.applied.position)
                var nextSweep = ContinuousClock.now, lastSnapshot = self.restoredPosition ?? 0
                while !Task.isCancelled {
                    if page.events.count == Self.pageSize, let last = page.events.last {
                        // Behind the log (a start, a burst from another gateway): the next page is read while
                        // this one is folded, so a start costs about the reading alone.
                        async let following = self.page(after: last.position)
                        try await self.fold(page.events)
                        page = try await following
                    } else {
                        try await self.fold(page.events)
                        self.moveOn(to: page.through)
                        if ContinuousClock.now >= nextSweep {
                            self.forgetExpiredSessions()
                            nextSweep = .now + self.sessionRetention.sweepEvery
                        }
                        if let snapshots = self.snapshots, self.applied.position - lastSnapshot >= snapshots.every {
                            lastSnapshot = await self.saveSnapshot(to: snapshots) ?? lastSnapshot
                        }
                        await self.waitForOtherWriters()
                        page = try await self.page(after: self.applied.position)
                    }
                }
            }
        }
    }

    /// Events per read. Large, because a start reads the whole identity log: per row, a page of 500 cost
    /// twice what one of 5,000 does. Caught up, a read brings what is new, whatever the limit.
    public static let pageSize = 5_000
    /// Events folded per hold of the state's lock: a long page must not hold off every request's
    /// authorization (they read the state under the same lock) while it is folded.
    private static let foldChunk = 256
    /// A chunk decoded: each event's position, and the event (nil for a type this build does not know).
    private typealias Decoded = [(position: Int64, event: IdentityEvent?)]

    private func page(after position: Int64) async throws -> (events: [RecordedEvent], through: Int64) {
        try await store.read(types: Self.types, after: position, limit: Self.pageSize, without: Self.leftOut)
    }

    /// Large fields the view has no use for, left in the log: a logo's bytes (only where they are matters,
    /// its stream version, which the event's place gives).
    public static let leftOut = [TenantLogoUploaded.type: "bytes"]
    private static let types = IdentityEvent.types

    private func advance(to position: Int64) {
        applied.advance(to: position)
        positionMetric.record(position)
    }

    /// Starts from the newest snapshot of this build, if there is one and nothing is folded yet; the log
    /// after it is folded as usual. The database being unavailable is thrown, to be tried again with the
    /// rest of the start; a snapshot that does not decode is passed over (`IdentitySnapshots.latest`).
    private func restoreSnapshot() async throws {
        guard let snapshots, applied.position == 0, let restored = try await snapshots.latest() else { return }
        let position = state.write { view -> Int64? in
            guard view.state.position == 0 else { return nil }
            view.state = restored
            view.restored = restored.position
            view.foldPending()
            return view.state.position
        }
        if let position {
            advance(to: position)
            logger.info("identity view started from a snapshot", metadata: ["position": "\(restored.position)"])
        }
    }

    /// Writes the state as it is now (copied under the lock, encoded and stored outside it). Caught up, so
    /// this delays only the next read of other gateways' events. Returns the position saved, nil on failure.
    private func saveSnapshot(to snapshots: IdentitySnapshots) async -> Int64? {
        guard let copy = state.read({ $0.pending.isEmpty ? $0.state : nil }), copy.position > 0 else { return nil }
        do {
            try await snapshots.save(copy)
            return copy.position
        } catch {
            logger.warning("identity view snapshot not written", metadata: ["position": "\(copy.position)", "error": "\(error)"])
            return nil
        }
    }

    private func forgetExpiredSessions() {
        let cutoff = Date().addingTimeInterval(-sessionRetention.afterExpiry.seconds)
        let (forgotten, held) = state.write { state in (state.state.forgetSessions(expiredBefore: cutoff), state.state.sessions.count) }
        sessionsMetric.record(held)
        if forgotten > 0 { logger.debug("identity view forgot expired sessions", metadata: ["forgotten": "\(forgotten)", "held": "\(held)"]) }
    }

    /// Past the events of other kinds up to `position`, which a read of identity events through it skipped.
    private func moveOn(to position: Int64) {
        let moved = state.write { state -> Int64 in
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

    /// Folds a page of the log, in order. Decoding is most of the cost and each event decodes alone, so a
    /// long page (a start, a burst) is decoded in chunks at once; the chunks are applied in log order, each
    /// under one hold of the lock.
    private func fold(_ events: [RecordedEvent]) async throws {
        // Folded already when this process appended them: not even decoded.
        let unseen = events.drop { $0.position <= applied.position }
        let chunks = stride(from: unseen.startIndex, to: unseen.endIndex, by: Self.foldChunk).map { start in
            unseen[start..<min(start + Self.foldChunk, unseen.endIndex)]
        }
        guard chunks.count > 1 else {
            if let only = chunks.first { apply(try decode(only)) }
            return
        }
        try await withThrowingTaskGroup(of: (Int, Decoded).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask { (index, try self.decode(chunk)) }
            }
            var decoded: [Int: Decoded] = [:], next = 0
            for try await (index, events) in group {
                decoded[index] = events
                while let events = decoded.removeValue(forKey: next) {
                    apply(events)
                    next += 1
                }
            }
        }
    }

    private func apply(_ decoded: Decoded) {
        let position = state.write { state -> Int64 in
            for (position, identity) in decoded where position > state.state.position {
                if let identity { state.state.apply(identity) }
                state.state.position = position
            }
            state.foldPending()
            return state.state.position
        }
        advance(to: position)
    }

    private func decode(_ events: ArraySlice<RecordedEvent>) throws -> Decoded {
        try events.map { event in (event.position, try decode(event)) }
    }

    private func decode(_ event: RecordedEvent) throws -> IdentityEvent? {
        do { return try IdentityEvent(recorded: event) } catch {
            // Written through the same codec, so this is a bug, not bad input: stop rather than fold a
            // state whose stream versions would no longer be the log's.
            logger.critical("an identity event does not decode", metadata: ["position": "\(event.position)", "type": "\(event.type)", "error": "\(error)"])
            throw error
        }
    }
}

/// The folded state and the runs appended here that wait for the log to reach them.
private struct ViewState {
    var state = IdentityState()
    /// The position of the snapshot the state started from.
    var restored: Int64?
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
