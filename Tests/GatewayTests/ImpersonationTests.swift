import CanopyTesting
import Core
import Foundation
import Gateway
import Testing

/// Impersonation over HTTP: a short token on the client's domain, acting as its owner, no refresh, every
/// event meanwhile naming the super admin, ended or expired for good.
@Suite struct ImpersonationTests {
    @Test func aSuperAdminActsAsTheOwnerAndEveryEventNamesThem() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test")
            let admin = try await gateway.login()
            let started = try await gateway.call(.post, "/api/v1/accounts/\(client.lowercasedString)/impersonations", token: admin.access, body: "{}")
            #expect(started.status == .created, "\(started.text)")
            #expect(started.json()["refresh_token"] == nil && started.string("domain") == "client.test" && started.int("expires_in") == 900)
            let token = try #require(started.string("access_token"))
            let superAdmin = IdentityState.userID(forEmail: GatewayHarness.adminEmail).lowercasedString
            let me = try await gateway.call(.get, "/api/v1/me", host: "client.test", token: token)
            #expect(me.status == .ok && me.string("user_id") == IdentityState.userID(forEmail: "owner@client.test").lowercasedString)
            #expect(me.string("impersonator_id") == superAdmin)
            // Good on the client's domain only.
            #expect(try await gateway.call(.get, "/api/v1/me", token: token).status == .unauthorized)
            // A write meanwhile: the owner acts, the super admin is on record.
            let group = gateway.view.read { state in state.groupsOfAccount[client]!.first { state.groups[$0]?.predefined == "agent" }! }
            let renamed = try await gateway.call(.patch, "/api/v1/accounts/\(client.lowercasedString)/groups/\(group.lowercasedString)", host: "client.test",
                                                 token: token, body: #"{"name": "Field agents"}"#)
            #expect(renamed.status == .ok, "\(renamed.text)")
            let metadata = try #require(try await gateway.metadata(ofType: GroupRenamed.type).last)
            #expect(metadata.contains("\"impersonator_id\": \"\(superAdmin)\""), "\(metadata)")
            #expect(try await gateway.metadata(ofType: ImpersonationStarted.type).count == 1)
            // No refresh: the access token is not a refresh token, and there is no other.
            let refresh = try await gateway.call(.post, "/api/v1/auth/refresh", host: "client.test", body: #"{"refresh_token": "\#(token)"}"#)
            #expect(refresh.status == .unauthorized)
        }
    }

    @Test func endingItKillsTheTokenAndOnlyItsStarterOrItselfMayEndIt() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test", password: "owner-password-1")
            let admin = try await gateway.login()
            let started = try await gateway.call(.post, "/api/v1/accounts/\(client.lowercasedString)/impersonations", token: admin.access, body: "{}")
            let token = try #require(started.string("access_token")), id = try #require(started.string("impersonation_id"))
            // The owner, signed in for real, cannot end someone else's impersonation of them: it is not theirs.
            let owner = try await gateway.login("owner@client.test", password: "owner-password-1", host: "client.test")
            let foreign = try await gateway.call(.delete, "/api/v1/impersonations/\(id)", host: "client.test", token: owner.access)
            #expect(foreign.status == .notFound && foreign.errorCode == "impersonation.not_found", "\(foreign.status) \(foreign.text)")
            let ended = try await gateway.call(.delete, "/api/v1/impersonations/\(id)", host: "client.test", token: token)
            #expect(ended.status == .ok, "\(ended.text)")
            let after = try await gateway.call(.get, "/api/v1/me", host: "client.test", token: token)
            #expect(after.status == .unauthorized && after.errorCode == "auth.access_revoked")
            #expect(try await gateway.metadata(ofType: ImpersonationEnded.type).count == 1)
        }
    }

    @Test func itExpiresAndOnlyASuperAdminMayStartOne() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test", password: "owner-password-1")
            let admin = try await gateway.login()
            let started = try await gateway.call(.post, "/api/v1/accounts/\(client.lowercasedString)/impersonations", token: admin.access,
                                                 body: #"{"lifetime_seconds": 4}"#)
            let token = try #require(started.string("access_token"))
            // A JWT's exp is whole seconds (jwt-kit truncates), so a 1 s token may live only a few ms: with 4 s
            // it lives at least three, time enough for the first call even while the whole suite runs (a
            // 1 s window once proved too short for an API key).
            #expect(try await gateway.call(.get, "/api/v1/me", host: "client.test", token: token).status == .ok)
            try await Task.sleep(for: .milliseconds(4_100))
            #expect(try await gateway.call(.get, "/api/v1/me", host: "client.test", token: token).status == .unauthorized)
            for lifetime in [0, 901] {
                let refused = try await gateway.call(.post, "/api/v1/accounts/\(client.lowercasedString)/impersonations", token: admin.access,
                                                     body: #"{"lifetime_seconds": \#(lifetime)}"#)
                #expect(refused.status == .badRequest && refused.errorFields["lifetime_seconds"] != nil)
            }
            // The client's own admin may not impersonate anyone, not even in its own subtree.
            let owner = try await gateway.login("owner@client.test", password: "owner-password-1", host: "client.test")
            let denied = try await gateway.call(.post, "/api/v1/accounts/\(client.lowercasedString)/impersonations", host: "client.test",
                                                token: owner.access, body: "{}")
            #expect(denied.status == .forbidden && denied.errorCode == "permission.denied")
        }
    }
}
