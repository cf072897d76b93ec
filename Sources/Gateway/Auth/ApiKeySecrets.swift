public import Foundation
import Core

/// API keys as integrations hold them: `ck_<key id, 32 hex>_<256 random bits, base64url>`. The id finds
/// the key; only the SHA-256 of the whole key is stored. The prefix tells them from access tokens (JWTs
/// never start with `ck_`) and makes leaked keys easy to scan for.
public enum ApiKeySecrets {
    static let prefix = "ck_"

    public static func make(id: UUID) -> String {
        var generator = SystemRandomNumberGenerator()
        let secret = Data((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }).base64URLEncoded
        return prefix + id.uuidString.lowercased().replacingOccurrences(of: "-", with: "") + "_" + secret
    }

    public static func isKey(_ credential: String) -> Bool { credential.hasPrefix(prefix) }

    /// The key id a credential names, if it is shaped like one of ours.
    public static func id(of key: String) -> UUID? {
        let parts = key.dropFirst(prefix.count).split(separator: "_", maxSplits: 1, omittingEmptySubsequences: false)
        guard isKey(key), key.utf8.count == 3 + 32 + 1 + 43, parts.count == 2, parts[0].count == 32 else { return nil }
        let hex = Array(parts[0])
        let dashed = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
        return UUID(hyphenated: dashed)
    }

    public static func hash(_ key: String) -> String { RefreshTokens.hash(key) }
}
