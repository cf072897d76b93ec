/// Every committed event after a position, in log order, forever: it waits for new events when caught up.
///
/// Because positions are gapless and become visible in order, "position > last" never skips an event.
/// A NOTIFY from the log wakes the tail at once; without one it polls at the store's poll interval.
/// It ends (returns nil) when its task is cancelled.
public struct EventTail: AsyncSequence, Sendable {
    public typealias Element = RecordedEvent

    let store: EventStore
    let after: Int64
    let pageSize: Int

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(store: store, last: after, pageSize: pageSize)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let store: EventStore
        var last: Int64
        let pageSize: Int
        var buffer: [RecordedEvent] = []
        var index = 0

        public mutating func next() async throws -> RecordedEvent? {
            while index == buffer.count {
                if Task.isCancelled { return nil }
                buffer = try await store.readAll(after: last, limit: pageSize)
                index = 0
                if buffer.isEmpty { await store.waitForAppends(beyond: last) }
            }
            let event = buffer[index]
            index += 1
            last = event.position
            return event
        }
    }
}
