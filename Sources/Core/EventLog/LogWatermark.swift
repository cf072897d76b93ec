import NIOCore
import NIOPosix
import Synchronization

/// The highest log position this process knows to be committed, and a way to wait for it to pass a mark.
///
/// Fed by the log's NOTIFY channel and by this process's own appends. Waiting never polls: a waiter sleeps
/// until the mark passes or its timeout ends, whichever comes first. The timeout is an event loop's timer,
/// not a sleeping task: a tail waits once per batch, and a task group with a sleeping child (and a
/// Dispatch timer behind it) for every wait cost a few percent of a busy gateway.
package final class LogWatermark: Sendable {
    private struct State {
        var position: Int64 = 0
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
        /// Whoever waits for somebody to wait (the store's listener).
        var demandWaiters: [Int: CheckedContinuation<Void, Never>] = [:]
        /// When the last waiter came or went.
        var lastDemand = ContinuousClock.now
    }

    private struct Waiter {
        var mark: Int64
        var continuation: CheckedContinuation<Void, Never>
        var timeout: Scheduled<Void>?
    }

    private let state = Mutex(State())

    package init() {}

    package var position: Int64 { state.withLock { $0.position } }

    /// Nil while someone waits; otherwise since when nobody has.
    package var idleSince: ContinuousClock.Instant? {
        state.withLock { $0.waiters.isEmpty ? $0.lastDemand : nil }
    }

    /// Returns once some task waits on the watermark (at once if one does), or when cancelled.
    package func waitForDemand() async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await parkUntilResumed { continuation in
            state.withLock { state in
                guard state.waiters.isEmpty else { return false }
                state.demandWaiters[id] = continuation
                return true
            }
        } withdraw: {
            state.withLock { $0.demandWaiters.removeValue(forKey: id) }
        }
    }

    package func advance(to position: Int64) {
        let ready = state.withLock { state -> [Waiter] in
            guard position > state.position else { return [] }
            state.position = position
            let passed = state.waiters.filter { $0.value.mark < position }
            for id in passed.keys { state.waiters.removeValue(forKey: id) }
            if !passed.isEmpty { state.lastDemand = .now }
            return Array(passed.values)
        }
        for waiter in ready {
            waiter.timeout?.cancel()
            waiter.continuation.resume()
        }
    }

    /// Returns once the watermark is beyond `mark`, the timeout has passed, or the task is cancelled.
    package func wait(beyond mark: Int64, timeout: Duration) async {
        if position > mark { return }
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await parkUntilResumed { continuation in
            let (parked, demand) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                // Cancelled already: no demand to raise for a wait that ends at once.
                if state.position > mark || Task.isCancelled { return (false, []) }
                state.waiters[id] = Waiter(mark: mark, continuation: continuation)
                state.lastDemand = .now
                defer { state.demandWaiters.removeAll() }
                return (true, Array(state.demandWaiters.values))
            }
            for waiting in demand { waiting.resume() }
            guard parked else { return false }
            let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(timeout)) { () -> Void in self.withdraw(id)?.resume() }
            let gone = state.withLock { state -> Bool in
                guard state.waiters[id] != nil else { return true }
                state.waiters[id]?.timeout = timer
                return false
            }
            if gone { timer.cancel() }
            return true
        } withdraw: {
            self.withdraw(id)
        }
    }

    /// Takes a waiter back before the mark passes (its timeout ended or its task was cancelled).
    private func withdraw(_ id: Int) -> CheckedContinuation<Void, Never>? {
        let waiter = state.withLock { state in
            state.lastDemand = .now
            return state.waiters.removeValue(forKey: id)
        }
        waiter?.timeout?.cancel()
        return waiter?.continuation
    }
}
