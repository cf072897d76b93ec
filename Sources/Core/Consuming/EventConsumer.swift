public import Logging
public import PostgresNIO

/// Something that reacts to events from its queue: a projection, a worker.
///
/// The runtime calls `apply` inside a database transaction in which it has already recorded the events in
/// the inbox; if `apply` throws, nothing of it stays, and the events go to the retry path. Effects outside
/// the database (an HTTP call) must be idempotent by event id themselves.
public protocol EventConsumer: Sendable {
    /// Names the consumer's queues and inbox rows: 1-100 of a-z, 0-9, _, - and ..
    var name: String { get }
    /// Topic patterns on event types: `account.*`, `#`.
    var bindings: [String] { get }
    /// Applies events that this consumer has never applied, in delivery order. Run statements with
    /// `connection.checkedQuery` (see there why).
    func apply(_ events: [RecordedEvent], on connection: PostgresConnection, logger: Logger) async throws
}
