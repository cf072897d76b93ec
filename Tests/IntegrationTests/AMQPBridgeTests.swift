import CanopyTesting
import Core
import Foundation
import Testing

/// The bridge against the real RabbitMQ node ops/test started.
@Suite struct AMQPBridgeTests {
    func connect(heartbeat: Duration = .seconds(10)) async throws -> AMQPConnection {
        var configuration = AMQPConnection.Configuration()
        configuration.heartbeat = heartbeat
        return try await AMQPConnection.connect(to: try TestServers.amqp(), name: "test", configuration: configuration, logger: TestServers.logger)
    }

    func queueName() -> String { "test.\(UUID().uuidString.lowercased())" }

    @Test func publishesWithConfirmsAndConsumesInOrderWithHeaders() async throws {
        let connection = try await connect()
        let queue = queueName()
        try await connection.declareQueue(queue)
        let messages = (0..<2_000).map { index in
            AMQPMessage(exchange: "", routingKey: queue, body: Array(#"{"n":\#(index)}"#.utf8), messageID: "m-\(index)",
                        headers: [("position", .int(Int64(index))), ("type", .string("test.happened"))])
        }
        // Several batches in flight at once.
        let outcomes = try await withThrowingTaskGroup(of: [AMQPPublishOutcome].self) { group in
            for start in stride(from: 0, to: messages.count, by: 500) {
                let slice = Array(messages[start..<start + 500])
                group.addTask { try await connection.publish(slice) }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(outcomes.count == 2_000 && outcomes.allSatisfy { $0 == .confirmed })
        #expect(try await connection.messageCount(queue) == 2_000)

        let deliveries = try await connection.consume(queue: queue, prefetch: 100)
        var received: [AMQPDelivery] = []
        while received.count < 2_000 {
            let batch = try await deliveries.next(max: 64)
            #expect(batch.count <= 64)
            received += batch
            try await connection.ack(batch.last!, multiple: true)
        }
        let positions = received.map { $0.header("position")?.int ?? -1 }
        // One publisher per batch: each batch's messages stay in order among themselves.
        #expect(Set(positions) == Set(0..<2_000))
        let first = received.first { $0.messageID == "m-7" }
        #expect(first?.body == Array(#"{"n":7}"#.utf8))
        #expect(first?.header("type") == .string("test.happened"))
        try await connection.deleteQueue(queue)
        await connection.close()
    }

    @Test func anUnroutableMandatoryMessageComesBackReturned() async throws {
        let connection = try await connect()
        let outcome = try await connection.publish([
            AMQPMessage(exchange: "", routingKey: queueName(), body: [1], messageID: "lost", mandatory: true),
        ])
        #expect(outcome == [.returned])
        await connection.close()
    }

    @Test func aBrokerRefusalIsATypedErrorAndFailsTheConnectionCleanly() async throws {
        let connection = try await connect()
        let queue = queueName()
        try await connection.declareQueue(queue, arguments: [("x-message-ttl", .int(1_000))])
        // Same queue, other arguments: 406 PRECONDITION_FAILED.
        let error = await #expect(throws: AMQPError.self) { try await connection.declareQueue(queue) }
        #expect(error?.code == .closedByBroker && error?.replyCode == 406)
        // The connection is gone for good; later calls say so instead of hanging.
        let later = await #expect(throws: AMQPError.self) { try await connection.messageCount(queue) }
        #expect(later?.code == .closedByBroker)
        await connection.close()

        let other = try await connect()
        let missing = await #expect(throws: AMQPError.self) { try await other.messageCount(queueName()) }
        #expect(missing?.replyCode == 404)
        await other.close()
        let cleanup = try await connect()
        try await cleanup.deleteQueue(queue)
        await cleanup.close()
    }

    @Test func heartbeatsKeepAnIdleConnectionOpen() async throws {
        // With a 1 s heartbeat the broker drops a silent client after about 2 s.
        let connection = try await connect(heartbeat: .seconds(1))
        try await Task.sleep(for: .seconds(4))
        #expect(connection.failure == nil)
        let queue = queueName()
        try await connection.declareQueue(queue)
        let outcome = try await connection.publish([AMQPMessage(exchange: "", routingKey: queue, body: [1], messageID: "x")])
        #expect(outcome == [.confirmed])
        try await connection.deleteQueue(queue)
        await connection.close()
    }

    @Test func closingEndsWhatWaitsWithATypedError() async throws {
        let connection = try await connect()
        let queue = queueName()
        try await connection.declareQueue(queue)
        let deliveries = try await connection.consume(queue: queue, prefetch: 10)
        let waiting = Task { try await deliveries.next() }
        try await Task.sleep(for: .milliseconds(100))
        await connection.close()
        let error = await #expect(throws: AMQPError.self) { _ = try await waiting.value }
        #expect(error?.code == .closed)
        let after = await #expect(throws: AMQPError.self) { try await connection.declareQueue(queue) }
        #expect(after?.code == .closed)
        let cleanup = try await connect()
        try await cleanup.deleteQueue(queue)
        await cleanup.close()
    }

    @Test func unreachableBrokersAndBadCredentialsAreTypedErrors() async throws {
        let endpoint = try TestServers.amqp()
        var closedPort = endpoint
        closedPort.port = 1
        let unreachable = await #expect(throws: AMQPError.self) {
            _ = try await AMQPConnection.connect(to: closedPort, name: "test", logger: TestServers.logger)
        }
        #expect(unreachable?.code == .connectFailed)
        var wrongPassword = endpoint
        wrongPassword.password = "not-the-password"
        let refused = await #expect(throws: AMQPError.self) {
            _ = try await AMQPConnection.connect(to: wrongPassword, name: "test", logger: TestServers.logger)
        }
        #expect(refused?.code == .loginRefused)
    }
}
