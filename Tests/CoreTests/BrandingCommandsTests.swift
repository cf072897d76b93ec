@testable import Core
import Foundation
import Testing

/// Branding: drafts previewed then activated; bound accounts change only the fields their tenant's owner
/// delegated.
@Suite struct BrandingCommandsTests {
    func reseller() throws -> (IdentityFixture, reseller: UUID, tenant: UUID, client: UUID) {
        var fixture = IdentityFixture()
        let reseller = try fixture.account(roles: [.tenantAdmin, .accountAdmin])
        try fixture.when { try TenantCommands.createTenant($0, owner: reseller, primaryDomain: "acme.example", branding: .init(displayName: "Acme")) }
        let tenant = IdentityState.tenantID(forDomain: "acme.example")
        let client = try fixture.account(under: reseller, roles: [], tenant: tenant)
        return (fixture, reseller, tenant, client)
    }

    @Test func aDraftIsPreviewedThenActivated() throws {
        var (fixture, reseller, tenant, _) = try reseller()
        try fixture.when { try TenantCommands.draftBranding($0, owner: reseller, tenant: tenant, branding: .init(displayName: "Acme 2", primaryColor: "#123456")) }
        #expect(fixture.state.tenants[tenant]?.branding.displayName == "Acme" && fixture.state.tenants[tenant]?.draft?.displayName == "Acme 2")
        try fixture.when { try TenantCommands.activateDraft($0, owner: reseller, tenant: tenant) }
        #expect(fixture.state.tenants[tenant]?.branding.primaryColor == "#123456" && fixture.state.tenants[tenant]?.draft == nil)
        let state = fixture.state
        #expect(refusal { try TenantCommands.activateDraft(state, owner: reseller, tenant: tenant) } == .noDraft)
        #expect(refusal { try TenantCommands.draftBranding(state, owner: reseller, tenant: tenant, branding: .init(displayName: "X", primaryColor: "red")) } == .invalidInput)
    }

    /// Invariant 1: a logo's bytes are an event of their tenant's stream, before the draft that names them;
    /// the state keeps only which version holds them, and the same image is not appended twice.
    @Test func aLogoUploadPutsItsBytesInTheLogOncePerTenant() throws {
        var (fixture, reseller, tenant, client) = try reseller()
        let png = try LogoImage(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + Array(repeating: 7, count: 64), declaredType: "image/png")
        let first = try fixture.when { try TenantCommands.draftLogo($0, owner: reseller, tenant: tenant, image: png) }
        #expect(first.map(\.type) == ["tenant.logo_uploaded", "tenant.branding_drafted"])
        guard case .tenantLogoUploaded(let uploaded)? = first.first else { Issue.record("no upload event"); return }
        #expect(Array(uploaded.bytes) == png.bytes && uploaded.logo == png.reference && uploaded.ownerAccountID == reseller)
        #expect(first.allSatisfy { $0.placement == (IdentityStreams.tenant(tenant), reseller) })
        let stream = IdentityStreams.tenant(tenant)
        let holder = try #require(fixture.state.versions[stream]) - 1  // the upload, just before the draft
        #expect(fixture.state.tenants[tenant]?.uploadedLogos == [png.reference.sha256: holder])
        #expect(fixture.state.tenants[tenant]?.draft?.logo == png.reference)

        // The same image again (after going live): only a draft naming it.
        try fixture.when { try TenantCommands.activateDraft($0, owner: reseller, tenant: tenant) }
        let again = try fixture.when { try TenantCommands.draftLogo($0, owner: reseller, tenant: tenant, image: png) }
        #expect(again.map(\.type) == ["tenant.branding_drafted"])
        #expect(fixture.state.tenants[tenant]?.uploadedLogos[png.reference.sha256] == holder)
        // Another image is uploaded; and only the owner uploads.
        let svg = try LogoImage(bytes: Array(#"<svg xmlns="http://www.w3.org/2000/svg"><circle r="2"/></svg>"#.utf8), declaredType: "image/svg+xml")
        #expect(try fixture.when { try TenantCommands.draftLogo($0, owner: reseller, tenant: tenant, image: svg) }.map(\.type) == ["tenant.logo_uploaded", "tenant.branding_drafted"])
        #expect(fixture.state.tenants[tenant]?.uploadedLogos.count == 2)
        let state = fixture.state
        #expect(refusal { try TenantCommands.draftLogo(state, owner: client, tenant: tenant, image: png) } == .tenantNotFound)
    }

    @Test func aBoundAccountChangesOnlyDelegatedFields() throws {
        var (fixture, reseller, tenant, client) = try reseller()
        let state = fixture.state
        #expect(refusal { try TenantCommands.changeBoundBranding(state, account: client, patch: .init(primaryColor: "#00ff00")) } == .fieldNotDelegated)
        try fixture.when { try TenantCommands.delegateFields($0, owner: reseller, tenant: tenant, fields: [.primaryColor]) }
        try fixture.when { try TenantCommands.changeBoundBranding($0, account: client, patch: .init(primaryColor: "#00ff00")) }
        #expect(fixture.state.tenants[tenant]?.branding.primaryColor == "#00ff00")
        let after = fixture.state
        #expect(refusal { try TenantCommands.changeBoundBranding(after, account: client, patch: .init(displayName: "Mine now")) } == .fieldNotDelegated)
        #expect(refusal { try TenantCommands.changeBoundBranding(after, account: client, patch: .init(primaryColor: "green")) } == .invalidInput)
        // Only the owner drafts, activates and delegates.
        #expect(refusal { try TenantCommands.delegateFields(after, owner: client, tenant: tenant, fields: BrandingField.allCases) } == .tenantNotFound)
        #expect(refusal { try TenantCommands.draftBranding(after, owner: client, tenant: tenant, branding: .init(displayName: "X")) } == .tenantNotFound)
    }
}

@Suite struct TenantDomainTests {
    @Test func extraDomainsAreUniqueAcrossTenantsAndThePrimaryStays() throws {
        var fixture = IdentityFixture()
        let reseller = try fixture.account(roles: [.tenantAdmin])
        for domain in ["acme.example", "other.example"] {
            try fixture.when { try TenantCommands.createTenant($0, owner: reseller, primaryDomain: domain, branding: .init(displayName: domain)) }
        }
        let acme = IdentityState.tenantID(forDomain: "acme.example"), other = IdentityState.tenantID(forDomain: "other.example")
        try fixture.when { try TenantCommands.addDomain($0, owner: reseller, tenant: acme, domain: "WWW.Acme.Example.") }
        #expect(fixture.state.tenantByDomain["www.acme.example"] == acme && fixture.state.tenants[acme]?.extraDomains == ["www.acme.example"])
        let state = fixture.state
        #expect(refusal { try TenantCommands.addDomain(state, owner: reseller, tenant: other, domain: "www.acme.example") } == .domainTaken)
        #expect(refusal { try TenantCommands.addDomain(state, owner: reseller, tenant: other, domain: "acme.example") } == .domainTaken)
        #expect(refusal { try TenantCommands.createTenant(state, owner: reseller, primaryDomain: "www.acme.example", branding: .init(displayName: "X")) } == .domainTaken)
        #expect(refusal { try TenantCommands.removeDomain(state, owner: reseller, tenant: acme, domain: "acme.example") } == .domainNotFound)
        #expect(refusal { try TenantCommands.addDomain(state, owner: reseller, tenant: acme, domain: "not a domain") } == .invalidInput)
        try fixture.when { try TenantCommands.removeDomain($0, owner: reseller, tenant: acme, domain: "www.acme.example") }
        #expect(fixture.state.tenantByDomain["www.acme.example"] == nil)
        // Free again: another tenant may take it, as the domain's next claim.
        let claim = try fixture.when { try TenantCommands.addDomain($0, owner: reseller, tenant: other, domain: "www.acme.example") }
        #expect(claim.first?.placement.stream == IdentityStreams.domain("www.acme.example", claim: 1))
    }

    /// A stream belongs to one account for life, so each claim of a domain is a stream of its own: a domain
    /// one reseller released can be claimed by another. Two claims decided on the same state still go to the
    /// same stream, each expecting it new, so the log lets only one of them in.
    @Test func aReleasedDomainIsClaimedAgainOnAStreamOfItsOwnByAnyOwner() throws {
        var fixture = IdentityFixture()
        let first = try fixture.account(roles: [.tenantAdmin]), second = try fixture.account(roles: [.tenantAdmin])
        try fixture.when { try TenantCommands.createTenant($0, owner: first, primaryDomain: "first.example", branding: .init(displayName: "First")) }
        try fixture.when { try TenantCommands.createTenant($0, owner: second, primaryDomain: "second.example", branding: .init(displayName: "Second")) }
        let (one, two) = (IdentityState.tenantID(forDomain: "first.example"), IdentityState.tenantID(forDomain: "second.example"))
        let added = try fixture.when { try TenantCommands.addDomain($0, owner: first, tenant: one, domain: "shared.example") }
        let removed = try fixture.when { try TenantCommands.removeDomain($0, owner: first, tenant: one, domain: "shared.example") }
        #expect(added.map(\.placement.stream) == [IdentityStreams.domain("shared.example")] && removed.map(\.placement.stream) == added.map(\.placement.stream))

        let state = fixture.state
        let rival = try TenantCommands.addDomain(state, owner: first, tenant: one, domain: "shared.example")
        let claimed = try fixture.when { try TenantCommands.addDomain($0, owner: second, tenant: two, domain: "shared.example") }
        #expect(claimed.map(\.placement.stream) == [IdentityStreams.domain("shared.example", claim: 1)])
        #expect(claimed.map(\.placement.accountID) == [second] && rival.map(\.placement.stream) == claimed.map(\.placement.stream))
        #expect(fixture.state.tenantByDomain["shared.example"] == two && fixture.state.expectedVersion(of: IdentityStreams.domain("shared.example", claim: 1)) == .exactly(1))
        #expect(state.expectedVersion(of: IdentityStreams.domain("shared.example", claim: 1)) == .noStream)

        // Released again, and claimed as a new tenant's primary domain: the third claim.
        try fixture.when { try TenantCommands.removeDomain($0, owner: second, tenant: two, domain: "shared.example") }
        let primary = try fixture.when { try TenantCommands.createTenant($0, owner: first, primaryDomain: "shared.example", branding: .init(displayName: "Shared")) }
        #expect(primary.first?.placement.stream == IdentityStreams.domain("shared.example", claim: 2))
        #expect(Set([0, 1, 2].map { IdentityStreams.domain("shared.example", claim: $0) }).count == 3)
    }
}
