import Core
import Foundation
import Hummingbird

/// Tenants an account owns: create, list, read, change branding.
extension IdentityAPI {
    struct CreateTenantRequest: Decodable {
        var primaryDomain: String
        var branding: TenantBranding
    }

    struct TenantSummary: Encodable {
        var id: UUID
        var primaryDomain: String
        var branding: TenantBranding
        /// The branding being previewed, if any.
        var draft: TenantBranding?
        var delegatedFields: [BrandingField]
        /// Domains besides the primary one.
        var domains: [String]

        init(_ tenant: IdentityState.Tenant) {
            id = tenant.id
            primaryDomain = tenant.primaryDomain
            domains = tenant.extraDomains
            branding = tenant.branding
            draft = tenant.draft
            delegatedFields = tenant.delegatedFields.sorted { $0.rawValue < $1.rawValue }
        }
    }

    struct DomainRequest: Decodable {
        var domain: String
    }

    struct DelegateRequest: Decodable {
        var fields: [BrandingField]
    }

    func registerTenants(on routes: SecuredRouter) {
        routes.on(.get, "accounts/:account_id/tenants", .permission(.tenantsRead, on: .account(parameter: "account_id"))) { request, _, authorized in
            let id = try authorized.resourceAccountID
            try await waitForMinimumPosition(request)
            let tenants = view.read { state in
                state.tenants.values.filter { $0.ownerAccountID == id }.sorted { $0.primaryDomain < $1.primaryDomain }.map(TenantSummary.init)
            }
            return try JSONBody.response(["tenants": tenants])
        }
        routes.on(.post, "accounts/:account_id/tenants", .permission(.tenantsManage, on: .account(parameter: "account_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, id = try authorized.resourceAccountID
            let body = try await JSONBody.decode(CreateTenantRequest.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) {
                try TenantCommands.createTenant($0, owner: id, primaryDomain: body.primaryDomain, branding: body.branding)
            }
            let tenantID = IdentityState.tenantID(forDomain: (try? IdentityValidation.domain(body.primaryDomain)) ?? body.primaryDomain)
            return try JSONBody.response(Written(id: tenantID, position: position), status: .created)
        }
        routes.on(.get, "tenants/:tenant_id", .permission(.tenantsRead, on: .tenant(parameter: "tenant_id"))) { request, context, _ in
            let tenant = try Self.path(context, "tenant_id")
            try await waitForMinimumPosition(request)
            guard let summary = view.read({ $0.tenants[tenant].map(TenantSummary.init) }) else { throw APIError.notFound("tenant.not_found") }
            return try JSONBody.response(summary)
        }
        routes.on(.put, "tenants/:tenant_id/branding", .permission(.tenantsManage, on: .tenant(parameter: "tenant_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, owner = try authorized.resourceAccountID
            let tenant = try Self.path(context, "tenant_id")
            let branding = try await JSONBody.decode(TenantBranding.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) {
                try TenantCommands.changeBranding($0, owner: owner, tenant: tenant, branding: branding)
            }
            return try JSONBody.response(Written(id: tenant, position: position))
        }
        routes.on(.put, "tenants/:tenant_id/branding/draft", .permission(.tenantsManage, on: .tenant(parameter: "tenant_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, owner = try authorized.resourceAccountID
            let tenant = try Self.path(context, "tenant_id")
            let branding = try await JSONBody.decode(TenantBranding.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) {
                try TenantCommands.draftBranding($0, owner: owner, tenant: tenant, branding: branding)
            }
            return try JSONBody.response(Written(id: tenant, position: position))
        }
        routes.on(.post, "tenants/:tenant_id/branding/activate", .permission(.tenantsManage, on: .tenant(parameter: "tenant_id"))) { _, context, authorized in
            let caller = try authorized.signedIn, owner = try authorized.resourceAccountID
            let tenant = try Self.path(context, "tenant_id")
            let position = try await runner.run(Self.metadata(caller, context)) { try TenantCommands.activateDraft($0, owner: owner, tenant: tenant) }
            return try JSONBody.response(Written(id: tenant, position: position))
        }
        routes.on(.put, "tenants/:tenant_id/delegated-fields", .permission(.tenantsManage, on: .tenant(parameter: "tenant_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, owner = try authorized.resourceAccountID
            let tenant = try Self.path(context, "tenant_id")
            let body = try await JSONBody.decode(DelegateRequest.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) {
                try TenantCommands.delegateFields($0, owner: owner, tenant: tenant, fields: body.fields)
            }
            return try JSONBody.response(Written(id: tenant, position: position))
        }
        routes.on(.post, "tenants/:tenant_id/domains", .permission(.tenantsManage, on: .tenant(parameter: "tenant_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, owner = try authorized.resourceAccountID
            let tenant = try Self.path(context, "tenant_id")
            let body = try await JSONBody.decode(DomainRequest.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) { try TenantCommands.addDomain($0, owner: owner, tenant: tenant, domain: body.domain) }
            return try JSONBody.response(Written(id: tenant, position: position), status: .created)
        }
        routes.on(.delete, "tenants/:tenant_id/domains/:domain", .permission(.tenantsManage, on: .tenant(parameter: "tenant_id"))) { _, context, authorized in
            let caller = try authorized.signedIn, owner = try authorized.resourceAccountID
            let tenant = try Self.path(context, "tenant_id")
            let domain = context.parameters.get("domain") ?? ""
            let position = try await runner.run(Self.metadata(caller, context)) { try TenantCommands.removeDomain($0, owner: owner, tenant: tenant, domain: domain) }
            return try JSONBody.response(Written(id: tenant, position: position))
        }
        // The branding of the tenant an account is bound to, as far as its owner delegated it: the one way a
        // bound account touches its tenant (it never changes which tenant, nor its owner).
        routes.on(.patch, "accounts/:account_id/branding", .permission(.tenantsManage, on: .account(parameter: "account_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, account = try authorized.resourceAccountID
            let patch = try await JSONBody.decode(BrandingPatch.self, from: request)
            let position = try await runner.run(Self.metadata(caller, context)) { try TenantCommands.changeBoundBranding($0, account: account, patch: patch) }
            return try JSONBody.response(Written(id: view.read { $0.directory.accounts[account]?.tenantID }, position: position))
        }
    }
}
