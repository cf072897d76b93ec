import ArgumentParser
import Core
import Foundation
import Gateway
import Logging
import PostgresNIO
import Projections

struct BootstrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bootstrap",
        abstract: "Create the master account, its platform tenant and the first super admin (once).",
        discussion: "Settings platform.name, platform.domain, platform.admin_email and platform.admin_password (CANOPY_PLATFORM_*)."
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await CommandFailure.running(options) { settings, logger in
            let migrator = try Migrator(directory: Migrator.locateDirectory())
            try await migrator.migrate(settings.database, logger: logger)
            try await BenchEnvironment.withStore(settings.database, logger: logger) { _, store in
                let view = IdentityView(store: store, logger: logger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await view.run() }
                    defer { group.cancelAll() }
                    let made = try await Platform.bootstrap(settings, view: view, store: store, logger: logger)
                    print(made.map { "master account \($0.lowercasedString) created" } ?? "already bootstrapped: nothing to do")
                }
            }
        }
    }
}

enum Platform {
    /// The master account, once: nil when the log has one already.
    static func bootstrap(_ settings: Settings, view: IdentityView, store: EventStore, logger: Logger) async throws -> UUID? {
        guard try await view.catchUp(timeout: .seconds(30)) else { throw Settings.Invalid(description: "the identity view did not catch up in 30 s") }
        if view.read({ !$0.directory.accounts.isEmpty }) { return nil }
        guard let password = settings.platform.adminPassword else {
            throw Settings.Invalid(description: "set platform.admin_password (CANOPY_PLATFORM_ADMIN_PASSWORD) for the first super admin")
        }
        try IdentityValidation.password(password, field: "platform.admin_password")
        let hash = try await PasswordHasher(cost: UInt8(clamping: settings.bcryptCost)).hash(password)
        let id = UUID.v7()
        let runner = CommandRunner(store: store, view: view, logger: logger)
        let platform = settings.platform
        do {
            _ = try await runner.run(EventMetadata(actor: "system:bootstrap")) {
                try AccountCommands.bootstrap($0, accountID: id, name: platform.name, platformDomain: platform.domain,
                                              owner: .init(email: platform.adminEmail, name: "Platform admin", passwordHash: hash))
            }
        } catch let error as APIError where error.code == IdentityError.Code.alreadyExists.rawValue {
            return nil  // another process bootstrapped the log meanwhile
        }
        logger.notice("bootstrapped", metadata: ["master": "\(id.lowercasedString)", "domain": "\(platform.domain)", "admin": "\(platform.adminEmail)"])
        return id
    }

    static func tokens(_ settings: Settings, logger: Logger) async throws -> AccessTokens {
        if let keys = settings.jwtKeys {
            return try await AccessTokens(keys: keys.map { .init(id: $0.id, secret: $0.secret) })
        }
        logger.warning("no auth.jwt_keys: signing with a key that dies with this process")
        return try await AccessTokens.ephemeral()
    }
}
