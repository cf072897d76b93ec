import CanopyTesting
import Core
import Foundation
import Testing

/// A user's own password: proved, changed, every other session signed out; never by an impersonator or a key.
@Suite struct PasswordChangeTests {
    static let newPassword = "a brand new passphrase"

    func change(_ gateway: GatewayHarness, token: String, current: String = GatewayHarness.password, new: String = newPassword,
                host: String = GatewayHarness.platformDomain) async throws -> GatewayHarness.Reply {
        try await gateway.call(.put, "/api/v1/me/password", host: host, token: token,
                               body: #"{"current_password": "\#(current)", "new_password": "\#(new)"}"#)
    }

    @Test func theNewPasswordLogsInAndTheOtherSessionsAreSignedOut() async throws {
        try await withGateway { gateway in
            let here = try await gateway.login(), elsewhere = try await gateway.login()
            let changed = try await change(gateway, token: here.access)
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(try await gateway.login().reply.status == .unauthorized, "the old password")
            #expect(try await gateway.login(password: Self.newPassword).reply.status == .ok)
            // The session that changed it goes on; the other one is over, refresh token and all.
            let kept = try await gateway.call(.post, "/api/v1/auth/refresh", body: #"{"refresh_token": "\#(here.refresh)"}"#)
            let ended = try await gateway.call(.post, "/api/v1/auth/refresh", body: #"{"refresh_token": "\#(elsewhere.refresh)"}"#)
            #expect(kept.status == .ok && ended.status == .unauthorized)
            // Its access token too, at once rather than when it expires.
            #expect(try await gateway.call(.get, "/api/v1/me", token: elsewhere.access).status == .unauthorized)
            #expect(try await gateway.call(.get, "/api/v1/me", token: here.access).status == .ok)
            let revoked = try await gateway.metadata(ofType: SessionRevoked.type)
            #expect(revoked.count == 1)
        }
    }

    @Test func aWrongCurrentPasswordOrAWeakNewOneChangesNothing() async throws {
        try await withGateway(configure: { $0.loginPerEmail.limit = 2 }) { gateway in
            let session = try await gateway.login()
            let before = try await gateway.logRowCount()
            let wrong = try await change(gateway, token: session.access, current: "not the password")
            #expect(wrong.status == .forbidden && wrong.errorCode == "auth.wrong_password" && wrong.errorFields["current_password"] != nil)
            let weak = try await change(gateway, token: session.access, new: "short")
            #expect(weak.status == .badRequest && weak.errorFields["new_password"] != nil)
            #expect(try await gateway.logRowCount() == before)
            // Guessing the current password is a login attempt for the email: with the login above and the wrong
            // guess (a weak new password is refused before it counts), a second guess is over the limit of 2.
            let limited = try await change(gateway, token: session.access, current: "another guess")
            #expect(limited.status == .tooManyRequests)
            #expect(try await gateway.login().reply.status == .tooManyRequests)
        }
    }

    @Test func neitherAnImpersonatorNorAnApiKeyMayChangeIt() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test", password: "owner password 1")
            let admin = try await gateway.login()
            let impersonation = try await gateway.call(.post, "/api/v1/accounts/\(client.lowercasedString)/impersonations", token: admin.access, body: "{}")
            let acting = try #require(impersonation.string("access_token"))
            let byImpersonator = try await change(gateway, token: acting, current: "owner password 1", host: "client.test")
            #expect(byImpersonator.status == .forbidden && byImpersonator.errorCode == "impersonation.not_allowed", "\(byImpersonator.text)")
            let key = try await gateway.call(.post, "/api/v1/accounts/\(client.lowercasedString)/api-keys", token: admin.access, body: """
                {"name": "CRM", "permissions": [{"permission": "accounts.read", "scope": "account"}]}
                """).string("key")
            let byKey = try await change(gateway, token: try #require(key), current: "owner password 1", host: "client.test")
            #expect(byKey.status == .forbidden && byKey.errorCode == "auth.user_required")
            #expect(try await gateway.login("owner@client.test", password: "owner password 1", host: "client.test").reply.status == .ok)
        }
    }
}
