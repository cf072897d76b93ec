/// Size limits enforced before an append reaches the database (documented in README).
public struct EventLogLimits: Sendable, Hashable {
    /// The JSON text of one event's data.
    public var maxEventDataBytes: Int = 1 << 20
    /// The JSON text of one event's metadata.
    public var maxMetadataBytes: Int = 16 << 10
    public var maxEventsPerAppend: Int = 1_000
    /// All events of one append together.
    public var maxAppendBytes: Int = 8 << 20
    public var maxIdempotencyKeyLength: Int = 200

    public init() {}
}
