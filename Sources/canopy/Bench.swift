import ArgumentParser
import Foundation
import Core
import Logging
import Workers

/// `canopy bench NAME`: each benchmark runs Canopy beside a physical reference in one run and prints ratios.
/// `ops/bench NAME` starts private servers, builds in release mode and runs this.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks, each beside a physical reference.",
        subcommands: [AppendBench.self, RelayBench.self, EndToEndBench.self, RebuildBench.self, GatewayBench.self, CommandsBench.self, IdentityViewBench.self, AutomationsBench.self]
    )

    /// A benchmark's frame: a tool command's, with the metrics `serve` records bootstrapped first, so that
    /// what is measured pays for recording them as a server does (the appends' batches, each request).
    static func running<T>(_ options: ServerOptions, _ body: (Settings, Logger) async throws -> T) async throws -> T {
        _ = MetricsEndpoint.bootstrap()
        return try await CommandFailure.running(options, body)
    }

    /// Operations a second of a CPU-bound `pass` over `count` items, repeated for `duration`.
    static func rate(for duration: Duration, _ count: Int, _ pass: () throws -> Void) throws -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var passes = 0
        repeat {
            try pass()
            passes += 1
        } while clock.now - start < duration
        return Double(passes * count) / (clock.now - start).seconds
    }
}

struct AppendBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "The append path against pgbench inserting the same rows, at each concurrency."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "Seconds each side runs at each concurrency.")
    var seconds: Int = 10

    @Option(help: "Concurrent clients; repeat for several.")
    var concurrency: [Int] = [1, 64]

    @Option(help: "Append batches in flight at once (the event store's maxInFlightBatches).")
    var inFlight: Int = EventStore.Configuration().maxInFlightBatches

    @Option(help: "The pgbench binary.")
    var pgbench: String = "/usr/lib/postgresql/15/bin/pgbench"

    func run() async throws {
        try await Bench.running(options) { settings, logger in try await measure(settings, logger) }
    }

    private func measure(_ settings: Settings, _ logger: Logger) async throws {
        let benchmark = AppendBenchmark(server: settings.database, duration: .seconds(seconds), pgbench: pgbench, inFlight: inFlight, logger: logger)
        try await benchmark.prepare()
        for clients in concurrency {
            let reference = try await benchmark.pgbenchTPS(clients: clients)
            let canopy = try await benchmark.canopyEventsPerSecond(clients: clients)
            print("append c=\(clients): canopy \(Int(canopy)) ev/s, pgbench \(Int(reference)) tps, ratio \(String(format: "%.2f", canopy / reference))")
        }
    }
}

struct RelayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "The relay publishing a seeded log, against the same bridge publishing the same messages from memory."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "Events in the log.")
    var events: Int = 100_000

    @Option(help: "Messages per confirmed batch, on both sides.")
    var batchSize: Int = Relay.Configuration().batchSize

    func run() async throws {
        try await Bench.running(options) { settings, logger in
            let result = try await RelayBenchmark(server: settings.database, amqp: settings.amqp, events: events, batchSize: batchSize, logger: logger).run()
            print("relay: canopy \(Int(result.canopy)) ev/s, raw \(Int(result.raw)) msg/s, ratio \(String(format: "%.2f", result.canopy / result.raw))")
        }
    }
}

struct EndToEndBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "e2e",
        abstract: "Latency from a committed append to the event applied by a projection, at half the highest sustained rate."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "Seconds of each phase (finding the sustained rate, then measuring).")
    var seconds: Int = 10

    @Option(help: "Measure at this rate (events/s) instead of half the highest sustained one.")
    var rate: Double?

    func run() async throws {
        try await Bench.running(options) { settings, logger in
            let result = try await EndToEndBenchmark(server: settings.database, amqp: settings.amqp, duration: .seconds(seconds), fixedRate: rate, logger: logger).run()
            // Standard output carries only the result line.
            if rate == nil { FileHandle.standardError.write(Data("highest sustained rate: \(Int(result.sustained)) ev/s; measured at half\n".utf8)) }
            print("e2e: p50 \(String(format: "%.1f", result.p50.seconds * 1_000)) ms, p99 \(String(format: "%.1f", result.p99.seconds * 1_000)) ms at \(Int(result.rate)) ev/s")
        }
    }
}

struct RebuildBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuilding the event catalog from a seeded log, against PostgreSQL computing it in one GROUP BY."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "Events in the log.")
    var events: Int = 1_000_000

    func run() async throws {
        try await Bench.running(options) { settings, logger in
            let result = try await RebuildBenchmark(server: settings.database, events: events, logger: logger).run()
            print("rebuild: canopy \(Int(result.canopy)) ev/s over \(events) events, GROUP BY \(Int(result.sql)) ev/s, ratio \(String(format: "%.2f", result.canopy / result.sql))")
        }
    }
}

struct AutomationsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "automations",
        abstract: "Automations' pure parts: a JsonLogic condition against the same check written in Swift, and a daily schedule's next time against Foundation's calendar."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "Seconds each side of each runs.")
    var seconds: Int = 5

    func run() async throws {
        try await Bench.running(options) { _, _ in
            let conditions = try ConditionsBenchmark(duration: .seconds(seconds)).run()
            print("conditions: canopy \(Int(conditions.canopy)) evaluations/s (\(String(format: "%.2f", 1e6 / conditions.canopy)) µs each), hand-written \(Int(conditions.handWritten))/s, ratio \(String(format: "%.3f", conditions.canopy / conditions.handWritten)); \(conditions.satisfied) of \(conditions.evaluated) payloads pass")
            let schedules = try SchedulesBenchmark(duration: .seconds(seconds)).run()
            print("schedules: canopy \(Int(schedules.canopy)) next times/s (\(String(format: "%.2f", 1e6 / schedules.canopy)) µs each), Foundation's calendar \(Int(schedules.foundation))/s, ratio \(String(format: "%.2f", schedules.canopy / schedules.foundation)); \(schedules.instants) instants agree")
        }
    }
}

struct IdentityViewBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "A gateway's start: the identity view folding a log of sessions, against reading the same pages without folding."
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "Sessions in the log.")
    var sessions: Int = 20_000

    @Option(help: "Refreshes of each session (each rotates its token: one event).")
    var refreshes: Int = 24

    func run() async throws {
        try await Bench.running(options) { settings, logger in
            let result = try await IdentityViewBenchmark(server: settings.database, sessions: sessions, refreshes: refreshes, logger: logger).run()
            let fold = Double(result.events) / result.fold.seconds, read = Double(result.events) / result.read.seconds
            print("view: fold \(Int(fold)) ev/s over \(result.events) events (\(String(format: "%.1f", result.fold.seconds)) s, resident +\(result.resident / 1_048_576) MiB), read alone \(Int(read)) ev/s, ratio \(String(format: "%.2f", fold / read)); from a snapshot \(String(format: "%.1f", result.fromSnapshot.seconds)) s (\(result.snapshotBytes / 1_048_576) MiB)")
        }
    }
}

struct GatewayBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "An authorized read of a deep account through the gateway, against a bare hello route in the same server."
    )

    @OptionGroup var options: ServerOptions
    @OptionGroup var load: HTTPLoadOptions

    @Option(help: "Accounts in the tree.")
    var accounts: Int = 300

    func run() async throws {
        try await Bench.running(options) { settings, logger in
            let benchmark = load.benchmark(settings, logger: logger)
            let timings = TimingSamples()
            let (hello, canopy) = try await benchmark.withGateway(database: "canopy_bench_gateway", accounts: accounts, timings: timings) { port, seeded in
                let hello = try await benchmark.load(port: port, path: "/hello", token: nil)
                timings.reset()
                let canopy = try await benchmark.load(port: port, path: "/api/v1/accounts/\(seeded.deepAccount.lowercasedString)", token: seeded.token)
                return (hello, canopy)
            }
            guard canopy.failures == 0, hello.failures == 0 else {
                throw BenchmarkFailure(description: "non-2xx answers: canopy \(canopy.failures), hello \(hello.failures)")
            }
            let p99 = GatewayBenchmark.quantile(timings.samples, 0.99).seconds * 1_000
            print("gateway read: canopy \(Int(canopy.requestsPerSecond)) req/s, hello \(Int(hello.requestsPerSecond)) req/s, ratio \(String(format: "%.2f", canopy.requestsPerSecond / hello.requestsPerSecond)), authz p99 \(String(format: "%.3f", p99)) ms")
        }
    }
}

struct CommandsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commands",
        abstract: "Authorized writes (group renames over many accounts) through the gateway, against pgbench inserting an event row."
    )

    @OptionGroup var options: ServerOptions
    @OptionGroup var load: HTTPLoadOptions

    @Option(help: "Accounts whose groups are renamed.")
    var accounts: Int = 256

    @Option(help: "Append batches in flight at once (the event store's maxInFlightBatches).")
    var inFlight: Int = EventStore.Configuration().maxInFlightBatches

    @Option(help: "The pgbench binary.")
    var pgbench: String = "/usr/lib/postgresql/15/bin/pgbench"

    @Option(help: "Rounds of pgbench then canopy, each --seconds long; the ratio printed last is the rounds' median.")
    var rounds: Int = 3

    @Flag(help: "Each round, also drive two bare routes of the same server: a PATCH that only reads its body, and one that appends it as an event (what a command costs below the domain).")
    var floors = false

    func run() async throws {
        try await Bench.running(options) { settings, logger in
            let append = AppendBenchmark(server: settings.database, duration: .seconds(load.seconds), pgbench: pgbench,
                                         inFlight: inFlight, logger: logger)
            try await append.prepare()
            var store = EventStore.Configuration()
            store.maxInFlightBatches = inFlight
            let benchmark = load.benchmark(settings, logger: logger, store: store)
            // The two sides take turns, so that a slow spell of this (shared, noisy) machine weighs on both.
            let rounds = try await benchmark.withGateway(database: "canopy_bench_commands", accounts: accounts) { port, seeded in
                var rounds: [Round] = []
                for number in 1...max(1, self.rounds) {
                    let start = CPUUsage.now()
                    let reference = try await append.pgbenchTPS(clients: load.connections)
                    let middle = CPUUsage.now()
                    let round = Round(canopy: try await benchmark.load(port: port, path: "/", token: nil, script: Self.renames(seeded)), pgbench: reference)
                    let end = CPUUsage.now()
                    rounds.append(round)
                    if self.rounds > 1 { print("  round \(number): \(round.summary)") }
                    // Where each side's CPU went (start-up included), and how idle the machine stayed.
                    let seconds = Double(load.seconds)
                    if let start, let middle, let end {
                        print("    CPU, pgbench: \((middle - start).perOperation(reference * seconds, "a transaction", process: nil, client: "pgbench"))")
                        print("    CPU, canopy:  \((end - middle).perOperation(round.canopy.requestsPerSecond * seconds, "a command", process: "canopy", client: "wrk"))")
                    }
                    guard floors else { continue }
                    for path in GatewayBenchmark.floorPaths {
                        let before = CPUUsage.now()
                        let floor = try await benchmark.load(port: port, path: path, token: nil, script: Self.floorRequests(path))
                        let cpu = CPUUsage.now().flatMap { after in before.map { after - $0 } }
                        print("    floor \(path): \(Int(floor.requestsPerSecond)) req/s, ratio \(String(format: "%.2f", floor.requestsPerSecond / reference))"
                              + (floor.failures == 0 ? "" : " (\(floor.failures) refused)")
                              + (cpu.map { "; \($0.perOperation(floor.requestsPerSecond * seconds, "a request", process: "canopy", client: "wrk"))" } ?? ""))
                    }
                }
                return rounds
            }
            let median = rounds.sorted { $0.ratio < $1.ratio }[rounds.count / 2]
            let refused = rounds.map(\.canopy.failures).reduce(0, +)
            print("commands c=\(load.connections): \(median.summary)\(refused == 0 ? "" : " (\(refused) refused)")")
        }
    }

    /// One turn of each side.
    struct Round {
        var canopy: GatewayBenchmark.Load
        var pgbench: Double

        var ratio: Double { canopy.requestsPerSecond / pgbench }
        var summary: String {
            "canopy \(Int(canopy.requestsPerSecond)) cmd/s, pgbench \(Int(pgbench)) tps, ratio \(String(format: "%.2f", ratio))"
        }
    }

    /// A wrk script sending what a rename sends, to one of the bare floor routes.
    static func floorRequests(_ path: String) -> String {
        """
        local headers = { ["Content-Type"] = "application/json", ["Host"] = "\(GatewayBenchmark.domain)" }
        function request() return wrk.format("PATCH", "\(path)", headers, '{"name": "Group 1-1"}') end
        """
    }

    /// A wrk script renaming groups, each request a new name on the next account's group, so the writes
    /// spread over many streams as real traffic would.
    static func renames(_ seeded: GatewayBenchmark.Seeded) -> String {
        let targets = seeded.groups.map { #""/api/v1/accounts/\#($0.account.lowercasedString)/groups/\#($0.group.lowercasedString)""# }
        return """
            local targets = { \(targets.joined(separator: ", ")) }
            local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer \(seeded.token)", ["Host"] = "\(GatewayBenchmark.domain)" }
            local threads = 0
            function setup(thread) threads = threads + 1; thread:set("id", threads) end
            local counter = 0
            function request()
              counter = counter + 1
              local path = targets[(counter * 7 + id * 131) % #targets + 1]
              return wrk.format("PATCH", path, headers, '{"name": "Group ' .. id .. '-' .. counter .. '"}')
            end
            """
    }
}

/// What the HTTP benchmarks share: how long and how hard wrk drives the gateway.
struct HTTPLoadOptions: ParsableArguments {
    @Option(help: "Seconds each side runs.")
    var seconds: Int = 10

    @Option(help: "Concurrent connections (clients).")
    var connections: Int = 64

    @Option(help: "The wrk binary.")
    var wrk: String = "/usr/bin/wrk"

    func benchmark(_ settings: Settings, logger: Logger, store: EventStore.Configuration = .init()) -> GatewayBenchmark {
        GatewayBenchmark(server: settings.database, duration: .seconds(seconds), connections: connections, wrk: wrk, logger: logger, store: store)
    }
}
