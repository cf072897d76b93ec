import CanopyTesting
import Core
import Foundation
import Gateway
import Testing

/// Branding over HTTP: a draft shows to the owner and not on the domain until activated; a bound account
/// changes only delegated fields.
@Suite struct BrandingTests {
    @Test func draftsGoLiveOnActivationAndBoundAccountsChangeOnlyDelegatedFields() async throws {
        try await withGateway { gateway in
            let client = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test", password: "owner-password-1")
            let tenant = IdentityState.tenantID(forDomain: "client.test").lowercasedString
            let admin = try await gateway.login()
            let drafted = try await gateway.call(.put, "/api/v1/tenants/\(tenant)/branding/draft", token: admin.access,
                                                 body: ##"{"display_name": "Client Next", "primary_color": "#0a7d4f"}"##)
            #expect(drafted.status == .ok, "\(drafted.text)")
            let preview = try await gateway.call(.get, "/api/v1/tenants/\(tenant)", token: admin.access)
            #expect(preview.text.contains("Client Next") && (preview.json()["branding"] as? [String: Any])?["display_name"] as? String == "client.test")
            #expect(try await gateway.call(.get, "/api/v1/tenant", host: "client.test").text.contains("Client Next") == false)
            #expect(try await gateway.call(.post, "/api/v1/tenants/\(tenant)/branding/activate", token: admin.access).status == .ok)
            #expect(try await gateway.call(.get, "/api/v1/tenant", host: "client.test").text.contains("Client Next"))

            // The client account (bound to the tenant, not its owner) may change what is delegated, nothing else.
            let owner = try await gateway.login("owner@client.test", password: "owner-password-1", host: "client.test")
            let path = "/api/v1/accounts/\(client.lowercasedString)/branding"
            let refused = try await gateway.call(.patch, path, host: "client.test", token: owner.access, body: ##"{"primary_color": "#ff0000"}"##)
            #expect(refused.status == .forbidden && refused.errorCode == "tenant.field_not_delegated" && refused.errorFields["primary_color"] != nil)
            #expect(try await gateway.call(.put, "/api/v1/tenants/\(tenant)/delegated-fields", token: admin.access, body: #"{"fields": ["primary_color"]}"#).status == .ok)
            let changed = try await gateway.call(.patch, path, host: "client.test", token: owner.access, body: ##"{"primary_color": "#ff0000"}"##)
            #expect(changed.status == .ok, "\(changed.text)")
            #expect(try await gateway.call(.get, "/api/v1/tenant", host: "client.test").text.contains("#ff0000"))
            let name = try await gateway.call(.patch, path, host: "client.test", token: owner.access, body: #"{"display_name": "Mine"}"#)
            #expect(name.status == .forbidden)
            // The tenant itself is out of the bound account's reach.
            let direct = try await gateway.call(.put, "/api/v1/tenants/\(tenant)/branding/draft", host: "client.test", token: owner.access, body: #"{"display_name": "Mine"}"#)
            #expect(direct.status == .notFound && direct.errorCode == "tenant.not_found")
        }
    }
}

@Suite struct TenantDomainRoutesTests {
    @Test func anExtraDomainServesTheTenantUntilRemoved() async throws {
        try await withGateway { gateway in
            _ = try await gateway.client(domain: "client.test", ownerEmail: "owner@client.test", password: "owner-password-1")
            let tenant = IdentityState.tenantID(forDomain: "client.test").lowercasedString
            let admin = try await gateway.login()
            #expect(try await gateway.call(.get, "/api/v1/tenant", host: "www.client.test").status == .notFound)
            let added = try await gateway.call(.post, "/api/v1/tenants/\(tenant)/domains", token: admin.access, body: #"{"domain": "www.client.test"}"#)
            #expect(added.status == .created, "\(added.text)")
            #expect(try await gateway.call(.get, "/api/v1/tenant", host: "www.client.test").string("tenant_id") == tenant)
            #expect(try await gateway.login("owner@client.test", password: "owner-password-1", host: "www.client.test").reply.status == .ok)
            let taken = try await gateway.call(.post, "/api/v1/tenants/\(tenant)/domains", token: admin.access, body: #"{"domain": "platform.test"}"#)
            #expect(taken.status == .conflict && taken.errorCode == "tenant.domain_taken")
            #expect(try await gateway.call(.delete, "/api/v1/tenants/\(tenant)/domains/www.client.test", token: admin.access).status == .ok)
            #expect(try await gateway.call(.get, "/api/v1/tenant", host: "www.client.test").status == .notFound)
            let primary = try await gateway.call(.delete, "/api/v1/tenants/\(tenant)/domains/client.test", token: admin.access)
            #expect(primary.status == .notFound && primary.errorCode == "tenant.domain_not_found")
        }
    }

    /// A domain one reseller's tenant released, another reseller's tenant claims (it used to fail with a 500:
    /// the claim stream belonged to the first reseller's account).
    @Test func aReleasedDomainCanBeClaimedByAnotherOwner() async throws {
        try await withGateway { gateway in
            let master = gateway.master
            let (a, b) = (UUID.v7(), UUID.v7())
            for (id, domain) in [(a, "a.test"), (b, "b.test")] {
                try await gateway.command { try TenantCommands.createTenant($0, owner: master, primaryDomain: domain, branding: .init(displayName: domain)) }
                try await gateway.command {
                    try AccountCommands.createSubAccount($0, parent: master, accountID: id, name: "Reseller \(domain)", roles: [.tenantAdmin],
                                                         tenantID: IdentityState.tenantID(forDomain: domain), owner: .init(email: "o@\(domain)", name: "O", passwordHash: nil))
                }
            }
            try await gateway.command { try TenantCommands.createTenant($0, owner: a, primaryDomain: "ta.test", branding: .init(displayName: "ta")) }
            try await gateway.command { try TenantCommands.createTenant($0, owner: b, primaryDomain: "tb.test", branding: .init(displayName: "tb")) }
            let ta = IdentityState.tenantID(forDomain: "ta.test"), tb = IdentityState.tenantID(forDomain: "tb.test")
            try await gateway.command { try TenantCommands.addDomain($0, owner: a, tenant: ta, domain: "shared.test") }
            try await gateway.command { try TenantCommands.removeDomain($0, owner: a, tenant: ta, domain: "shared.test") }
            let admin = try await gateway.login()
            let added = try await gateway.call(.post, "/api/v1/tenants/\(tb.lowercasedString)/domains", token: admin.access, body: #"{"domain": "shared.test"}"#)
            #expect(added.status == .created, "\(added.text)")
            #expect(try await gateway.call(.get, "/api/v1/tenant", host: "shared.test").string("tenant_id") == tb.lowercasedString)
        }
    }
}
