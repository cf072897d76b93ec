public import Foundation

/// How a tenant looks: what its users see on its domain.
public struct TenantBranding: Codable, Sendable, Hashable {
    public var displayName: String
    public var description: String?
    /// `#rrggbb`.
    public var primaryColor: String?
    public var secondaryColor: String?
    public var layout: TenantLayout?

    public init(displayName: String, description: String? = nil, primaryColor: String? = nil, secondaryColor: String? = nil, layout: TenantLayout? = nil) {
        self.displayName = displayName
        self.description = description
        self.primaryColor = primaryColor
        self.secondaryColor = secondaryColor
        self.layout = layout
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
