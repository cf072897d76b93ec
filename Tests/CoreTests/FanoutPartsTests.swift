@testable import Core
import Foundation
import Testing

@Suite struct FanoutPartsTests {
    @Test(arguments: [
        ("#", "account.created", true), ("account.*", "account.created", true), ("account.*", "tenant.created", false),
        ("account.*", "account", false), ("*.created", "user.created", true), ("account.#", "account", true),
        ("account.#", "account.a.b", true), ("#.created", "a.b.created", true), ("a.*.c", "a.b.c", true),
        ("a.*.c", "a.c", false), ("account.created", "account.created", true), ("account.created", "account.renamed", false),
    ])
    func topicPatternsMatchLikeTheBroker(pattern: String, key: String, expected: Bool) {
        #expect(TopicPattern.matches(pattern, key) == expected)
    }

    @Test func backoffDoublesWithJitterUpToItsMaximumAndResets() {
        var backoff = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        var generator = SystemRandomNumberGenerator()
        let ceilings: [Duration] = [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)]
        for ceiling in ceilings {
            let delay = backoff.next(using: &generator)
            #expect(delay >= ceiling / 2 && delay <= ceiling, "\(delay) outside [\(ceiling / 2), \(ceiling)]")
        }
        backoff.reset()
        #expect(backoff.next(using: &generator) <= .milliseconds(100))
        // Jitter: many draws are not all the same.
        let draws = Set((0..<20).map { _ in var fresh = Backoff(); return fresh.next(using: &generator) })
        #expect(draws.count > 1)
    }

    @Test func consumerQueuesAreNamedByNamespaceConsumerAndDelay() throws {
        let queues = try ConsumerQueues(consumer: "projection.event_catalog", retryDelays: [.seconds(1), .milliseconds(1_500)],
                                        topology: EventTopology(namespace: "acme"))
        #expect(queues.main == "acme.projection.event_catalog")
        #expect(queues.parked == "acme.projection.event_catalog.parked")
        #expect(queues.retry(after: 1) == "acme.projection.event_catalog.retry.1000ms")
        #expect(queues.retry(after: 2) == "acme.projection.event_catalog.retry.1500ms")
        #expect(queues.retry(after: 3) == nil)  // then it is parked
        #expect(queues.retry(after: 0) == nil)
        for bad in ["", "Upper", "1starts-with-digit", "spaces here", String(repeating: "a", count: 101), "ünicode"] {
            #expect(throws: ConsumerQueues.InvalidName.self) { try ConsumerQueues(consumer: bad, retryDelays: []) }
        }
    }

    @Test func anEventSurvivesTheTripThroughAMessage() throws {
        let event = RecordedEvent(
            position: 42, id: .v7(), accountID: .v7(), stream: try StreamName(category: "account", id: .v7()), streamVersion: 3,
            type: "account.renamed", schemaVersion: 2, data: #"{"name": "Acme \"quoted\""}"#,
            metadata: EventMetadata(actor: "user:x", correlationID: .v7(), requestID: "req-1"),
            recordedAt: Date(timeIntervalSince1970: 1_790_000_000.123)
        )
        let message = EventMessages.message(for: event, exchange: "canopy.events")
        #expect(message.routingKey == "account.renamed" && message.persistent && message.messageID == event.id.lowercasedString)
        let delivery = AMQPDelivery(channel: 3, deliveryTag: 1, redelivered: false, exchange: message.exchange, routingKey: message.routingKey,
                                    messageID: message.messageID, headers: message.headers, body: message.body)
        #expect(try EventMessages.event(from: delivery) == event)

        var broken = delivery
        broken.headers.removeAll { $0.name == "stream" }
        #expect(throws: EventMessages.Malformed.self) { try EventMessages.event(from: broken) }
        broken = delivery
        broken.messageID = "not-a-uuid"
        #expect(throws: EventMessages.Malformed.self) { try EventMessages.event(from: broken) }
        broken = delivery
        broken.body = [0xFF, 0xFE]
        #expect(throws: EventMessages.Malformed.self) { try EventMessages.event(from: broken) }
    }
}

@Suite struct EventMetadataParserTests {
    func decoded(_ text: String) throws -> EventMetadata {
        try WireJSON.decoder().decode(EventMetadata.self, from: Data(text.utf8))
    }

    @Test func readsWhatJSONDecoderReadsAndLeavesTheRestToIt() throws {
        let id = UUID.v7()
        let texts = [
            "{}", #"{"actor": "system:bench"}"#, #"{"actor":"user:x","request_id":"req-1"}"#,
            #"{"acting_account_id": "\#(id.lowercasedString)", "actor": "api_key:k", "causation_id": "\#(id.lowercasedString)", "correlation_id": "\#(id.lowercasedString)", "impersonator_id": "\#(id.lowercasedString)", "request_id": "r"}"#,
            #"{"actor": "quote \" inside", "request_id": "tab\tand \u00e9"}"#,  // escapes: the full decoder's
            #"{"actor": null, "unknown": "ignored"}"#, #"{ "actor" : "spaced" , "request_id" : "x" }"#, #"{"actor": "ünïcødé ✓"}"#,
        ]
        for text in texts {
            #expect(try EventMetadataParser.parse(text) == decoded(text), "\(text)")
        }
        #expect(EventMetadataParser.fastParse(texts[3]) != nil)  // the usual shape takes the fast path
        #expect(EventMetadataParser.fastParse(texts[4]) == nil)
        for broken in [#"{"actor": 1}"#, #"{"correlation_id": "not-a-uuid"}"#, #"{"actor": "x""#, "", "[]"] {
            #expect(throws: (any Error).self) { try EventMetadataParser.parse(broken) }
        }
    }
}
