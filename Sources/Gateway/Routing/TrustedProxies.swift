public import NIOCore

/// The proxies (load balancers) in front of the gateway whose `X-Forwarded-For` is believed. Behind one,
/// every client arrives from the proxy's address, and limits per address would become one limit for
/// everybody; believing the header from anyone else would let a client pick its own address. So the
/// client is the nearest address in the header that is not a trusted proxy, read from the right: the entries
/// a client wrote itself are all to the left of the one its first trusted proxy appended.
public struct TrustedProxies: Sendable, Equatable {
    /// An address block: `10.0.0.0/8`, `fd00::/8`, or one address.
    struct Block: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for (a, b) in zip(address, bytes) where remaining > 0 {
                let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
                guard a & mask == b & mask else { return false }
                remaining -= 8
            }
            return true
        }
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Nobody: the peer is the client.
    public static let none = TrustedProxies(blocks: [])

    let blocks: [Block]

    init(blocks: [Block]) {
        self.blocks = blocks
    }

    /// `list`: addresses and CIDR blocks, comma-separated (`10.0.0.0/8, 127.0.0.1, fd00::/8`).
    public init(_ list: String) throws(Invalid) {
        var blocks: [Block] = []
        for entry in list.split(separator: ",").map({ $0.trimmingSpaces }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1)
            guard let bytes = Self.addressBytes(String(parts[0])) else {
                throw Invalid(description: "\(entry) is not an IP address or a CIDR block")
            }
            let length = parts.count == 2 ? Int(parts[1]) : bytes.count * 8
            guard let length, (0...bytes.count * 8).contains(length) else {
                throw Invalid(description: "\(entry) has a prefix length outside 0-\(bytes.count * 8)")
            }
            blocks.append(Block(bytes: bytes, prefixLength: length))
        }
        self.blocks = blocks
    }

    public var isEmpty: Bool { blocks.isEmpty }

    /// The client's address: the peer's, unless the peer is a trusted proxy; then the right-most entry of
    /// `X-Forwarded-For` that is not one. An entry that is not an address stops the walk at the proxy
    /// that passed it on.
    public func client(peer: SocketAddress?, forwardedFor: String?) -> String {
        guard let peer, let peerText = peer.ipAddress else { return "unknown" }
        guard !blocks.isEmpty, let peerBytes = Self.addressBytes(peer), isTrusted(peerBytes), let forwardedFor else { return peerText }
        var nearest = peerText
        for entry in forwardedFor.split(separator: ",").reversed().map({ $0.trimmingSpaces }) {
            guard let bytes = Self.addressBytes(entry) else { return nearest }
            guard isTrusted(bytes) else { return entry }
            nearest = entry
        }
        return nearest
    }

    private func isTrusted(_ address: [UInt8]) -> Bool {
        blocks.contains { $0.contains(address) }
    }

    /// 4 bytes for IPv4 (and IPv4-mapped IPv6), 16 for IPv6; nil for anything else.
    static func addressBytes(_ text: String) -> [UInt8]? {
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        guard !bare.isEmpty, bare.utf8.count <= 45, let address = try? SocketAddress(ipAddress: bare, port: 0) else { return nil }
        return addressBytes(address)
    }

    /// The same, of a socket's address as it is (no text in between).
    static func addressBytes(_ address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4(let v4):
            return withUnsafeBytes(of: v4.address.sin_addr) { Array($0) }
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xFF && bytes[11] == 0xFF
            return mapped ? Array(bytes[12...]) : bytes
        default:
            return nil
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
