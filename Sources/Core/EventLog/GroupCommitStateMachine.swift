/// Decides when concurrent appends go to the database and which go together.
///
/// Pure: it holds no I/O, so every rule is unit-tested without a server. While `maxInFlight` batches are
/// running, new appends queue; when a batch finishes, everything queued (up to `maxBatchEvents`) leaves as
/// the next batch. An append with nobody ahead of it leaves at once, so a lone writer waits for nobody.
/// An append that must leave alone (several streams written all or nothing, in a transaction of their own)
/// goes in a batch of its own when it is first in line; appends behind it do not wait for it.
package struct GroupCommitStateMachine<ID: Hashable & Sendable>: Sendable {
    package struct Pending: Sendable, Equatable {
        package var id: ID
        package var eventCount: Int
        /// Two appends with the same key never share a batch: the second must see the first's result.
        package var idempotencyScope: String?
        /// Never shares a batch.
        package var leavesAlone: Bool

        package init(id: ID, eventCount: Int, idempotencyScope: String?, leavesAlone: Bool = false) {
            self.id = id
            self.eventCount = eventCount
            self.idempotencyScope = idempotencyScope
            self.leavesAlone = leavesAlone
        }
    }

    package enum Action: Equatable, Sendable {
        case none
        case flush([ID])
        /// Refuse this append: the committer is shutting down.
        case reject
        /// Nothing is pending or in flight after shutdown was asked for.
        case shutdownComplete
    }

    private let maxInFlight: Int
    private let maxBatchEvents: Int
    private var pending: [Pending] = []
    private var inFlight = 0
    private var shuttingDown = false

    package init(maxInFlight: Int, maxBatchEvents: Int) {
        precondition(maxInFlight >= 1 && maxBatchEvents >= 1)
        self.maxInFlight = maxInFlight
        self.maxBatchEvents = maxBatchEvents
    }

    package var pendingCount: Int { pending.count }
    package var inFlightCount: Int { inFlight }

    package mutating func enqueue(_ request: Pending) -> Action {
        if shuttingDown { return .reject }
        pending.append(request)
        return startBatchIfPossible()
    }

    package mutating func batchFinished() -> Action {
        precondition(inFlight > 0, "a batch finished that never started")
        inFlight -= 1
        let next = startBatchIfPossible()
        if next == .none, shuttingDown, inFlight == 0, pending.isEmpty { return .shutdownComplete }
        return next
    }

    /// Removes a request that has not left yet; false if it is already in flight (or unknown).
    package mutating func cancel(_ id: ID) -> Bool {
        guard let index = pending.firstIndex(where: { $0.id == id }) else { return false }
        pending.remove(at: index)
        return true
    }

    /// Stops taking new appends; those already queued still go.
    package mutating func shutdown() -> Action {
        shuttingDown = true
        return inFlight == 0 && pending.isEmpty ? .shutdownComplete : .none
    }

    private mutating func startBatchIfPossible() -> Action {
        guard inFlight < maxInFlight, !pending.isEmpty else { return .none }
        var batch: [ID] = []
        var left: [Pending] = []
        var events = 0
        var scopes = Set<String>()
        for (index, request) in pending.enumerated() {
            if request.leavesAlone {
                guard batch.isEmpty else { left.append(request); continue }
                batch = [request.id]
                left += pending[(index + 1)...]
                break
            }
            let fits = batch.isEmpty || events + request.eventCount <= maxBatchEvents
            let scopeFree = request.idempotencyScope.map { !scopes.contains($0) } ?? true
            if fits, scopeFree {
                batch.append(request.id)
                events += request.eventCount
                if let scope = request.idempotencyScope { scopes.insert(scope) }
            } else {
                left.append(request)
            }
        }
        pending = left
        inFlight += 1
        return .flush(batch)
    }
}
