import Foundation

extension TestServers {
    /// A loopback TCP port nobody listens on now, as the kernel hands out for port 0. A port picked at random
    /// from a fixed range can be one the kernel has just given another test's server.
    public static func freePort() throws -> Int {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Missing(description: "no socket for a free port (errno \(errno))") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw Missing(description: "could not bind a free port (errno \(errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
