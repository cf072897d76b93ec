import ArgumentParser
@testable import canopy
import Gateway
import Foundation
import Testing

@Suite struct SettingsTests {
    func options(_ arguments: [String]) throws -> ServerOptions { try ServerOptions.parse(arguments) }

    /// A settings file holding `json` while `body` runs, removed after.
    func withFile(_ json: String, _ body: (_ path: String) async throws -> Void) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("canopy-settings-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        try await body(url.path)
    }

    @Test func flagsBeatTheEnvironmentWhichBeatsTheFile() async throws {
        try await withFile(#"{"database": {"url": "postgres://file@127.0.0.1/f"}, "http": {"port": 7003, "host": "127.0.0.3"}, "log": {"level": "error"}}"#) { path in
            let environment = ["CANOPY_DATABASE_URL": "postgres://env@127.0.0.1/e", "CANOPY_HTTP_PORT": "7002", "CANOPY_CONFIG_FILE": path]

            let fromFlag = try await Settings.resolve(options(["--database-url", "postgres://flag@127.0.0.1/x", "--port", "7001"]), environment: environment)
            #expect(fromFlag.database.username == "flag" && fromFlag.httpPort == 7001)
            #expect(fromFlag.httpHost == "127.0.0.3" && fromFlag.logLevel == .error)

            let fromEnvironment = try await Settings.resolve(options([]), environment: environment)
            #expect(fromEnvironment.database.username == "env" && fromEnvironment.httpPort == 7002)

            let fromFile = try await Settings.resolve(options(["--config-file", path]), environment: [:])
            #expect(fromFile.database.username == "file" && fromFile.httpPort == 7003)
        }
    }

    @Test func defaultsApplyWhenNothingIsSaid() async throws {
        let settings = try await Settings.resolve(options(["--database-url", "postgres://u@127.0.0.1/d"]), environment: [:])
        #expect(settings.httpHost == "127.0.0.1" && settings.httpPort == 8080 && settings.logLevel == .info)
        #expect(settings.amqp.host == "127.0.0.1" && settings.amqp.port == 5672 && settings.amqp.virtualHost == "/")
        #expect(settings.trustedProxies.isEmpty && settings.metricsPort == nil && settings.metricsHost == "127.0.0.1")
        let behindProxies = try await Settings.resolve(options(["--database-url", "postgres://u@127.0.0.1/d"]),
                                                       environment: ["CANOPY_HTTP_TRUSTED_PROXIES": "10.0.0.0/8,fd00::/8", "CANOPY_HTTP_HOST": "0.0.0.0",
                                                                     "CANOPY_METRICS_HOST": "10.1.2.3", "CANOPY_METRICS_PORT": "9464"])
        #expect(behindProxies.trustedProxies == (try TrustedProxies("10.0.0.0/8, fd00::/8")))
        #expect(behindProxies.metricsHost == "10.1.2.3" && behindProxies.metricsPort == 9464 && behindProxies.httpHost == "0.0.0.0")
    }

    @Test func missingOrMalformedSettingsAreClearErrors() async throws {
        await #expect(throws: Settings.Invalid.self) { try await Settings.resolve(options([]), environment: [:]) }
        await #expect(throws: Settings.Invalid.self) {
            try await Settings.resolve(options(["--database-url", "postgres://u@h/d", "--log-level", "loud"]), environment: [:])
        }
        await #expect(throws: (any Error).self) { try await Settings.resolve(options(["--database-url", "mysql://u@h/d"]), environment: [:]) }
        await #expect(throws: Settings.Invalid.self) {
            try await Settings.resolve(options(["--database-url", "postgres://u@h/d"]), environment: ["CANOPY_HTTP_TRUSTED_PROXIES": "10.0.0.0/40"])
        }
        await #expect(throws: (any Error).self) {
            try await Settings.resolve(options(["--database-url", "postgres://u@h/d", "--config-file", "/nonexistent/canopy.json"]), environment: [:])
        }
    }
}
