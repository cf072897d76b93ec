import ArgumentParser

@main
struct Canopy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Canopy: the core of a multi-tenant, white-label platform.",
        subcommands: [Serve.self, Dev.self, BootstrapCommand.self, Migrate.self, Rebuild.self, Stats.self, DeadLetterCommand.self, Bench.self]
    )
}
