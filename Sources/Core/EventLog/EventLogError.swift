/// Why the event log refused or could not complete an operation.
///
/// A small struct with a stable `code` rather than an enum, so new cases never break callers that switch on
/// the ones they know (the same shape as Hummingbird's and PostgresNIO's errors).
public struct EventLogError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        // Bad input: refused before anything is written.
        public static let invalidStreamName = Code("event_log.invalid_stream_name")
        public static let invalidEventType = Code("event_log.invalid_event_type")
        public static let invalidSchemaVersion = Code("event_log.invalid_schema_version")
        public static let invalidJSON = Code("event_log.invalid_json")
        public static let payloadTooLarge = Code("event_log.payload_too_large")
        public static let emptyAppend = Code("event_log.empty_append")
        public static let tooManyEvents = Code("event_log.too_many_events")
        public static let invalidIdempotencyKey = Code("event_log.invalid_idempotency_key")
        public static let invalidExpectedVersion = Code("event_log.invalid_expected_version")
        public static let duplicateEventID = Code("event_log.duplicate_event_id")

        // Refused by the state of the log.
        public static let versionConflict = Code("event_log.version_conflict")
        public static let streamAccountMismatch = Code("event_log.stream_account_mismatch")
        public static let idempotencyKeyReused = Code("event_log.idempotency_key_reused")

        // The log could not answer.
        public static let shuttingDown = Code("event_log.shutting_down")
        /// The database failed while the append was in flight: it may or may not have been committed.
        /// Retry with the same idempotency key to find out without appending twice.
        public static let outcomeUnknown = Code("event_log.outcome_unknown")
        public static let storageFailure = Code("event_log.storage_failure")
    }

    public var code: Code
    public var message: String
    /// The stream concerned, when there is one.
    public var stream: String?
    /// The stream's version when an expected version did not match.
    public var currentVersion: Int64?

    public init(_ code: Code, _ message: String, stream: String? = nil, currentVersion: Int64? = nil) {
        self.code = code
        self.message = message
        self.stream = stream
        self.currentVersion = currentVersion
    }

    public var description: String { "\(code): \(message)" }
}
