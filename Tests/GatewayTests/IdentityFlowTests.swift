import CanopyTesting
import Core
import Foundation
import Gateway
import Testing

/// The identity API end to end over HTTP and a real PostgreSQL: logins per domain, tokens, the tree.
@Suite struct IdentityFlowTests {
    /// The README's walkthrough: the super admin creates a reseller with its own tenant domain, and the
    /// reseller's owner logs in through that domain (and only there).
    @Test func aResellerGetsItsOwnDomainAndItsOwnerLogsInThere() async throws {
        try await withGateway { gateway in
            let admin = try await gateway.login()
            #expect(admin.reply.status == .ok, "\(admin.reply.text)")
            let master = gateway.master.lowercasedString
            let created = try await gateway.call(.post, "/api/v1/accounts/\(master)/sub-accounts", token: admin.access, body: """
                {"name": "Acme Reseller", "roles": ["account_admin", "tenant_admin", "user_admin"],
                 "owner": {"email": "boss@acme.test", "name": "Boss", "password": "boss-password-1"}}
                """)
            #expect(created.status == .created, "\(created.text)")
            let reseller = try #require(created.string("id"))
            // Ids go out in the canonical lowercase form, and are taken in either case (here uppercase).
            #expect(UUID(hyphenated: reseller)?.lowercasedString == reseller)
            // The owner's account is bound to the platform tenant until it has its own.
            let tenant = try await gateway.call(.post, "/api/v1/accounts/\(reseller.uppercased())/tenants", token: admin.access, body: """
                {"primary_domain": "app.acme.test", "branding": {"display_name": "Acme", "primary_color": "#112233"}}
                """)
            #expect(tenant.status == .created, "\(tenant.text)")
            let tenantID = try #require(tenant.string("id"))
            // The reseller's owner makes a client bound to the new tenant, then that client's owner logs in there.
            let boss = try await gateway.login("boss@acme.test", password: "boss-password-1")
            #expect(boss.reply.status == .ok && boss.reply.string("account_id") == reseller)
            let client = try await gateway.call(.post, "/api/v1/accounts/\(reseller)/sub-accounts", token: boss.access, body: """
                {"name": "Client One", "tenant_id": "\(tenantID.uppercased())", "owner": {"email": "owner@client.test", "name": "Owner", "password": "client-password-1"}}
                """)
            #expect(client.status == .created, "\(client.text)")
            let branded = try await gateway.call(.get, "/api/v1/tenant", host: "app.acme.test")
            #expect(branded.status == .ok && branded.text.contains("\"Acme\""))
            let clientLogin = try await gateway.login("owner@client.test", password: "client-password-1", host: "app.acme.test")
            #expect(clientLogin.reply.status == .ok, "\(clientLogin.reply.text)")
            #expect(clientLogin.reply.string("account_id") == client.string("id"))
            // Not on the platform's domain: no account of this user is bound to it.
            #expect(try await gateway.login("owner@client.test", password: "client-password-1").reply.status == .unauthorized)
            // Its token is refused on any other host.
            #expect(try await gateway.call(.get, "/api/v1/me", token: clientLogin.access).status == .unauthorized)
            #expect(try await gateway.call(.get, "/api/v1/me", host: "app.acme.test", token: clientLogin.access).status == .ok)
            // An unknown host gets a 404 that says nothing.
            let unknown = try await gateway.call(.get, "/api/v1/tenant", host: "nobody.test")
            #expect(unknown.status == .notFound && unknown.errorCode == "route.not_found")
        }
    }

    @Test func refreshRotatesAndReusingAnOldTokenRevokesTheFamily() async throws {
        try await withGateway { gateway in
            let first = try await gateway.login()
            let rotated = try await gateway.call(.post, "/api/v1/auth/refresh", body: #"{"refresh_token": "\#(first.refresh)"}"#)
            #expect(rotated.status == .ok)
            let second = try #require(rotated.string("refresh_token"))
            #expect(second != first.refresh)
            // The first token again: refused, and the family is gone, the new token included.
            let reuse = try await gateway.call(.post, "/api/v1/auth/refresh", body: #"{"refresh_token": "\#(first.refresh)"}"#)
            #expect(reuse.status == .unauthorized && reuse.errorCode == "auth.invalid_refresh_token")
            #expect(try await gateway.call(.post, "/api/v1/auth/refresh", body: #"{"refresh_token": "\#(second)"}"#).status == .unauthorized)
            // Access tokens of the revoked session stop working too.
            #expect(try await gateway.call(.get, "/api/v1/me", token: rotated.string("access_token")).status == .unauthorized)
            let events = gateway.view.read { state in state.sessions.values.filter { $0.revoked == "reuse_detected" }.count }
            #expect(events == 1)
        }
    }

    @Test func logoutRevokesAndSessionsAreListedAndRevocable() async throws {
        try await withGateway { gateway in
            let phone = try await gateway.login(), laptop = try await gateway.login()
            let list = try await gateway.call(.get, "/api/v1/sessions", token: laptop.access)
            #expect((list.json()["sessions"] as? [Any])?.count == 2)
            let phoneSession = try #require(gateway.view.read { state in
                state.sessions.values.first { $0.tokenHash == RefreshTokens.hash(phone.refresh) }?.id
            })
            #expect(try await gateway.call(.delete, "/api/v1/sessions/\(phoneSession.lowercasedString)", token: laptop.access).status == .ok)
            #expect(try await gateway.call(.post, "/api/v1/auth/refresh", body: #"{"refresh_token": "\#(phone.refresh)"}"#).status == .unauthorized)
            #expect(try await gateway.call(.post, "/api/v1/auth/logout", body: #"{"refresh_token": "\#(laptop.refresh)"}"#).status == .ok)
            #expect(try await gateway.call(.get, "/api/v1/me", token: laptop.access).status == .unauthorized)
        }
    }

    @Test func expiredForgedAndWrongHostTokensAreRefused() async throws {
        try await withGateway { gateway in
            let admin = gateway.view.read { $0.users.values.first { $0.email == GatewayHarness.adminEmail }!.id }
            let platform = IdentityState.tenantID(forDomain: GatewayHarness.platformDomain)
            let expired = try await gateway.token(user: admin, account: gateway.master, tenant: platform, expiresIn: -1)
            let valid = try await gateway.token(user: admin, account: gateway.master, tenant: platform)
            #expect(try await gateway.call(.get, "/api/v1/me", token: valid).status == .ok)
            #expect(try await gateway.call(.get, "/api/v1/me", token: expired).errorCode == "auth.invalid_token")
            let forged = valid.dropLast(3) + (valid.hasSuffix("AAA") ? "BBB" : "AAA")
            #expect(try await gateway.call(.get, "/api/v1/me", token: String(forged)).status == .unauthorized)
            let otherKeys = try await AccessTokens(keys: [.init(id: "other", secret: String(repeating: "k", count: 40))])
            let foreign = try await otherKeys.issue(.init(userID: admin, accountID: gateway.master, tenantID: platform, sessionID: nil,
                                                          expiresAt: Date().addingTimeInterval(600), impersonatorID: nil))
            #expect(try await gateway.call(.get, "/api/v1/me", token: foreign).status == .unauthorized)
        }
    }

    @Test func wrongPasswordsAreGenericAndLoginsAreRateLimited() async throws {
        try await withGateway(configure: { $0.loginPerEmail.limit = 2 }) { gateway in
            let wrong = try await gateway.login(password: "not the password")
            let unknown = try await gateway.login("nobody@platform.test")
            #expect(wrong.reply.status == .unauthorized && unknown.reply.status == .unauthorized)
            #expect(wrong.reply.errorCode == unknown.reply.errorCode && wrong.reply.json()["error"].map { "\($0)" }?.contains("password") == true)
            _ = try await gateway.login(password: "again wrong")
            let limited = try await gateway.login()  // the right password, but over the limit
            #expect(limited.reply.status == .tooManyRequests && limited.reply.errorCode == "auth.rate_limited")
        }
    }

    @Test func suspendingAnAccountStopsItsSubtreeAtOnce() async throws {
        try await withGateway { gateway in
            let admin = try await gateway.login()
            let master = gateway.master.lowercasedString
            let created = try await gateway.call(.post, "/api/v1/accounts/\(master)/sub-accounts", token: admin.access, body: """
                {"name": "Reseller", "roles": ["account_admin"], "owner": {"email": "r@reseller.test", "name": "R", "password": "reseller-pass-1"}}
                """)
            let reseller = try #require(created.string("id"))
            let owner = try await gateway.login("r@reseller.test", password: "reseller-pass-1")
            #expect(try await gateway.call(.get, "/api/v1/me", token: owner.access).status == .ok)
            #expect(try await gateway.call(.post, "/api/v1/accounts/\(reseller)/suspend", token: admin.access).status == .ok)
            #expect(try await gateway.call(.get, "/api/v1/me", token: owner.access).errorCode == "auth.access_revoked")
            #expect(try await gateway.login("r@reseller.test", password: "reseller-pass-1").reply.status == .unauthorized)
            #expect(try await gateway.call(.post, "/api/v1/auth/refresh", body: #"{"refresh_token": "\#(owner.refresh)"}"#).status == .unauthorized)
            // The ancestor still sees it, and lifts the suspension.
            let seen = try await gateway.call(.get, "/api/v1/accounts/\(reseller)", token: admin.access)
            #expect(seen.string("status") == "suspended")
            #expect(try await gateway.call(.post, "/api/v1/accounts/\(reseller)/reactivate", token: admin.access).status == .ok)
            #expect(try await gateway.login("r@reseller.test", password: "reseller-pass-1").reply.status == .ok)
        }
    }
}
