internal import Crypto
import Foundation

/// What a session keeps of a refresh token it rotated away from: 128 bits of the token's hash. The set of
/// them grows by one at every refresh (every 15 minutes of use, for up to 90 days) and every gateway holds
/// it in memory; as hex text each entry cost about 140 bytes there, as this 16. Within one family, 128
/// bits do not collide.
public struct UsedTokenDigest: Hashable, Sendable {
    fileprivate let high: UInt64
    fileprivate let low: UInt64

    fileprivate init(high: UInt64, low: UInt64) {
        (self.high, self.low) = (high, low)
    }

    /// `tokenHash` as the events carry it (the hex SHA-256 of the token; tests use any text).
    public init(_ tokenHash: String) {
        var text = tokenHash
        let digest = text.withUTF8 { SHA256.hash(data: UnsafeRawBufferPointer($0)) }
        (high, low) = digest.withUnsafeBytes { bytes in
            (bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self), bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        }
    }
}

/// A session's used digests. Stored (in a snapshot of the view) as one base64 text of 16 bytes a digest:
/// as JSON objects, hundreds of thousands of them made most of a snapshot's size and of its reading.
public struct UsedTokenDigests: Hashable, Sendable, Codable, ExpressibleByArrayLiteral {
    private var digests: Set<UsedTokenDigest>

    public init(arrayLiteral digests: UsedTokenDigest...) { self.digests = Set(digests) }

    public var count: Int { digests.count }
    public func contains(_ digest: UsedTokenDigest) -> Bool { digests.contains(digest) }
    mutating func insert(_ digest: UsedTokenDigest) { digests.insert(digest) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let bytes = Data(base64Encoded: try container.decode(String.self)), bytes.count % 16 == 0 else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not base64 of 16-byte digests")
        }
        var digests = Set<UsedTokenDigest>(minimumCapacity: bytes.count / 16)
        bytes.withUnsafeBytes { raw in
            for offset in stride(from: 0, to: raw.count, by: 16) {
                digests.insert(UsedTokenDigest(high: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self),
                                               low: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)))
            }
        }
        self.digests = digests
    }

    public func encode(to encoder: any Encoder) throws {
        var bytes = Data(capacity: digests.count * 16)
        for digest in digests {
            withUnsafeBytes(of: digest.high) { bytes.append(contentsOf: $0) }
            withUnsafeBytes(of: digest.low) { bytes.append(contentsOf: $0) }
        }
        var container = encoder.singleValueContainer()
        try container.encode(bytes.base64EncodedString())
    }
}
