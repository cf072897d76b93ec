public import Foundation

/// How a tenant looks: what its users see on its domain.
public struct TenantBranding: Codable, Sendable, Hashable {
    public var displayName: String
    public var description: String?
    /// `#rrggbb`.
    public var primaryColor: String?
    public var secondaryColor: String?
    public var layout: TenantLayout?
    /// Set only by uploading a logo (`TenantCommands.draftLogo`); any other change keeps it.
    public var logo: LogoReference?

    public init(displayName: String, description: String? = nil, primaryColor: String? = nil, secondaryColor: String? = nil, layout: TenantLayout? = nil,
                logo: LogoReference? = nil) {
        self.displayName = displayName
        self.description = description
        self.primaryColor = primaryColor
        self.secondaryColor = secondaryColor
        self.layout = layout
        self.logo = logo
    }
}

public enum TenantLayout: String, Codable, Sendable, Hashable, CaseIterable {
    case sidebar, topbar, compact
}

public struct TenantCreated: IdentityPayload {
    public static let type = "tenant.created"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    /// Normalized: lowercased, no trailing dot.
    public var primaryDomain: String
    public var branding: TenantBranding
}

public struct TenantBrandingChanged: IdentityPayload {
    public static let type = "tenant.branding_changed"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    public var branding: TenantBranding
}

/// A branding field a tenant's owner may let the accounts bound to the tenant change.
public enum BrandingField: String, Codable, Sendable, Hashable, CaseIterable {
    case displayName = "display_name"
    case description
    case primaryColor = "primary_color"
    case secondaryColor = "secondary_color"
    case layout
}

/// Changes to some branding fields; an absent field stays as it is.
public struct BrandingPatch: Codable, Sendable, Hashable {
    public var displayName: String?
    public var description: String?
    public var primaryColor: String?
    public var secondaryColor: String?
    public var layout: TenantLayout?

    public init(displayName: String? = nil, description: String? = nil, primaryColor: String? = nil, secondaryColor: String? = nil, layout: TenantLayout? = nil) {
        self.displayName = displayName
        self.description = description
        self.primaryColor = primaryColor
        self.secondaryColor = secondaryColor
        self.layout = layout
    }

    public var fields: Set<BrandingField> {
        var fields: Set<BrandingField> = []
        if displayName != nil { fields.insert(.displayName) }
        if description != nil { fields.insert(.description) }
        if primaryColor != nil { fields.insert(.primaryColor) }
        if secondaryColor != nil { fields.insert(.secondaryColor) }
        if layout != nil { fields.insert(.layout) }
        return fields
    }

    public func applied(to branding: TenantBranding) -> TenantBranding {
        TenantBranding(displayName: displayName ?? branding.displayName, description: description ?? branding.description,
                       primaryColor: primaryColor ?? branding.primaryColor, secondaryColor: secondaryColor ?? branding.secondaryColor,
                       layout: layout ?? branding.layout, logo: branding.logo)
    }
}

/// A logo's bytes, as uploaded (sanitized), on its tenant's stream: the log holds them, like everything
/// else, so a branding's logo can always be served again from the log alone (invariant 1). A branding
/// names it by `logo`; uploading the same image again to the same tenant appends no second copy.
public struct TenantLogoUploaded: IdentityPayload {
    public static let type = "tenant.logo_uploaded"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    public var logo: LogoReference
    /// Empty when read without them: the identity view needs only where they are (`IdentityView.leftOut`).
    public var bytes: Data

    public init(tenantID: UUID, ownerAccountID: UUID, logo: LogoReference, bytes: Data) {
        (self.tenantID, self.ownerAccountID, self.logo, self.bytes) = (tenantID, ownerAccountID, logo, bytes)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(tenantID: try container.decode(UUID.self, forKey: .tenantID), ownerAccountID: try container.decode(UUID.self, forKey: .ownerAccountID),
                  logo: try container.decode(LogoReference.self, forKey: .logo), bytes: try container.decodeIfPresent(Data.self, forKey: .bytes) ?? Data())
    }

    private enum CodingKeys: String, CodingKey {
        case tenantID, ownerAccountID, logo, bytes
    }
}

/// A branding to preview before it goes live; replaces any earlier draft.
public struct TenantBrandingDrafted: IdentityPayload {
    public static let type = "tenant.branding_drafted"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    public var branding: TenantBranding
}

/// The draft went live.
public struct TenantBrandingActivated: IdentityPayload {
    public static let type = "tenant.branding_activated"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    public var branding: TenantBranding
}

/// The fields accounts bound to the tenant may change themselves; the whole set, replacing the last.
public struct TenantFieldsDelegated: IdentityPayload {
    public static let type = "tenant.fields_delegated"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    public var fields: [BrandingField]
}

/// A domain now serves the tenant. Every domain a tenant takes (its primary one at creation included) is
/// claimed on a stream named after the domain, so two tenants can never take the same one, however
/// concurrent.
public struct TenantDomainAdded: IdentityPayload {
    public static let type = "tenant.domain_added"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    /// Normalized: lowercased, no trailing dot.
    public var domain: String
    public var primary: Bool
    /// Which claim of the domain this is: 0 for the first, one more after each release (absent in events
    /// written before claims were counted, which were all first claims).
    public var claim: Int?
}

/// An extra domain no longer serves the tenant (the primary one cannot go).
public struct TenantDomainRemoved: IdentityPayload {
    public static let type = "tenant.domain_removed"
    public var tenantID: UUID
    public var ownerAccountID: UUID
    public var domain: String
    /// The claim released (see `TenantDomainAdded.claim`).
    public var claim: Int?
}
