import CanopyTesting
import Core
import Foundation
import Projections
import Testing

/// The identity view reads only identity events from the log, without the fields it has no use for.
@Suite struct IdentityViewTests {
    let account = UUID.v7()

    func append(_ store: EventStore, _ stream: StreamName, _ type: String, _ data: String) async throws -> Int64 {
        try await store.append(AppendRequest(stream: stream, accountID: account, events: [NewEvent(type: type, data: data, metadata: .init(actor: "system:test"))])).lastPosition
    }

    @Test func itMovesPastOtherEventsAndNeverReadsALogosBytes() async throws {
        try await withEventStore { store, _ in
            let tenant = UUID.v7()
            // Bytes that are not even base64: decoding them would stop the view (an identity event that does not
            // decode is a bug it refuses to fold past). Left out of its reads, they are never decoded.
            let upload = #"{"tenant_id": "\#(tenant.lowercasedString)", "owner_account_id": "\#(account.lowercasedString)", "#
                + #""logo": {"sha256": "\#(String(repeating: "a", count: 64))", "content_type": "image/png", "size": 3}, "bytes": "not base64!"}"#
            _ = try await append(store, IdentityStreams.tenant(tenant), TenantLogoUploaded.type, upload)
            // Events of other kinds after it, last in the log: the view's position still reaches them.
            var last: Int64 = 0
            for _ in 0..<3 { last = try await append(store, try StreamName(category: "bench", id: .v7()), "bench.appended", "{}") }

            let view = IdentityView(store: store, logger: TestServers.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await view.run() }
                defer { group.cancelAll() }
                #expect(await view.waitUntilApplied(last, timeout: .seconds(10)))
                // And later ones, read while it tails the log.
                let later = try await append(store, try StreamName(category: "bench", id: .v7()), "bench.appended", "{}")
                #expect(await view.waitUntilApplied(later, timeout: .seconds(10)))
            }
        }
    }
}
