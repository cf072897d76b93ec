public import Foundation

/// An event about to be appended. Its data is a JSON object in text form, checked before it is appended.
public struct NewEvent: Sendable, Hashable {
    public var id: UUID
    /// `aggregate.past_tense` (`account.created`).
    public var type: String
    public var schemaVersion: Int32
    public var data: String
    public var metadata: EventMetadata

    public init(id: UUID = .v7(), type: String, schemaVersion: Int32 = 1, data: String, metadata: EventMetadata = .init()) {
        self.id = id
        self.type = type
        self.schemaVersion = schemaVersion
        self.data = data
        self.metadata = metadata
    }

    /// Encodes a typed payload with the wire conventions (snake_case keys, RFC 3339 times with milliseconds).
    public init(id: UUID = .v7(), type: String, schemaVersion: Int32 = 1, payload: some Encodable, metadata: EventMetadata = .init()) throws {
        self.init(id: id, type: type, schemaVersion: schemaVersion, data: try WireJSON.encodeToString(payload), metadata: metadata)
    }

    static func isValidType(_ type: String) -> Bool {
        let parts = type.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            let bytes = Array(part.utf8)
            return (1...63).contains(bytes.count) && (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[0])
                && bytes.allSatisfy(ASCII.isLowerAlphanumericOrUnderscore)
        }
    }
}
