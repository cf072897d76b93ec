import Synchronization

/// Deliveries of one consumer, handed from the connection's thread to async code. The broker sends at most
/// `prefetch` unacked messages, which bounds what waits here.
public final class AMQPDeliveries: Sendable {
    private struct State {
        var buffer: [AMQPDelivery] = []
        var ended: AMQPError?
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    init() {}

    /// Waits for at least one delivery, then gives every one buffered, up to `max`, in delivery order.
    /// Throws once the connection is gone (after what arrived before has been taken).
    public func next(max: Int = .max) async throws(AMQPError) -> [AMQPDelivery] {
        while true {
            let taken = state.withLock { state -> Result<[AMQPDelivery], AMQPError>? in
                if !state.buffer.isEmpty {
                    let count = min(max, state.buffer.count)
                    defer { state.buffer.removeFirst(count) }
                    return .success(Array(state.buffer[..<count]))
                }
                if let ended = state.ended { return .failure(ended) }
                return nil
            }
            if let taken { return try taken.get() }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLock { state -> Bool in
                    if !state.buffer.isEmpty || state.ended != nil { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    func push(_ delivery: AMQPDelivery) {
        let waiter = state.withLock { state in
            state.buffer.append(delivery)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func end(_ error: AMQPError) {
        let waiter = state.withLock { state in
            if state.ended == nil { state.ended = error }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
