import Core
import Foundation
import HTTPTypes
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
            let id = try authorized.resourceAccountID, page = try ListPage(request)
            try await waitForMinimumPosition(request)
            let tenants = view.read { state in state.tenants.values.filter { $0.ownerAccountID == id }.map(TenantSummary.init) }
            return try page.response("tenants", tenants, sortedBy: \.primaryDomain)
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
        ownerWrite(routes, .put, "tenants/:tenant_id/branding", input: Self.json(TenantBranding.self)) {
            try TenantCommands.changeBranding($0, owner: $1, tenant: $2, branding: $3)
        }
        ownerWrite(routes, .put, "tenants/:tenant_id/branding/draft", input: Self.json(TenantBranding.self)) {
            try TenantCommands.draftBranding($0, owner: $1, tenant: $2, branding: $3)
        }
        ownerWrite(routes, .post, "tenants/:tenant_id/branding/activate", input: { _, _ in () }) { state, owner, tenant, _ in
            try TenantCommands.activateDraft(state, owner: owner, tenant: tenant)
        }
        ownerWrite(routes, .put, "tenants/:tenant_id/delegated-fields", input: Self.json(DelegateRequest.self)) {
            try TenantCommands.delegateFields($0, owner: $1, tenant: $2, fields: $3.fields)
        }
        ownerWrite(routes, .post, "tenants/:tenant_id/domains", status: .created, input: Self.json(DomainRequest.self)) {
            try TenantCommands.addDomain($0, owner: $1, tenant: $2, domain: $3.domain)
        }
        ownerWrite(routes, .delete, "tenants/:tenant_id/domains/:domain", input: { _, context in context.parameters.get("domain") ?? "" }) {
            try TenantCommands.removeDomain($0, owner: $1, tenant: $2, domain: $3)
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

    /// A route input read as a JSON body.
    private static func json<T: Decodable & Sendable>(_: T.Type) -> @Sendable (Request, CanopyContext) async throws -> T {
        { request, _ in try await JSONBody.decode(T.self, from: request) }
    }

    /// A write by a tenant's owner (`tenants.manage` on the tenant): `decide` gets the state, the owner
    /// account, the tenant and the request's input; the answer names the tenant and the position reached.
    private func ownerWrite<Input: Sendable>(
        _ routes: SecuredRouter, _ method: HTTPRequest.Method, _ path: String, status: HTTPResponse.Status = .ok,
        input: @escaping @Sendable (Request, CanopyContext) async throws -> Input,
        decide: @escaping @Sendable (IdentityState, UUID, UUID, Input) throws -> [IdentityEvent]
    ) {
        routes.on(method, path, .permission(.tenantsManage, on: .tenant(parameter: "tenant_id"))) { request, context, authorized in
            let caller = try authorized.signedIn, owner = try authorized.resourceAccountID
            let tenant = try Self.path(context, "tenant_id")
            let value = try await input(request, context)
            let position = try await runner.run(Self.metadata(caller, context)) { try decide($0, owner, tenant, value) }
            return try JSONBody.response(Written(id: tenant, position: position), status: status)
        }
    }
}
