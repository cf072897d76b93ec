import Core
import struct Foundation.UUID
public import Logging
public import PostgresNIO

/// Logo bytes by owner account and content hash (table `tenant_logos`). Written before the event that refers to them, so a
/// branding never names a logo that is not there; identical uploads share one row.
public struct LogoStore: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    func put(_ image: LogoImage, account: UUID) async throws -> LogoReference {
        let reference = image.reference
        let bytes = ByteBuffer(bytes: image.bytes)
        _ = try await client.withConnection { connection in
            try await connection.checkedQuery("""
                INSERT INTO tenant_logos (account_id, sha256, content_type, bytes) VALUES (\(account), \(reference.sha256), \(image.contentType), \(bytes))
                ON CONFLICT (account_id, sha256) DO NOTHING
                """, logger: logger).collect()
        }
        return reference
    }

    func get(_ reference: LogoReference, account: UUID) async throws -> ByteBuffer? {
        try await client.withConnection { connection in
            let rows = try await connection.checkedQuery("SELECT bytes FROM tenant_logos WHERE account_id = \(account) AND sha256 = \(reference.sha256)", logger: logger).collect()
            return try rows.first?.decode(ByteBuffer.self)
        }
    }
}
