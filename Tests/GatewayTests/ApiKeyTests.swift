import CanopyTesting
import Core
import Foundation
import Gateway
import Testing

/// API keys over HTTP: shown once, only their chosen permissions, on their account's domain, last use
/// recorded, refused once revoked or expired.
@Suite struct ApiKeyTests {
    func create(_ gateway: GatewayHarness, for account: UUID, token: String, expiresAt: String? = nil) async throws -> GatewayHarness.Reply {
        let expiry = expiresAt.map { #", "expires_at": "\#($0)""# } ?? ""
        return try await gateway.call(.post, "/api/v1/accounts/\(account.lowercasedString)/api-keys", token: token, body: """
            {"name": "CRM sync", "permissions": [{"permission": "accounts.read", "scope": "account"}]\(expiry)}
            """)
    }

    @Test func aKeyOpensOnlyWhatItWasGivenOnItsAccountsDomain() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test")
            let admin = try await gateway.login()
            let created = try await create(gateway, for: client, token: admin.access)
            #expect(created.status == .created, "\(created.text)")
            let key = try #require(created.string("key"))
            #expect(key.hasPrefix("ck_"))
            let account = "/api/v1/accounts/\(client.lowercasedString)"
            #expect(try await gateway.call(.get, account, host: "client.test", token: key).status == .ok)
            // Not a permission it holds; not a route for people; not another domain.
            let tenants = try await gateway.call(.get, account + "/tenants", host: "client.test", token: key)
            #expect(tenants.status == .forbidden && tenants.errorCode == "permission.denied")
            let me = try await gateway.call(.get, "/api/v1/me", host: "client.test", token: key)
            #expect(me.status == .forbidden && me.errorCode == "auth.user_required")
            #expect(try await gateway.call(.get, account, token: key).status == .unauthorized)
            // A tampered secret is no key.
            let tampered = String(key.dropLast()) + (key.hasSuffix("A") ? "B" : "A")
            #expect(try await gateway.call(.get, account, host: "client.test", token: tampered).status == .unauthorized)
            // Listed without its secret, with its last use.
            let listed = try await gateway.call(.get, account + "/api-keys", token: admin.access)
            let keys = try #require(listed.json()["api_keys"] as? [[String: Any]])
            #expect(keys.count == 1 && keys[0]["last_used_at"] is String && keys[0]["revoked"] as? Bool == false)
            #expect(!listed.text.contains(String(key.suffix(43))) && !listed.text.contains(ApiKeySecrets.hash(key)))
            let used = try await gateway.metadata(ofType: ApiKeyUsed.type)
            #expect(used.count == 1 && used[0].contains("api_key:\(created.string("id")!.lowercased())"))
        }
    }

    @Test func revokedAndExpiredKeysAreRefused() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test")
            let admin = try await gateway.login()
            let account = "/api/v1/accounts/\(client.lowercasedString)"
            let created = try await create(gateway, for: client, token: admin.access)
            let key = try #require(created.string("key")), id = try #require(created.string("id"))
            #expect(try await gateway.call(.get, account, host: "client.test", token: key).status == .ok)
            #expect(try await gateway.call(.delete, account + "/api-keys/\(id)", token: admin.access).status == .ok)
            let revoked = try await gateway.call(.get, account, host: "client.test", token: key)
            #expect(revoked.status == .unauthorized && revoked.errorCode == "auth.invalid_token")

            // Wide enough that a busy machine (the whole suite runs at once) still uses the key before it expires.
            let expiry = Date().addingTimeInterval(4)
            let expiring = try await create(gateway, for: client, token: admin.access, expiresAt: RFC3339.string(from: expiry))
            let short = try #require(expiring.string("key"))
            #expect(try await gateway.call(.get, account, host: "client.test", token: short).status == .ok)
            try await Task.sleep(for: .seconds(expiry.timeIntervalSinceNow + 0.2))
            #expect(try await gateway.call(.get, account, host: "client.test", token: short).status == .unauthorized)
        }
    }

    @Test func aKeyCarriesNoMoreThanItsMakerAndNoImpersonation() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test")
            let admin = try await gateway.login()
            let rows = try await gateway.logRowCount()
            for (body, field) in [
                (#"{"name": "x", "permissions": [{"permission": "platform.impersonate", "scope": "subtree"}]}"#, "permissions"),
                (#"{"name": "x", "permissions": [{"permission": "no.such", "scope": "account"}]}"#, "permissions.0.permission"),
                (#"{"name": "x", "permissions": []}"#, "permissions"),
                (#"{"name": "x", "permissions": [{"permission": "stats.read", "scope": "account"}], "expires_at": "2001-01-01T00:00:00Z"}"#, "expires_at"),
            ] {
                let refused = try await gateway.call(.post, "/api/v1/accounts/\(client.lowercasedString)/api-keys", token: admin.access, body: body)
                #expect([.badRequest, .unprocessableContent].contains(refused.status) && refused.errorFields[field] != nil, "\(body) → \(refused.text)")
            }
            #expect(try await gateway.logRowCount() == rows)
        }
    }
}
