import ArgumentParser
import Core

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply the SQL migrations the database lacks (safe to repeat).")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await CommandFailure.reporting { try await migrate() }
    }

    private func migrate() async throws {
        let settings = try await Settings.resolve(options)
        let logger = Logs.bootstrap(level: settings.logLevel)
        let migrator = try Migrator(directory: Migrator.locateDirectory())
        let applied = try await migrator.migrate(settings.database, logger: logger)
        print(applied.isEmpty
              ? "\(settings.database): up to date at migration \(migrator.latestVersion)"
              : "\(settings.database): applied \(applied.map { "\($0.version)_\($0.name)" }.joined(separator: ", "))")
    }
}
