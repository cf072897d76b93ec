public import Core
public import Foundation
public import Logging

/// The private servers `ops/test` started, named by environment variables.
public enum TestServers {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// A URL to any database of the test PostgreSQL server (`CANOPY_TEST_DATABASE_URL`).
    public static func database() throws -> DatabaseURL {
        try DatabaseURL(try variable("CANOPY_TEST_DATABASE_URL"))
    }

    /// The test RabbitMQ node (`CANOPY_TEST_AMQP_URL`).
    public static func amqp() throws -> AMQPEndpoint {
        try AMQPEndpoint(try amqpURL())
    }

    public static func amqpURL() throws -> String {
        try variable("CANOPY_TEST_AMQP_URL")
    }

    public static let logger: Logger = {
        var logger = Logger(label: "canopy-test")
        logger.logLevel = ProcessInfo.processInfo.environment["CANOPY_TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }()

    /// The repository's `schemas`, found from this file.
    public static var schemasDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("schemas")
    }

    public static var migrationsDirectory: URL { schemasDirectory.appendingPathComponent("sql") }

    private static func variable(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw Missing(description: "\(name) is not set: run the tests through ops/test, which starts the servers")
        }
        return value
    }
}
