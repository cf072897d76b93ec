import Foundation

/// `amqp[s]://user:password@host[:port]/vhost`; the vhost is percent-encoded (`%2f` is `/`).
public struct AMQPEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String
    public var virtualHost: String
    public var usesTLS: Bool

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme, ["amqp", "amqps"].contains(scheme),
              let host = components.host, !host.isEmpty else {
            throw Invalid(description: "expected amqp[s]://user:password@host[:port]/vhost")
        }
        self.usesTLS = scheme == "amqps"
        self.host = host
        self.port = components.port ?? (usesTLS ? 5671 : 5672)
        self.username = components.user?.removingPercentEncoding ?? "guest"
        self.password = components.password?.removingPercentEncoding ?? "guest"
        let path = String(components.percentEncodedPath.dropFirst())
        self.virtualHost = path.isEmpty ? "/" : (path.removingPercentEncoding ?? path)
    }

    /// Never shows the password.
    public var description: String { "\(usesTLS ? "amqps" : "amqp")://\(username)@\(host):\(port)/\(virtualHost)" }
}
