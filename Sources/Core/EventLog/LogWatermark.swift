import Synchronization

/// The highest log position this process knows to be committed, and a way to wait for it to pass a mark.
///
/// Fed by the log's NOTIFY channel and by this process's own appends. Waiting never polls: a waiter sleeps
/// until the mark passes or its timeout ends, whichever comes first.
package final class LogWatermark: Sendable {
    private struct State {
        var position: Int64 = 0
        var waiters: [Int: (mark: Int64, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    package init() {}

    package var position: Int64 { state.withLock { $0.position } }

    package func advance(to position: Int64) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard position > state.position else { return [] }
            state.position = position
            let passed = state.waiters.filter { $0.value.mark < position }
            for id in passed.keys { state.waiters.removeValue(forKey: id) }
            return passed.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once the watermark is beyond `mark`, the timeout has passed, or the task is cancelled.
    package func wait(beyond mark: Int64, timeout: Duration) async {
        if position > mark { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitIndefinitely(beyond: mark) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitIndefinitely(beyond mark: Int64) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let passed = state.withLock { state -> Bool in
                    if state.position > mark || Task.isCancelled { return true }
                    state.waiters[id] = (mark, continuation)
                    return false
                }
                if passed { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }
}
