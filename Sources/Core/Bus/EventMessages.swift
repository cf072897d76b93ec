import Foundation

/// How an event travels on RabbitMQ: the body is the event's data (a JSON object, as the log holds it);
/// the event's identity rides in the properties, so a consumer needs no second look at the log.
///
/// - exchange `canopy.events` (durable, topic), routing key = the event type (`account.created`): bind
///   `account.*` for a family, `#` for everything;
/// - message id = event id; headers `account_id`, `stream`, `stream_version`, `position`, `type`,
///   `schema_version`, `recorded_at` (ms since 1970), `metadata` (JSON); persistent.
public enum EventMessages {

    public struct Malformed: Error, CustomStringConvertible {
        public var description: String
    }

    public static func message(for event: RecordedEvent, exchange: String) -> AMQPMessage {
        let recordedAt = Int64((event.recordedAt.timeIntervalSince1970 * 1_000).rounded())
        return AMQPMessage(
            exchange: exchange, routingKey: event.type, body: Array(event.data.utf8), messageID: event.id.lowercasedString,
            headers: [
                ("account_id", .string(event.accountID.lowercasedString)),
                ("stream", .string(event.stream.rawValue)),
                ("stream_version", .int(event.streamVersion)),
                ("position", .int(event.position)),
                ("type", .string(event.type)),
                ("schema_version", .int(Int64(event.schemaVersion))),
                ("recorded_at", .int(recordedAt)),
                ("metadata", .string(event.metadata.jsonText)),
            ],
            persistent: true, mandatory: false, timestamp: UInt64(max(recordedAt, 0))
        )
    }

    /// The event a delivery carries; `Malformed` when anything is missing or wrong (it is then parked).
    public static func event(from delivery: AMQPDelivery) throws(Malformed) -> RecordedEvent {
        func string(_ name: String) throws(Malformed) -> String {
            guard let value = delivery.header(name)?.string else { throw Malformed(description: "header \(name) is missing") }
            return value
        }
        func int(_ name: String) throws(Malformed) -> Int64 {
            guard let value = delivery.header(name)?.int else { throw Malformed(description: "header \(name) is missing") }
            return value
        }
        guard let idText = delivery.messageID, let id = UUID(hyphenated: idText) else {
            throw Malformed(description: "the message id is not an event id")
        }
        guard let account = UUID(hyphenated: try string("account_id")) else { throw Malformed(description: "account_id is not a UUID") }
        let stream: StreamName
        do { stream = try StreamName(parsing: try string("stream")) } catch { throw Malformed(description: "stream is not a stream name") }
        let metadata: EventMetadata
        do { metadata = try EventMetadataParser.parse(try string("metadata")) } catch {
            throw Malformed(description: "metadata is not event metadata")
        }
        guard let data = String(validating: delivery.body, as: UTF8.self) else { throw Malformed(description: "the body is not UTF-8") }
        return RecordedEvent(
            position: try int("position"), id: id, accountID: account, stream: stream, streamVersion: try int("stream_version"),
            type: try string("type"), schemaVersion: Int32(clamping: try int("schema_version")), data: data, metadata: metadata,
            recordedAt: Date(timeIntervalSince1970: Double(try int("recorded_at")) / 1_000)
        )
    }
}
