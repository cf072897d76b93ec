public import Core
public import Foundation
import Logging

/// Runs `body` with an event store serving a fresh test database.
public func withEventStore<T: Sendable>(
    _ configure: @Sendable (inout EventStore.Configuration) -> Void = { _ in },
    _ body: @Sendable (EventStore, TestDatabase) async throws -> T
) async throws -> T {
    try await TestDatabase.with { database in
        var configuration = EventStore.Configuration()
        configure(&configuration)
        let store = EventStore(client: database.client, configuration: configuration, logger: TestServers.logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(store, database)
        }
    }
}

public func event(_ type: String = "account.renamed", _ data: String = #"{"name":"Acme"}"#, id: UUID = .v7()) -> NewEvent {
    NewEvent(id: id, type: type, data: data, metadata: EventMetadata(actor: "system:test", correlationID: UUID.v7(), requestID: "req-1"))
}

public func newStream(_ category: String = "account") -> StreamName {
    // Category and a v7 id are always valid.
    try! StreamName(category: category, id: .v7())
}

/// The code of the `EventLogError` `body` throws, or nil if it does not throw one.
public func eventLogErrorCode(_ body: () async throws -> Void) async -> EventLogError.Code? {
    do { try await body(); return nil } catch let error as EventLogError { return error.code } catch { return nil }
}
