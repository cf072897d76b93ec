internal import Crypto
public import Foundation

extension UUID {
    /// A UUID that is a function of a name within a namespace (RFC 9562 version 8, SHA-256 based), for
    /// aggregates whose identity is a natural key: the same email always names the same user stream.
    public static func nameBased(_ name: String, namespace: String) -> UUID {
        var digest = Array(SHA256.hash(data: Data((namespace + "\u{0}" + name).utf8)).prefix(16))
        digest[6] = (digest[6] & 0x0F) | 0x80  // version 8
        digest[8] = (digest[8] & 0x3F) | 0x80  // RFC 9562 variant
        return UUID(uuid: (digest[0], digest[1], digest[2], digest[3], digest[4], digest[5], digest[6], digest[7],
                           digest[8], digest[9], digest[10], digest[11], digest[12], digest[13], digest[14], digest[15]))
    }
}
