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
        var branding = branding
        branding.logo = nil  // logos come by upload only
        let tenantID = IdentityState.tenantID(forDomain: domain)
        guard state.versions[IdentityStreams.tenant(tenantID)] == nil, state.tenantByDomain[domain] == nil else {
            throw IdentityError(.domainTaken, "this domain serves another tenant", fields: ["primary_domain": "taken"])
        }
        // The claim first: appended before the tenant, it is what a concurrent claim of the name collides with.
        return [
            .tenantDomainAdded(TenantDomainAdded(tenantID: tenantID, ownerAccountID: ownerID, domain: domain, primary: true,
                                                 claim: state.claim(ofDomain: domain))),
            .tenantCreated(TenantCreated(tenantID: tenantID, ownerAccountID: ownerID, primaryDomain: domain, branding: branding)),
        ]
    }

    /// The owner changes its tenant's branding (a bound account cannot: it never changes its own tenant).
    public static func changeBranding(_ state: IdentityState, owner ownerID: UUID, tenant tenantID: UUID, branding: TenantBranding) throws(IdentityError) -> [IdentityEvent] {
        guard let tenant = state.tenants[tenantID], tenant.ownerAccountID == ownerID else {
            throw IdentityError(.tenantNotFound, "no such tenant here")
        }
        try IdentityValidation.branding(branding)
        var branding = branding
        branding.logo = tenant.branding.logo
        guard state.directory.isActive(ownerID) else { throw IdentityError(.accountSuspended, "the account or one above it is suspended") }
        guard tenant.branding != branding else { return [] }
        return [.tenantBrandingChanged(TenantBrandingChanged(tenantID: tenantID, ownerAccountID: ownerID, branding: branding))]
    }

    /// A branding to preview; it goes live with `activateDraft`.
    public static func draftBranding(_ state: IdentityState, owner ownerID: UUID, tenant tenantID: UUID, branding: TenantBranding) throws(IdentityError) -> [IdentityEvent] {
        let tenant = try owned(state, ownerID, tenantID)
        try IdentityValidation.branding(branding)
        var branding = branding
        branding.logo = (tenant.draft ?? tenant.branding).logo
        return [.tenantBrandingDrafted(TenantBrandingDrafted(tenantID: tenantID, ownerAccountID: ownerID, branding: branding))]
    }

    /// An uploaded logo into the draft, which starts from the live branding. Its bytes go into the log
    /// first, unless this tenant has them already.
    public static func draftLogo(_ state: IdentityState, owner ownerID: UUID, tenant tenantID: UUID, image: LogoImage) throws(IdentityError) -> [IdentityEvent] {
        let tenant = try owned(state, ownerID, tenantID)
        let logo = image.reference
        var branding = tenant.draft ?? tenant.branding
        branding.logo = logo
        let drafted = IdentityEvent.tenantBrandingDrafted(TenantBrandingDrafted(tenantID: tenantID, ownerAccountID: ownerID, branding: branding))
        guard tenant.uploadedLogos[logo.sha256] == nil else { return [drafted] }
        return [.tenantLogoUploaded(TenantLogoUploaded(tenantID: tenantID, ownerAccountID: ownerID, logo: logo, bytes: Data(image.bytes))), drafted]
    }

    public static func activateDraft(_ state: IdentityState, owner ownerID: UUID, tenant tenantID: UUID) throws(IdentityError) -> [IdentityEvent] {
        let tenant = try owned(state, ownerID, tenantID)
        guard let draft = tenant.draft else { throw IdentityError(.noDraft, "there is no draft to activate") }
        return [.tenantBrandingActivated(TenantBrandingActivated(tenantID: tenantID, ownerAccountID: ownerID, branding: draft))]
    }

    /// Which fields the accounts bound to the tenant may change.
    public static func delegateFields(_ state: IdentityState, owner ownerID: UUID, tenant tenantID: UUID, fields: [BrandingField]) throws(IdentityError) -> [IdentityEvent] {
        let tenant = try owned(state, ownerID, tenantID)
        guard fields.count == Set(fields).count else { throw .invalid("fields", "each field once") }
        guard Set(fields) != tenant.delegatedFields else { return [] }
        return [.tenantFieldsDelegated(TenantFieldsDelegated(tenantID: tenantID, ownerAccountID: ownerID, fields: fields))]
    }

    /// An account changes fields of the tenant it is bound to: only those the owner delegated (the owner
    /// itself may change them all). Live at once.
    public static func changeBoundBranding(_ state: IdentityState, account accountID: UUID, patch: BrandingPatch) throws(IdentityError) -> [IdentityEvent] {
        guard let account = state.directory.accounts[accountID], let tenant = state.tenants[account.tenantID] else { throw AccountCommands.notFound(accountID) }
        guard state.directory.isActive(accountID) else { throw IdentityError(.accountSuspended, "the account or one above it is suspended") }
        if tenant.ownerAccountID != accountID {
            let refused = patch.fields.subtracting(tenant.delegatedFields)
            guard refused.isEmpty else {
                throw IdentityError(.fieldNotDelegated, "the tenant's owner does not let bound accounts change this",
                                    fields: Dictionary(uniqueKeysWithValues: refused.map { ($0.rawValue, "not delegated") }))
            }
        }
        let branding = patch.applied(to: tenant.branding)
        try IdentityValidation.branding(branding)
        guard branding != tenant.branding else { return [] }
        return [.tenantBrandingChanged(TenantBrandingChanged(tenantID: tenant.id, ownerAccountID: tenant.ownerAccountID, branding: branding))]
    }

    private static func owned(_ state: IdentityState, _ ownerID: UUID, _ tenantID: UUID) throws(IdentityError) -> IdentityState.Tenant {
        guard let tenant = state.tenants[tenantID], tenant.ownerAccountID == ownerID else { throw IdentityError(.tenantNotFound, "no such tenant here") }
        guard state.directory.isActive(ownerID) else { throw IdentityError(.accountSuspended, "the account or one above it is suspended") }
        return tenant
    }

    public static let maximumExtraDomains = 10

    /// Another domain for the tenant: its pages and logins answer there too.
    public static func addDomain(_ state: IdentityState, owner ownerID: UUID, tenant tenantID: UUID, domain: String) throws(IdentityError) -> [IdentityEvent] {
        let tenant = try owned(state, ownerID, tenantID)
        let domain = try IdentityValidation.domain(domain, field: "domain")
        if state.tenantByDomain[domain] == tenantID { return [] }
        guard state.tenantByDomain[domain] == nil, state.versions[IdentityStreams.tenant(IdentityState.tenantID(forDomain: domain))] == nil else {
            throw IdentityError(.domainTaken, "this domain serves another tenant", fields: ["domain": "taken"])
        }
        guard tenant.extraDomains.count < maximumExtraDomains else { throw .invalid("domain", "at most \(maximumExtraDomains) extra domains") }
        return [.tenantDomainAdded(TenantDomainAdded(tenantID: tenantID, ownerAccountID: ownerID, domain: domain, primary: false,
                                                     claim: state.claim(ofDomain: domain)))]
    }

    public static func removeDomain(_ state: IdentityState, owner ownerID: UUID, tenant tenantID: UUID, domain: String) throws(IdentityError) -> [IdentityEvent] {
        let tenant = try owned(state, ownerID, tenantID)
        let normalized = (try? IdentityValidation.domain(domain)) ?? domain
        guard tenant.extraDomains.contains(normalized) else {
            throw IdentityError(.domainNotFound, normalized == tenant.primaryDomain ? "the primary domain stays" : "not a domain of this tenant")
        }
        return [.tenantDomainRemoved(TenantDomainRemoved(tenantID: tenantID, ownerAccountID: ownerID, domain: normalized,
                                                         claim: state.claim(ofDomain: normalized)))]
    }
}
