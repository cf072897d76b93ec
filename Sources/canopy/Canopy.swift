import ArgumentParser
import Core
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
        // their own). The takeover must come before any task is enqueued: this is the first thing the
        // process does. Every task of the command then prefers the loops as its task executor, which runs
        // nonisolated code without a second hop per await (see EventLoopTaskExecutor).
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await withTaskExecutorPreference(EventLoopTaskExecutor.shared) { await Canopy.main() }
    }
}
