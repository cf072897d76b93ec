import Core
import Crypto
public import Foundation

/// Opaque refresh tokens: the session id and 256 random bits, base64url. Only their SHA-256 is stored.
public enum RefreshTokens {
    public static func make(session: UUID) -> String {
        var bytes = withUnsafeBytes(of: session.uuid) { Array($0) }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<32 { bytes.append(UInt8.random(in: .min ... .max, using: &generator)) }
        return Data(bytes).base64URLEncoded
    }

    /// The session a token names, if it is shaped like one of ours.
    public static func session(of token: String) -> UUID? {
        guard token.utf8.count == 64, let data = Data(base64URLEncoded: token), data.count == 48 else { return nil }
        let b = Array(data.prefix(16))
        return UUID(uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
    }

    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).hexString
    }
}
