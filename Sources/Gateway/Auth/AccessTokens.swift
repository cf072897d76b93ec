public import Foundation
import Core
import Crypto
import JWTKit

/// Access tokens: JWTs of at most 15 minutes naming the user, the account it acts in and the tenant (the
/// domain) it was issued for. Signed with HMAC keys that each carry a key id, so keys rotate: the first key
/// signs, every key verifies.
public struct AccessTokens: Sendable {
    public struct SigningKey: Sendable {
        public var id: String
        public var secret: String

        public init(id: String, secret: String) {
            self.id = id
            self.secret = secret
        }
    }

    /// What a verified token says.
    public struct Claims: Sendable, Hashable {
        public var userID: UUID
        public var accountID: UUID
        public var tenantID: UUID
        public var sessionID: UUID?
        public var expiresAt: Date
        /// The super admin behind an impersonation token (RFC 8693 `act`).
        public var impersonatorID: UUID?

        public init(userID: UUID, accountID: UUID, tenantID: UUID, sessionID: UUID?, expiresAt: Date, impersonatorID: UUID?) {
            self.userID = userID
            self.accountID = accountID
            self.tenantID = tenantID
            self.sessionID = sessionID
            self.expiresAt = expiresAt
            self.impersonatorID = impersonatorID
        }
    }

    public static let lifetime: Duration = .seconds(15 * 60)

    private let keys: JWTKeyCollection
    private let signingKeyID: String
    /// The signing key's secret, also keying hashes of short codes (which a plain hash would not protect).
    private let signingSecret: SymmetricKey
    /// Tokens already verified, until they expire: parsing and checking a JWT was most of an authorized
    /// read's cost, and a client sends the same token for 15 minutes. Bounded; emptied when full.
    private let verified = VerifiedTokens(capacity: 50_000)

    /// `keys` first is the one that signs; at least one, each secret at least 32 bytes.
    public init(keys: [SigningKey]) async throws {
        guard let first = keys.first, keys.allSatisfy({ $0.secret.utf8.count >= 32 && !$0.id.isEmpty }) else {
            throw AccessTokenError.keysInvalid
        }
        let collection = JWTKeyCollection()
        for key in keys {
            await collection.add(hmac: HMACKey(from: key.secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: key.id))
        }
        self.keys = collection
        self.signingKeyID = first.id
        self.signingSecret = SymmetricKey(data: Data(first.secret.utf8))
    }

    /// HMAC-SHA-256 of `text` under the signing key, hex: for secrets too short to store as plain hashes
    /// (a 6-digit code has a million values).
    public func digest(_ text: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: signingSecret).hexString
    }

    /// Tokens signed with a random key that dies with this process (development, benchmarks).
    public static func ephemeral() async throws -> AccessTokens {
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<48).map { _ in UInt8.random(in: .min ... .max, using: &generator) }.hexString
        return try await AccessTokens(keys: [.init(id: "ephemeral", secret: secret)])
    }

    public func issue(_ claims: Claims, now: Date = Date()) async throws -> String {
        let payload = Payload(
            sub: SubjectClaim(value: claims.userID.lowercasedString), acct: claims.accountID.lowercasedString,
            tnt: claims.tenantID.lowercasedString, sid: claims.sessionID?.lowercasedString,
            iat: IssuedAtClaim(value: now), exp: ExpirationClaim(value: claims.expiresAt),
            act: claims.impersonatorID.map { Payload.Actor(sub: $0.lowercasedString) }
        )
        return try await keys.sign(payload, kid: JWKIdentifier(string: signingKeyID))
    }

    /// The claims of a token signed by one of our keys and not expired at `now`; nil otherwise.
    public func verify(_ token: String, now: Date = Date()) async -> Claims? {
        if let claims = verified.claims(for: token) { return now < claims.expiresAt ? claims : nil }
        guard let claims = await verifySignature(token, now: now) else { return nil }
        verified.insert(claims, for: token)
        return claims
    }

    private func verifySignature(_ token: String, now: Date) async -> Claims? {
        guard token.utf8.count <= 4_096, let payload = try? await keys.verify(token, as: Payload.self),
              now < payload.exp.value,
              let user = UUID(hyphenated: payload.sub.value), let account = UUID(hyphenated: payload.acct),
              let tenant = UUID(hyphenated: payload.tnt) else { return nil }
        let session = payload.sid.flatMap { UUID(hyphenated: $0) }
        let impersonator = payload.act.flatMap { UUID(hyphenated: $0.sub) }
        return Claims(userID: user, accountID: account, tenantID: tenant, sessionID: session, expiresAt: payload.exp.value, impersonatorID: impersonator)
    }

    struct Payload: JWTPayload {
        struct Actor: Codable, Sendable {
            var sub: String
        }

        var sub: SubjectClaim
        var acct: String
        var tnt: String
        var sid: String?
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        var act: Actor?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }
}

/// Verified tokens and their claims (only ever filled with tokens whose signature checked out).
final class VerifiedTokens: Sendable {
    // Every signed-in request reads it: readers share the lock (hashing a token is long for a lock that
    // excludes, and event loops queued on it).
    private let entries = ReadWriteLock<[String: AccessTokens.Claims]>([:])
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    func claims(for token: String) -> AccessTokens.Claims? { entries.read { $0[token] } }

    func insert(_ claims: AccessTokens.Claims, for token: String) {
        entries.write { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}

public enum AccessTokenError: Error {
    case keysInvalid
}
