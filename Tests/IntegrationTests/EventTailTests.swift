import CanopyTesting
@testable import Core
import Foundation
import PostgresNIO
import Testing

@Suite struct EventTailTests {
    /// With polling set to an hour, only a NOTIFY from another connection's commit can wake the tail.
    @Test func aNotifyFromAnotherWriterWakesTheTail() async throws {
        try await withEventStore({ $0.pollInterval = .seconds(3600) }) { store, database in
            let request = AppendRequest(stream: newStream(), accountID: UUID.v7(), events: [event()])
            let received = try await withThrowingTaskGroup(of: RecordedEvent?.self) { group in
                group.addTask {
                    var iterator = store.tail(after: 0).makeAsyncIterator()
                    return try await iterator.next()
                }
                group.addTask {
                    // Once the tail is waiting (its first read found nothing), write from a raw connection.
                    try await Task.sleep(for: .milliseconds(300))
                    _ = try await database.withRawConnection { connection in
                        try await AppendStatement.run([request], on: connection, logger: TestServers.logger)
                    }
                    try await Task.sleep(for: .seconds(30))   // a bound, not a wait: the tail answers long before
                    return nil
                }
                let first = try await group.next() ?? nil
                group.cancelAll()
                return first
            }
            #expect(received?.id == request.events[0].id)
        }
    }

    /// Without LISTEN, a caught-up tail still finds new events by polling.
    @Test func withoutNotificationsTheTailPolls() async throws {
        try await withEventStore({ $0.listensForAppends = false; $0.pollInterval = .milliseconds(50) }) { store, database in
            let request = AppendRequest(stream: newStream(), accountID: UUID.v7(), events: [event(), event()])
            let received = try await withThrowingTaskGroup(of: [RecordedEvent].self) { group in
                group.addTask {
                    var events: [RecordedEvent] = []
                    for try await event in store.tail(after: 0) {
                        events.append(event)
                        if events.count == 2 { break }
                    }
                    return events
                }
                try await Task.sleep(for: .milliseconds(200))
                _ = try await database.withRawConnection { connection in
                    try await AppendStatement.run([request], on: connection, logger: TestServers.logger)
                }
                return try await group.next() ?? []
            }
            #expect(received.map(\.id) == request.events.map(\.id))
        }
    }

    @Test func aTailStartsAfterTheGivenPosition() async throws {
        try await withEventStore { store, _ in
            let stream = newStream()
            _ = try await store.append(AppendRequest(stream: stream, accountID: UUID.v7(), events: (0..<5).map { _ in event() }))
            var iterator = store.tail(after: 3).makeAsyncIterator()
            #expect(try await iterator.next()?.position == 4)
            #expect(try await iterator.next()?.position == 5)
        }
    }
}

@Suite struct ListeningOnDemandTests {
    /// Connections of this database whose last statement was LISTEN: the store's listener, if it listens.
    func listeners(_ database: TestDatabase) async throws -> Int {
        let rows = try await database.client.query(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ~* '^\\s*LISTEN'",
            logger: TestServers.logger)
        for try await count in rows.decode(Int.self) { return count }
        return 0
    }

    @Test func theStoreListensOnlyWhileSomebodyWaits() async throws {
        try await withEventStore({ $0.listenLinger = .milliseconds(200); $0.pollInterval = .seconds(3600) }) { store, database in
            _ = try await store.append(AppendRequest(stream: newStream(), accountID: UUID.v7(), events: [event()]))
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await listeners(database) == 0, "appending alone listens to nothing")

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { for try await _ in store.tail(after: 1) {} }
                var listening = 0
                for _ in 0..<50 where listening == 0 {
                    try await Task.sleep(for: .milliseconds(100))
                    listening = try await listeners(database)
                }
                #expect(listening == 1, "a waiting tail makes the store listen")
                group.cancelAll()
            }
            var remaining = 1
            for _ in 0..<50 where remaining > 0 {
                try await Task.sleep(for: .milliseconds(100))
                remaining = try await listeners(database)
            }
            #expect(remaining == 0, "the store stops listening once nobody waits")
        }
    }
}
