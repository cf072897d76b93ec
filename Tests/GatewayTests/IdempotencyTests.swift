import CanopyTesting
import Core
import Foundation
import Gateway
import HTTPTypes
import Testing

/// `Idempotency-Key` on writes: a repeat gets the first reply and appends nothing; the same key with another
/// body is refused; a failed attempt frees the key; concurrent repeats make one resource.
@Suite struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!

    func createSubAccount(_ gateway: GatewayHarness, token: String, key: String, name: String) async throws -> GatewayHarness.Reply {
        try await gateway.call(.post, "/api/v1/accounts/\(gateway.master.lowercasedString)/sub-accounts", token: token, body: """
            {"name": "\(name)", "owner": {"email": "owner@\(name.lowercased().replacingOccurrences(of: " ", with: "-")).test", "name": "Owner"}}
            """, headers: [Self.key: key])
    }

    @Test func aRepeatGetsTheFirstReplyAndAppendsNothing() async throws {
        try await withGateway { gateway in
            let token = try await gateway.login().access
            let first = try await createSubAccount(gateway, token: token, key: "create-acme-1", name: "Acme")
            #expect(first.status == .created, "\(first.text)")
            let rows = try await gateway.logRowCount()
            let again = try await createSubAccount(gateway, token: token, key: "create-acme-1", name: "Acme")
            #expect(again.status == .created && again.text == first.text && again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try await gateway.logRowCount() == rows)
            // Same key, another request: refused, nothing written.
            let other = try await createSubAccount(gateway, token: token, key: "create-acme-1", name: "Other")
            #expect(other.status == .unprocessableContent && other.errorCode == "idempotency.key_reused")
            #expect(try await gateway.logRowCount() == rows)
            // Another key is another request.
            let fresh = try await createSubAccount(gateway, token: token, key: "create-acme-2", name: "Acme Two")
            #expect(fresh.status == .created && fresh.string("id") != first.string("id"))
            // Invariant 2: each kept reply belongs to the account its caller acted in.
            let owners = try await gateway.database.client.checkedQuery("SELECT DISTINCT account_id FROM request_replies", logger: TestServers.logger) { rows in
                var ids: [UUID] = []
                for try await id in rows.decode(UUID.self) { ids.append(id) }
                return ids
            }
            #expect(owners == [gateway.master])
        }
    }

    @Test func aFailedAttemptFreesTheKeyAndBadKeysAreRefused() async throws {
        try await withGateway { gateway in
            let token = try await gateway.login().access
            let path = "/api/v1/accounts/\(gateway.master.lowercasedString)/sub-accounts"
            let invalid = try await gateway.call(.post, path, token: token, body: #"{"name": "Bad", "owner": {"email": "nope", "name": "O"}}"#,
                                                 headers: [Self.key: "k-1"])
            #expect(invalid.status == .badRequest)
            let corrected = try await gateway.call(.post, path, token: token, body: #"{"name": "Good", "owner": {"email": "o@good.test", "name": "O"}}"#,
                                                   headers: [Self.key: "k-1"])
            #expect(corrected.status == .created, "\(corrected.text)")
            for bad in [String(repeating: "k", count: 256), "has space"] {
                let refused = try await createSubAccount(gateway, token: token, key: bad, name: "Bad Key")
                #expect(refused.status == .badRequest && refused.errorCode == "request.invalid_idempotency_key")
            }
        }
    }

    @Test func concurrentRepeatsMakeOneResource() async throws {
        try await withGateway { gateway in
            let token = try await gateway.login().access
            let replies = try await withThrowingTaskGroup(of: GatewayHarness.Reply.self) { group in
                for _ in 0..<8 { group.addTask { try await createSubAccount(gateway, token: token, key: "race-1", name: "Racer") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let created = replies.filter { $0.status == .created }
            // Each is the one reply or "still running"; never a second account.
            #expect(replies.allSatisfy { $0.status == .created || $0.errorCode == "idempotency.in_progress" }, "\(replies.map(\.text))")
            #expect(Set(created.compactMap { $0.string("id") }).count == 1)
            #expect(gateway.view.read { $0.directory.children[gateway.master]?.count } == 1)
        }
    }
}
