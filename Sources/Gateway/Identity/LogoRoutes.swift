import Core
import Foundation
import Hummingbird

/// Tenant logos: uploaded into the draft (previewed, then activated with the rest of the branding), served
/// to the tenant's login page.
extension IdentityAPI {
    struct LogoUploaded: Encodable {
        var logo: LogoReference
        var position: Int64
    }

    func registerLogos(on routes: SecuredRouter) {
        let tenantBinding = ResourceBinding.tenant(parameter: "tenant_id")
        routes.on(.put, "tenants/:tenant_id/branding/draft/logo", .permission(.tenantsManage, on: tenantBinding)) { request, context, authorized in
            let caller = try authorized.signedIn, owner = try authorized.resourceAccountID
            let tenant = try Self.path(context, "tenant_id")
            let logos = try self.logoStore()
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: LogoImage.maximumBytes) } catch {
                throw APIError(.contentTooLarge, code: "request.too_large", message: "a logo is at most 512 KiB")
            }
            let image: LogoImage
            do { image = try LogoImage(bytes: Array(body.readableBytesView), declaredType: request.headers[.contentType] ?? "") } catch let error as IdentityError {
                throw APIError(error)
            }
            // Refused before storing anything when the caller may not change this tenant.
            do { _ = try view.read { try TenantCommands.draftLogo($0, owner: owner, tenant: tenant, logo: image.reference) } } catch let error as IdentityError {
                throw APIError(error)
            }
            let reference = try await logos.put(image, account: owner)
            let position = try await runner.run(Self.metadata(caller, context)) {
                try TenantCommands.draftLogo($0, owner: owner, tenant: tenant, logo: reference)
            }
            return try JSONBody.response(LogoUploaded(logo: reference, position: position))
        }
        routes.on(.get, "tenants/:tenant_id/branding/draft/logo", .permission(.tenantsRead, on: tenantBinding)) { _, context, _ in
            let tenant = try Self.path(context, "tenant_id")
            return try await logoResponse(view.read { $0.tenants[tenant].flatMap { tenant in tenant.draft?.logo.map { ($0, tenant.ownerAccountID) } } })
        }
        routes.on(.get, "tenant/logo", .anonymous(reason: "the login page shows the domain's logo")) { _, context, _ in
            try await logoResponse(context.tenant.flatMap { tenant in tenant.branding.logo.map { ($0, tenant.ownerAccountID) } })
        }
    }

    /// A logo and the account that owns it (its tenant's owner).
    private func logoResponse(_ logo: (reference: LogoReference, owner: UUID)?) async throws -> Response {
        guard let (reference, owner) = logo, let bytes = try await logoStore().get(reference, account: owner) else { throw APIError.notFound("tenant.no_logo") }
        return Response(status: .ok, headers: [.contentType: reference.contentType, .eTag: "\"\(reference.sha256)\"",
                                               .cacheControl: "public, max-age=300", .init("X-Content-Type-Options")!: "nosniff"],
                        body: .init(byteBuffer: bytes))
    }

    private func logoStore() throws(APIError) -> LogoStore {
        guard let logos else { throw APIError.notFound("tenant.no_logo") }
        return logos
    }
}
