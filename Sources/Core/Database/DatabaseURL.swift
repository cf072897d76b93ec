import Foundation
public import PostgresNIO
import NIOSSL

/// `postgres://user:password@host:port/database?sslmode=disable|require`, the one form Canopy takes.
public struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var requiresTLS: Bool

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty else {
            throw Invalid(description: "expected postgres://user[:password]@host[:port]/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.drop(while: { $0 == "/" })
        self.database = path.isEmpty ? username : String(path)
        let sslmode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        self.requiresTLS = ["require", "verify-ca", "verify-full"].contains(sslmode)
    }

    /// The same server, another database.
    public func database(_ name: String) -> DatabaseURL {
        var copy = self
        copy.database = name
        return copy
    }

    /// Never shows the password.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    public var urlString: String {
        var components = URLComponents()
        components.scheme = "postgres"
        components.host = host
        components.port = port
        components.user = username
        components.password = password
        components.path = "/\(database)"
        if requiresTLS { components.queryItems = [URLQueryItem(name: "sslmode", value: "require")] }
        return components.string ?? description
    }

    public func clientConfiguration(maxConnections: Int = 20) throws -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: try tls()
        )
        configuration.options.maximumConnections = maxConnections
        configuration.options.minimumConnections = 0
        return configuration
    }

    public func connectionConfiguration() throws -> PostgresConnection.Configuration {
        PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: try connectionTLS())
    }

    private func tls() throws -> PostgresClient.Configuration.TLS {
        requiresTLS ? .require(.makeClientConfiguration()) : .disable
    }

    private func connectionTLS() throws -> PostgresConnection.Configuration.TLS {
        requiresTLS ? .require(try NIOSSLContext(configuration: .makeClientConfiguration())) : .disable
    }
}
