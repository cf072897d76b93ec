internal import Crypto

/// What a session keeps of a refresh token it rotated away from: 128 bits of the token's hash. The set of
/// them grows by one at every refresh (every 15 minutes of use, for up to 90 days) and every gateway holds
/// it in memory; as hex text each entry cost about 140 bytes there, as this 16. Within one family, 128
/// bits do not collide.
public struct UsedTokenDigest: Hashable, Sendable {
    private let high: UInt64
    private let low: UInt64

    /// `tokenHash` as the events carry it (the hex SHA-256 of the token; tests use any text).
    public init(_ tokenHash: String) {
        var text = tokenHash
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        (high, low) = digest.withUnsafeBytes { bytes in
            (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }
}
