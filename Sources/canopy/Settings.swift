import ArgumentParser
import Configuration
import Core
import Gateway
import Foundation
import Logging
import SystemPackage

/// Options every command that talks to the servers takes.
struct ServerOptions: ParsableArguments {
    @Option(help: "PostgreSQL URL, postgres://user:password@host:port/database (env CANOPY_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "RabbitMQ URL, amqp[s]://user:password@host:port/vhost (env CANOPY_AMQP_URL).")
    var amqpURL: String?

    @Option(help: "Prefix of the event exchange and the consumer queues (env CANOPY_AMQP_NAMESPACE; default canopy).")
    var amqpNamespace: String?

    @Option(help: "Address the HTTP server binds (env CANOPY_HTTP_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port the HTTP server listens on (env CANOPY_HTTP_PORT; default 8080).")
    var port: Int?

    @Option(help: "Port of the Prometheus metrics listener (env CANOPY_METRICS_PORT; default: none; its address: CANOPY_METRICS_HOST, else the HTTP host).")
    var metricsPort: Int?

    @Option(help: "trace, debug, info, notice, warning, error or critical (env CANOPY_LOG_LEVEL; default info).")
    var logLevel: String?

    @Option(help: "A JSON settings file, read after flags and environment (env CANOPY_CONFIG_FILE).")
    var configFile: String?
}

/// Canopy's settings from one place: flags, then `CANOPY_*` environment variables, then a JSON file.
/// Keys are dotted (`database.url`); in the environment they are `CANOPY_DATABASE_URL`, in the file
/// `{"database": {"url": …}}`.
struct Settings {
    var database: DatabaseURL
    var amqp: AMQPEndpoint
    var topology: EventTopology
    var httpHost: String
    var httpPort: Int
    /// Where `/metrics` is served; nil port: nowhere. The host defaults to `httpHost`; a private interface
    /// keeps the metrics off a public one.
    var metricsHost: String
    var metricsPort: Int?
    /// Load balancers whose `X-Forwarded-For` names the client; none by default.
    var trustedProxies: TrustedProxies
    var logLevel: Logger.Level
    /// `kid:secret` pairs, the first signs; nil: an ephemeral key for this process only.
    var jwtKeys: [(id: String, secret: String)]?
    var bcryptCost: Int
    var platform: Platform
    /// A Twilio-compatible Messages API for login codes; nil when `sms.base_url` is not set.
    var sms: SmsProvider.Configuration?

    /// The master account made by `canopy bootstrap` (and by `canopy dev` on an empty log).
    struct Platform {
        var name: String
        /// The platform tenant's domain; a developer's `127.0.0.1` is fine.
        var domain: String
        var adminEmail: String
        var adminPassword: String?
    }

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }

    static func resolve(
        _ options: ServerOptions, defaultLogLevel: Logger.Level = .info,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> Settings {
        var flags: [AbsoluteConfigKey: ConfigValue] = [:]
        if let value = options.databaseURL { flags["database.url"] = .init(.string(value), isSecret: true) }
        if let value = options.amqpURL { flags["amqp.url"] = .init(.string(value), isSecret: true) }
        if let value = options.amqpNamespace { flags["amqp.namespace"] = .init(.string(value), isSecret: false) }
        if let value = options.host { flags["http.host"] = .init(.string(value), isSecret: false) }
        if let value = options.port { flags["http.port"] = .init(.int(value), isSecret: false) }
        if let value = options.metricsPort { flags["metrics.port"] = .init(.int(value), isSecret: false) }
        if let value = options.logLevel { flags["log.level"] = .init(.string(value), isSecret: false) }

        let environment = EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: ["canopy"])
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "flags", values: flags), environment]
        let environmentReader = ConfigReader(provider: environment)
        if let path = options.configFile ?? environmentReader.string(forKey: "config.file") {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
        }
        let config = ConfigReader(providers: providers)

        guard let databaseText = config.string(forKey: "database.url", isSecret: true) else {
            throw Invalid(description: "no database: pass --database-url or set CANOPY_DATABASE_URL")
        }
        let levelText = config.string(forKey: "log.level", default: defaultLogLevel.rawValue)
        guard let level = Logger.Level(rawValue: levelText) else { throw Invalid(description: "unknown log level \(levelText)") }
        return Settings(
            database: try DatabaseURL(databaseText),
            amqp: try AMQPEndpoint(config.string(forKey: "amqp.url", isSecret: true, default: "amqp://guest:guest@127.0.0.1:5672/%2f")),
            topology: EventTopology(namespace: try namespace(config.string(forKey: "amqp.namespace", default: "canopy"))),
            httpHost: config.string(forKey: "http.host", default: "127.0.0.1"),
            httpPort: config.int(forKey: "http.port", default: 8080),
            metricsHost: config.string(forKey: "metrics.host") ?? config.string(forKey: "http.host", default: "127.0.0.1"),
            metricsPort: config.int(forKey: "metrics.port"),
            trustedProxies: try parseTrustedProxies(config.string(forKey: "http.trusted_proxies", default: "")),
            logLevel: level,
            jwtKeys: try config.string(forKey: "auth.jwt_keys", isSecret: true).map(parseJWTKeys),
            bcryptCost: config.int(forKey: "auth.bcrypt_cost", default: 12),
            platform: Platform(
                name: config.string(forKey: "platform.name", default: "crontech"),
                domain: config.string(forKey: "platform.domain", default: "127.0.0.1"),
                adminEmail: config.string(forKey: "platform.admin_email", default: "admin@canopy.test"),
                adminPassword: config.string(forKey: "platform.admin_password", isSecret: true)
            ),
            sms: try config.string(forKey: "sms.base_url").map { base in
                guard let sid = config.string(forKey: "sms.account_sid"), let token = config.string(forKey: "sms.auth_token", isSecret: true),
                      let from = config.string(forKey: "sms.from") else {
                    throw Settings.Invalid(description: "sms.base_url needs sms.account_sid, sms.auth_token and sms.from")
                }
                return SmsProvider.Configuration(baseURL: base, accountSID: sid, authToken: token, from: from)
            }
        )
    }
}

/// `kid:secret,kid:secret`.
private func parseJWTKeys(_ text: String) throws -> [(id: String, secret: String)] {
    let keys = text.split(separator: ",").map { pair -> (id: String, secret: String) in
        let parts = pair.split(separator: ":", maxSplits: 1)
        return (String(parts.first ?? ""), parts.count == 2 ? String(parts[1]) : "")
    }
    guard !keys.isEmpty, keys.allSatisfy({ !$0.id.isEmpty && $0.secret.utf8.count >= 32 }) else {
        throw Settings.Invalid(description: "auth.jwt_keys is kid:secret[,kid:secret...], each secret at least 32 bytes")
    }
    return keys
}

private func parseTrustedProxies(_ text: String) throws -> TrustedProxies {
    do { return try TrustedProxies(text) } catch { throw Settings.Invalid(description: "http.trusted_proxies: \(error)") }
}

private func namespace(_ text: String) throws -> String {
    let valid = !text.isEmpty && text.count <= 40 && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }
    guard valid else { throw Settings.Invalid(description: "amqp.namespace is 1-40 of a-z, 0-9, - and _") }
    return text
}

enum Logs {
    /// Once per process, before anything logs.
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in LineLogHandler(label: label, level: level) }
        return Logger(label: "canopy")
    }
}

/// What the terminal shows when a command fails: the cause in one line, never a secret.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    static func reporting<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw CommandFailure(description: describe(error)) }
    }

    /// A tool command's frame: settings resolved (quiet logs by default), logging bootstrapped, failures
    /// reported in one line.
    static func running<T>(_ options: ServerOptions, _ body: (Settings, Logger) async throws -> T) async throws -> T {
        try await reporting {
            let settings = try await Settings.resolve(options, defaultLogLevel: .warning)
            return try await body(settings, Logs.bootstrap(level: settings.logLevel))
        }
    }
}
