import CanopyTesting
import Foundation
import Testing

/// The ports process tests give `canopy serve`: never one the kernel may hand to someone else meanwhile.
@Suite struct FreePortTests {
    @Test func portsAreBelowTheEphemeralRangeAndNeverHandedOutTwice() throws {
        let range = try String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
        let ephemeralStart = try #require(range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) })
        let ports = try (0..<200).map { _ in try TestServers.freePort() }
        #expect(ports.allSatisfy { $0 >= 20_000 && $0 < ephemeralStart })
        #expect(Set(ports).count == ports.count)
    }
}
