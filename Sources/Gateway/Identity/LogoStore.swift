public import Core
import struct Foundation.UUID
public import Logging
public import PostgresNIO

/// Where a branding's logo bytes are read from: the tenant's `tenant.logo_uploaded` event, found by the
/// stream version the identity view keeps for it, so the log alone can serve every logo (invariant 1).
/// Logos uploaded before migration 0009 had their bytes kept beside the log, in `tenant_logos`, by owner
/// account and hash: those are read from there (nothing writes that table any more).
public struct LogoStore: Sendable {
    let store: EventStore
    let client: PostgresClient
    let logger: Logger

    public init(store: EventStore, client: PostgresClient, logger: Logger) {
        self.store = store
        self.client = client
        self.logger = logger
    }

    func bytes(of reference: LogoReference, in tenant: IdentityState.Tenant) async throws -> ByteBuffer? {
        guard let version = tenant.uploadedLogos[reference.sha256] else { return try await uploadedBefore0009(reference, owner: tenant.ownerAccountID) }
        let event = try await store.readStream(IdentityStreams.tenant(tenant.id), fromVersion: version, limit: 1).first
        guard let event, event.streamVersion == version, case .tenantLogoUploaded(let uploaded)? = try IdentityEvent(recorded: event),
              uploaded.logo == reference else {
            // The view said this event holds the bytes: a log that disagrees is a bug, not a missing logo.
            logger.critical("a logo is not where the identity view says", metadata: ["tenant": "\(tenant.id)", "version": "\(version)"])
            throw LogoMissing()
        }
        return ByteBuffer(bytes: uploaded.bytes)
    }

    private func uploadedBefore0009(_ reference: LogoReference, owner: UUID) async throws -> ByteBuffer? {
        try await client.withConnection { connection in
            let rows = try await connection.checkedQuery("SELECT bytes FROM tenant_logos WHERE account_id = \(owner) AND sha256 = \(reference.sha256)", logger: logger).collect()
            return try rows.first?.decode(ByteBuffer.self)
        }
    }

    struct LogoMissing: Error {}
}
