import Foundation
import Synchronization

extension TestServers {
    /// A loopback TCP port nobody listens on now, for a server a test starts in another process.
    ///
    /// It comes from below the kernel's ephemeral range: a port the kernel hands out (for port 0, or as
    /// the local end of an outgoing connection) can be given again to another test's server or client
    /// between this check and the process's bind, and serve then exits on "address in use". Below that
    /// range only a bind that names the port can take it: the servers the harness started, which the
    /// check skips, and other calls of this function, which never hand out a port twice.
    public static func freePort() throws -> Int {
        let upper = ephemeralPortsStart
        for _ in 0..<500 {
            let port = Int.random(in: 20_000..<upper)
            guard handedOut.withLock({ $0.insert(port).inserted }) else { continue }
            if try canBind(port) { return port }
        }
        throw Missing(description: "no free port below \(upper)")
    }

    private static let handedOut = Mutex<Set<Int>>([])

    /// The first port of `net.ipv4.ip_local_port_range` (32768 unless the machine says otherwise).
    private static var ephemeralPortsStart: Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let start = range.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
        return max(start, 20_001)
    }

    private static func canBind(_ port: Int) throws -> Bool {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Missing(description: "no socket for a free port (errno \(errno))") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
