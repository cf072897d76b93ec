import ArgumentParser
import NIOCore
import NIOPosix

/// `canopy serve`, `dev`, `migrate`, `rebuild`, `stats`, `dlq`, `bench`.
struct Canopy: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Canopy: the core of a multi-tenant, white-label platform.",
        subcommands: [Serve.self, Dev.self, BootstrapCommand.self, Migrate.self, Rebuild.self, Stats.self, DeadLetterCommand.self, Bench.self]
    )
}

@main
enum Entry {
    static func main() async {
        // Swift concurrency's jobs run on NIO's event loops, which Hummingbird and PostgresNIO use: a request
        // is read, decided, appended and answered without hopping between two thread pools. Nothing here
        // blocks a task (bcrypt runs on NIO's thread pool, the AMQP bridge and child reaping on threads of
        // their own). It must come before any task is enqueued: this is the first thing the process does.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await Canopy.main()
    }
}
