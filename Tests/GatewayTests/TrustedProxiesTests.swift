import Gateway
import NIOCore
import Testing

@Suite struct TrustedProxiesTests {
    static let proxies = try! TrustedProxies("10.0.0.0/8, 127.0.0.1 ,fd00::/8")

    static func peer(_ address: String) -> SocketAddress { try! SocketAddress(ipAddress: address, port: 40_123) }

    @Test func aPeerThatIsNoTrustedProxyIsTheClientWhateverItsHeaderSays() {
        #expect(Self.proxies.client(peer: Self.peer("198.51.100.9"), forwardedFor: "203.0.113.7") == "198.51.100.9")
        #expect(TrustedProxies.none.client(peer: Self.peer("127.0.0.1"), forwardedFor: "203.0.113.7") == "127.0.0.1")
        #expect(Self.proxies.client(peer: nil, forwardedFor: "203.0.113.7") == "unknown")
    }

    @Test func behindTrustedProxiesTheClientIsTheNearestUntrustedAddress() {
        let proxy = Self.peer("10.0.0.2")
        #expect(Self.proxies.client(peer: proxy, forwardedFor: "203.0.113.7") == "203.0.113.7")
        // What the client wrote itself sits left of what its first trusted proxy appended.
        #expect(Self.proxies.client(peer: proxy, forwardedFor: "1.1.1.1, 203.0.113.7, 10.9.8.7") == "203.0.113.7")
        #expect(Self.proxies.client(peer: proxy, forwardedFor: "10.1.1.1,10.9.8.7") == "10.1.1.1", "every hop trusted: the farthest")
        #expect(Self.proxies.client(peer: proxy, forwardedFor: "not-an-address, 10.9.8.7") == "10.9.8.7", "the walk stops at garbage")
        #expect(Self.proxies.client(peer: proxy, forwardedFor: nil) == "10.0.0.2")
        #expect(Self.proxies.client(peer: Self.peer("::ffff:127.0.0.1"), forwardedFor: "2001:db8::1") == "2001:db8::1", "an IPv4-mapped peer")
        #expect(Self.proxies.client(peer: Self.peer("fd12::1"), forwardedFor: "[2001:db8::2]") == "[2001:db8::2]")
        #expect(Self.proxies.client(peer: Self.peer("fe80::1"), forwardedFor: "2001:db8::2") == "fe80::1", "outside fd00::/8")
    }

    @Test func blocksMatchTheirPrefixOnly() throws {
        let block = try TrustedProxies("192.168.4.0/22")
        #expect(block.client(peer: Self.peer("192.168.7.255"), forwardedFor: "203.0.113.7") == "203.0.113.7")
        #expect(block.client(peer: Self.peer("192.168.8.0"), forwardedFor: "203.0.113.7") == "192.168.8.0")
        #expect(try TrustedProxies("0.0.0.0/0").client(peer: Self.peer("8.8.8.8"), forwardedFor: "203.0.113.7") == "203.0.113.7")
    }

    @Test func aListThatIsNotAddressesIsRefused() {
        for list in ["banana", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129", "10.0.0.1:80", "1.2.3"] {
            #expect(throws: TrustedProxies.Invalid.self, "\(list)") { try TrustedProxies(list) }
        }
        #expect(throws: Never.self) { try TrustedProxies("") }
        #expect((try? TrustedProxies(" , "))?.isEmpty == true)
    }
}
