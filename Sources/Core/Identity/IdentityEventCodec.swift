public import Foundation

/// Identity events to and from the log's form.
extension IdentityEvent {
    private static let byType: [String: Kind] = Dictionary(uniqueKeysWithValues: kinds.map { ($0.type, $0) })

    public static var types: [String] { kinds.map(\.type) }

    /// Nil for an event that is not an identity event; throws for one whose data does not decode.
    public init?(recorded event: RecordedEvent) throws {
        guard let kind = Self.byType[event.type] else { return nil }
        self = try kind.decode(event.data)
    }

    public func newEvent(id: UUID = .v7(), metadata: EventMetadata) throws -> NewEvent {
        try NewEvent(id: id, type: type, payload: payload, metadata: metadata)
    }
}
