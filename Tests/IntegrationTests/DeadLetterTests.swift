import CanopyTesting
import Core
import Foundation
import PostgresNIO
import Testing
import Workers

@Suite struct DeadLetterTests {
    @Test func aPoisonEventIsRetriedThenParkedWithItsErrorAndTheConsumerGoesOn() async throws {
        try await withPipeline { pipeline in
            let counter = try CountingConsumer.runtime(pipeline, name: "poisoned", retryDelays: [.milliseconds(100), .milliseconds(300)])
            try await counter.declared()
            try await pipeline.client.query("INSERT INTO poison_switch VALUES (true)", logger: TestServers.logger)
            let account = UUID.v7()
            try await whileRunning([pipeline.relay(), counter]) {
                try await pipeline.append(10, accounts: [account])
                let poison = try await pipeline.store.append(AppendRequest(
                    stream: newStream(), accountID: account, events: [event("run.failed", #"{"poison":true}"#)]
                ))
                try await pipeline.append(10, accounts: [account])

                // Everything else is applied once, the poison never; it was tried 3 times and parked.
                #expect(try await eventually { counter.counters.parked == 1 })
                // The poison can be parked before the events after it are all applied: wait for those too.
                #expect(try await eventually { try await CountingConsumer.counted(pipeline) == 20 })
                #expect(try await CountingConsumer.maxTimesApplied(pipeline) == 1)
                #expect(counter.counters.retried == 2)

                let letters = try DeadLetters(consumer: "poisoned", amqp: pipeline.amqp, topology: pipeline.topology, logger: TestServers.logger)
                let parked = try await letters.list()
                #expect(parked.count == 1)
                #expect(parked.first?.position == poison.lastPosition && parked.first?.type == "run.failed")
                #expect(parked.first?.attempts == 3)
                #expect(parked.first?.error.contains("poisoned event") == true)
                // Listing leaves it parked.
                #expect(try await letters.list().count == 1)

                // Cured, a replay applies it once, and the parking queue is empty.
                try await pipeline.client.query("DELETE FROM poison_switch", logger: TestServers.logger)
                let replayed = try await letters.replay()
                #expect(replayed.map(\.position) == [poison.lastPosition])
                #expect(try await eventually { try await CountingConsumer.counted(pipeline) == 21 })
                #expect(try await CountingConsumer.maxTimesApplied(pipeline) == 1)
                #expect(try await letters.list().isEmpty)
            }
        }
    }

    @Test func aMalformedMessageIsParkedAtOnceAndADuplicateHasNoSecondEffect() async throws {
        try await withPipeline { pipeline in
            let counter = try CountingConsumer.runtime(pipeline, name: "strict")
            try await counter.declared()
            try await whileRunning([counter]) {
                let position = try await pipeline.append(1, accounts: [UUID.v7()])
                let recorded = try await pipeline.store.readAll(after: position - 1)[0]
                let message = EventMessages.message(for: recorded, exchange: pipeline.topology.exchange)
                var malformed = message
                malformed.headers.removeAll { $0.name == "account_id" }
                malformed.messageID = UUID.v7().lowercasedString
                // The same event three times (a relay that crashed before its checkpoint), and one broken.
                let outcomes = try await AMQPConnection.withConnection(to: pipeline.amqp, name: "test", logger: TestServers.logger) { connection in
                    try await connection.publish([message, malformed, message]) + connection.publish([message])
                }
                #expect(outcomes == [.confirmed, .confirmed, .confirmed, .confirmed])
                #expect(try await eventually { counter.counters.duplicates == 2 && counter.counters.parked == 1 })
                #expect(try await CountingConsumer.counted(pipeline) == 1)
                #expect(try await CountingConsumer.maxTimesApplied(pipeline) == 1)
                let parked = try await DeadLetters(consumer: "strict", amqp: pipeline.amqp, topology: pipeline.topology, logger: TestServers.logger).list()
                #expect(parked.count == 1 && parked[0].error.contains("account_id"))
                #expect(parked[0].attempts == 1)
            }
        }
    }
}
