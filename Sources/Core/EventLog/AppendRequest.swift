public import Foundation

/// What a writer expects of the stream it appends to (optimistic concurrency).
public enum ExpectedVersion: Sendable, Hashable {
    case any
    /// The stream must have no events yet.
    case noStream
    /// The stream's last event must have exactly this version.
    case exactly(Int64)

    /// What to expect of the stream once `count` more events are written to it.
    public func after(_ count: Int64) -> ExpectedVersion {
        switch self {
        case .any: .any
        case .noStream: count > 0 ? .exactly(count) : .noStream
        case .exactly(let version): .exactly(version + count)
        }
    }

    /// The encoding `append_events` reads: -1 any, 0 no stream, n exactly n.
    var wireValue: Int64 {
        switch self {
        case .any: -1
        case .noStream: 0
        case .exactly(let version): version
        }
    }
}

/// One append: events for one stream of one account, decided together.
public struct AppendRequest: Sendable, Hashable {
    public var stream: StreamName
    /// The account every event of the stream is bound to (invariant 2).
    public var accountID: UUID
    public var expectedVersion: ExpectedVersion
    /// Unique per account: a retry with the same key returns the first result and appends nothing.
    public var idempotencyKey: String?
    public var events: [NewEvent]

    public init(stream: StreamName, accountID: UUID, expectedVersion: ExpectedVersion = .any, idempotencyKey: String? = nil, events: [NewEvent]) {
        self.stream = stream
        self.accountID = accountID
        self.expectedVersion = expectedVersion
        self.idempotencyKey = idempotencyKey
        self.events = events
    }

    /// Everything that can be checked without the database, so bad input never reaches it (invariant 9).
    public func validate(_ limits: EventLogLimits) throws(EventLogError) {
        let stream = stream.rawValue
        guard !events.isEmpty else { throw EventLogError(.emptyAppend, "an append needs at least one event", stream: stream) }
        guard events.count <= limits.maxEventsPerAppend else {
            throw EventLogError(.tooManyEvents, "an append holds at most \(limits.maxEventsPerAppend) events", stream: stream)
        }
        if case .exactly(let version) = expectedVersion, version < 1 {
            throw EventLogError(.invalidExpectedVersion, "an exact expected version is 1 or more; use noStream for a new stream", stream: stream)
        }
        if let key = idempotencyKey {
            guard (1...limits.maxIdempotencyKeyLength).contains(key.utf8.count),
                  key.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F }) else {
                throw EventLogError(.invalidIdempotencyKey, "an idempotency key is 1-\(limits.maxIdempotencyKeyLength) printable ASCII characters", stream: stream)
            }
        }
        var total = 0
        var ids = Set<UUID>()
        for event in events {
            guard NewEvent.isValidType(event.type) else {
                throw EventLogError(.invalidEventType, "an event type is aggregate.past_tense in a-z, 0-9 and _", stream: stream)
            }
            guard event.schemaVersion >= 1 else {
                throw EventLogError(.invalidSchemaVersion, "a schema version is 1 or more", stream: stream)
            }
            guard ids.insert(event.id).inserted else {
                throw EventLogError(.duplicateEventID, "two events of one append share the id \(event.id)", stream: stream)
            }
            let size = event.data.utf8.count
            guard size <= limits.maxEventDataBytes else {
                throw EventLogError(.payloadTooLarge, "an event's data is at most \(limits.maxEventDataBytes) bytes", stream: stream)
            }
            guard WireJSON.isObject(event.data) else {
                throw EventLogError(.invalidJSON, "an event's data must be a JSON object", stream: stream)
            }
            total += size
        }
        guard total <= limits.maxAppendBytes else {
            throw EventLogError(.payloadTooLarge, "an append's events are at most \(limits.maxAppendBytes) bytes together", stream: stream)
        }
    }
}

/// Where an append landed in the log.
public struct AppendResult: Sendable, Hashable {
    public var stream: StreamName
    public var firstPosition: Int64
    /// The position to wait for to read this append's effects (invariant 8).
    public var lastPosition: Int64
    /// The stream's version after the append.
    public var streamVersion: Int64
    /// True when an earlier append with the same idempotency key answered, and nothing was appended now.
    public var isReplay: Bool
}
