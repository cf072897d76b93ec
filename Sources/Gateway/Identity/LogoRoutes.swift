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
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: LogoImage.maximumBytes) } catch {
                throw APIError(.contentTooLarge, code: "request.too_large", message: "a logo is at most 512 KiB")
            }
            let image: LogoImage
            do { image = try LogoImage(bytes: Array(body.readableBytesView), declaredType: request.headers[.contentType] ?? "") } catch let error as IdentityError {
                throw APIError(error)
            }
            // The bytes go into the log with the draft that names them (or are there already for this tenant).
            let position = try await runner.run(Self.metadata(caller, context)) {
                try TenantCommands.draftLogo($0, owner: owner, tenant: tenant, image: image)
            }
            return try JSONBody.response(LogoUploaded(logo: image.reference, position: position))
        }
        routes.on(.get, "tenants/:tenant_id/branding/draft/logo", .permission(.tenantsRead, on: tenantBinding)) { request, context, _ in
            let tenant = try Self.path(context, "tenant_id")
            return try await logoResponse(view.read { $0.tenants[tenant].flatMap { tenant in tenant.draft?.logo.map { ($0, tenant) } } }, request)
        }
        routes.on(.get, "tenant/logo", .anonymous(reason: "the login page shows the domain's logo")) { request, context, _ in
            try await logoResponse(context.tenant.flatMap { tenant in tenant.branding.logo.map { ($0, tenant) } }, request)
        }
    }

    /// A logo of a tenant; 304 when the client holds it already (its hash is its ETag, so it never changes).
    private func logoResponse(_ logo: (reference: LogoReference, tenant: IdentityState.Tenant)?, _ request: Request) async throws -> Response {
        guard let logos, let (reference, tenant) = logo else { throw APIError.notFound("tenant.no_logo") }
        let tag = "\"\(reference.sha256)\""
        var headers: HTTPFields = [.eTag: tag, .cacheControl: "public, max-age=300"]
        if request.headers[values: .ifNoneMatch].flatMap({ $0.split(separator: ",") }).contains(where: { $0.trimmingCharacters(in: .whitespaces) == tag }) {
            return Response(status: .notModified, headers: headers)
        }
        guard let bytes = try await logos.bytes(of: reference, in: tenant) else { throw APIError.notFound("tenant.no_logo") }
        headers[.contentType] = reference.contentType
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: bytes))
    }
}
