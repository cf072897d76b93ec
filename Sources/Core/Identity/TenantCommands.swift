public import Foundation

/// White-label tenants: made by Tenant Admin accounts for their sub-accounts, one primary domain each.
public enum TenantCommands {
    public static func createTenant(
        _ state: IdentityState, owner ownerID: UUID, primaryDomain: String, branding: TenantBranding
    ) throws(IdentityError) -> [IdentityEvent] {
        guard let owner = state.directory.accounts[ownerID] else { throw AccountCommands.notFound(ownerID) }
        let domain = try IdentityValidation.domain(primaryDomain)
        try IdentityValidation.branding(branding)
        guard state.directory.isActive(ownerID) else { throw IdentityError(.accountSuspended, "the account or one above it is suspended") }
        guard owner.roles.contains(.tenantAdmin) else { throw IdentityError(.roleRequired, "creating tenants takes the Tenant Admin role") }
        let tenantID = IdentityState.tenantID(forDomain: domain)
        guard state.versions[IdentityStreams.tenant(tenantID)] == nil else {
            throw IdentityError(.domainTaken, "this domain serves another tenant", fields: ["primary_domain": "taken"])
        }
        return [.tenantCreated(TenantCreated(tenantID: tenantID, ownerAccountID: ownerID, primaryDomain: domain, branding: branding))]
    }

    /// The owner changes its tenant's branding (a bound account cannot: it never changes its own tenant).
    public static func changeBranding(_ state: IdentityState, owner ownerID: UUID, tenant tenantID: UUID, branding: TenantBranding) throws(IdentityError) -> [IdentityEvent] {
        guard let tenant = state.tenants[tenantID], tenant.ownerAccountID == ownerID else {
            throw IdentityError(.tenantNotFound, "no such tenant here")
        }
        try IdentityValidation.branding(branding)
        guard state.directory.isActive(ownerID) else { throw IdentityError(.accountSuspended, "the account or one above it is suspended") }
        guard tenant.branding != branding else { return [] }
        return [.tenantBrandingChanged(TenantBrandingChanged(tenantID: tenantID, ownerAccountID: ownerID, branding: branding))]
    }
}
