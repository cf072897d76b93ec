public import Foundation

/// An event as the log holds it.
public struct RecordedEvent: Sendable, Hashable {
    /// Gapless, in commit order, starting at 1.
    public var position: Int64
    public var id: UUID
    public var accountID: UUID
    public var stream: StreamName
    /// 1 for the first event of a stream.
    public var streamVersion: Int64
    public var type: String
    public var schemaVersion: Int32
    /// The JSON object text of the event's data.
    public var data: String
    public var metadata: EventMetadata
    public var recordedAt: Date

    public func decodeData<T: Decodable>(as type: T.Type = T.self) throws -> T {
        try WireJSON.decode(type, from: data)
    }
}
