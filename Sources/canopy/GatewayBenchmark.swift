import Core
import Foundation
import Gateway
import Hummingbird
import Logging
import PostgresNIO
import Projections
import Synchronization

/// A real gateway (identity view, access check, idempotency store) on a loopback port over a fresh database
/// with an account tree, driven by wrk. Reads and writes are measured beside references in the same run:
/// a bare `hello` route in the same server for reads, pgbench for writes.
struct GatewayBenchmark {
    let server: DatabaseURL
    let duration: Duration
    let connections: Int
    let wrk: String
    let logger: Logger
    /// The gateway's event store (the commands benchmark varies its batches in flight).
    let store: EventStore.Configuration

    static let domain = "127.0.0.1"

    struct Seeded {
        var token: String
        /// A deep account, read through the access check.
        var deepAccount: UUID
        /// One (account, group) per account, for renames spread over many streams.
        var groups: [(account: UUID, group: UUID)]
    }

    struct Load {
        var requestsPerSecond: Double
        var failures: Int
    }

    /// Runs `body` with a gateway serving on a free loopback port over a seeded tree of `accounts` accounts.
    func withGateway<T: Sendable>(
        database name: String, accounts: Int, timings: TimingSamples? = nil,
        _ body: @Sendable (_ port: Int, _ seeded: Seeded) async throws -> T
    ) async throws -> T {
        let database = try await BenchEnvironment.freshDatabase(name, on: server, logger: logger)
        return try await BenchEnvironment.withStore(database, maxConnections: 32, configuration: store, logger: logger) { client, store in
            let view = IdentityView(store: store, logger: logger)
            let tokens = try await AccessTokens.ephemeral()
            let runner = CommandRunner(store: store, view: view, logger: logger)
            let identity = IdentityAPI(view: view, runner: runner, tokens: tokens, hasher: PasswordHasher(cost: 4),
                                       limits: RateLimits(client: client, logger: logger))
            var api = Gateway.API(view: view, tokens: tokens, identity: identity, idempotency: IdempotencyStore(client: client, logger: logger))
            if let timings { api.timeAuthorization = { duration in timings.record(duration) } }
            let router = Gateway.router(health: HealthRoutes(checks: [], readiness: Readiness()), api: api).router
            // The reference: a route with no tenant, token or access check, behind the same global middleware.
            router.get("hello") { _, _ in "hello" }
            try Self.addFloorRoutes(to: router, store: store)
            let port = Shared<Int?>(nil)
            var quiet = logger
            quiet.logLevel = .critical  // a cancelled server logs its shutdown as errors
            let application = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                          onServerRunning: { channel in port.update { $0 = channel.localAddress?.port } }, logger: quiet)
            return try await withThrowingTaskGroup(of: Void.self) { services in
                services.addTask { try await view.run() }
                services.addTask { try await application.runService() }
                defer { services.cancelAll() }
                let seeded = try await seed(accounts: accounts, view: view, runner: runner, tokens: tokens)
                while port.value == nil { try await Task.sleep(for: .milliseconds(20)) }
                return try await body(port.value!, seeded)
            }
        }
    }

    /// What a write costs below the domain (`canopy bench commands --floors`), behind the same global
    /// middleware as `hello`: `PATCH /floor/echo` reads the body and answers, with no tenant, token, access
    /// check or append; `PATCH /floor/append` also appends the body as one event, through the same event
    /// store as the commands, to one of 256 streams in turn.
    static let floorPaths = ["/floor/echo", "/floor/append"]

    private static func addFloorRoutes(to router: Router<CanopyContext>, store: EventStore) throws {
        router.patch("floor/echo") { request, _ in
            _ = try await request.body.collect(upTo: 4_096)
            return #"{"ok":true}"#
        }
        let account = UUID.v7()
        let streams = try (0..<256).map { _ in try StreamName(category: "floor", id: .v7()) }
        let appended = Atomic<Int>(0)
        router.patch("floor/append") { request, _ in
            let body = try await request.body.collect(upTo: 4_096)
            let stream = streams[appended.add(1, ordering: .relaxed).newValue % streams.count]
            let event = NewEvent(type: "floor.appended", data: String(buffer: body), metadata: .init(actor: "system:bench"))
            let result = try await store.append(AppendRequest(stream: stream, accountID: account, events: [event]))
            return #"{"position":\#(result.lastPosition)}"#
        }
    }

    /// A master account and `accounts` sub-accounts up to six deep, the super admin's session and token.
    private func seed(accounts: Int, view: IdentityView, runner: CommandRunner, tokens: AccessTokens) async throws -> Seeded {
        let system = EventMetadata(actor: "system:bench")
        let master = UUID.v7(), admin = IdentityState.userID(forEmail: "admin@bench.test")
        _ = try await runner.run(system) {
            try AccountCommands.bootstrap($0, accountID: master, name: "Bench", platformDomain: Self.domain,
                                          owner: .init(email: "admin@bench.test", name: "Admin", passwordHash: nil))
        }
        var all = [master], depth = [master: 0], roles = [master: Set(AccountRole.allCases)]
        for index in 0..<accounts {
            let parent = all[index / 3 % all.count]
            guard depth[parent]! < 6 else { continue }
            let id = UUID.v7(), given = Set(AccountRole.allCases.filter { roles[parent]!.contains($0.requiredOfParent) })
            _ = try await runner.run(system) {
                try AccountCommands.createSubAccount($0, parent: parent, accountID: id, name: "Account \(index)", roles: given,
                                                     tenantID: nil, owner: .init(email: "owner\(index)@bench.test", name: "Owner", passwordHash: nil))
            }
            all.append(id)
            depth[id] = depth[parent]! + 1
            roles[id] = given
        }
        let session = UUID.v7()
        _ = try await runner.run(system) {
            try SessionCommands.start($0, sessionID: session, user: admin, account: master, tenant: IdentityState.tenantID(forDomain: Self.domain),
                                      tokenHash: "bench", method: "password", now: Date(), lifetimes: .init())
        }
        let token = try await tokens.issue(.init(userID: admin, accountID: master, tenantID: IdentityState.tenantID(forDomain: Self.domain),
                                                 sessionID: session, expiresAt: Date().addingTimeInterval(3600), impersonatorID: nil))
        let deep = all.max { depth[$0]! < depth[$1]! }!
        let groups = view.read { state in all.dropFirst().map { ($0, state.groupsOfAccount[$0]!.first!) } }
        return Seeded(token: token, deepAccount: deep, groups: groups)
    }

    /// wrk against one URL (or a Lua script's requests), `connections` at once.
    func load(port: Int, path: String, token: String?, script: String? = nil) async throws -> Load {
        var arguments = ["-t", "2", "-c", "\(connections)", "-d", "\(duration.components.seconds)s"]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        let scriptFile = FileManager.default.temporaryDirectory.appendingPathComponent("canopy-bench-\(getpid())-\(UUID().uuidString).lua")
        if let script {
            try script.write(to: scriptFile, atomically: true, encoding: .utf8)
            arguments += ["-s", scriptFile.path]
        }
        defer { try? FileManager.default.removeItem(at: scriptFile) }
        let run = try await ChildProcess.run(wrk, arguments + ["http://127.0.0.1:\(port)\(path)"], environment: ProcessInfo.processInfo.environment,
                                             timeout: duration + .seconds(30))
        guard run.exitCode == 0, let line = run.output.split(separator: "\n").first(where: { $0.hasPrefix("Requests/sec:") }),
              let rate = Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces)) else {
            throw BenchmarkFailure(description: "wrk failed (exit \(run.exitCode)):\n\(run.output)")
        }
        let failures = run.output.split(separator: "\n").first { $0.contains("Non-2xx or 3xx responses:") }
            .flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) } ?? 0
        return Load(requestsPerSecond: rate, failures: failures)
    }

    /// The p-quantile of `samples`.
    static func quantile(_ samples: [Duration], _ p: Double) -> Duration {
        guard !samples.isEmpty else { return .zero }
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }
}

/// A value tasks share: the server's port once bound.
final class Shared<Value: Sendable>: Sendable {
    private let storage: Mutex<Value>

    init(_ value: Value) { storage = Mutex(value) }

    var value: Value { storage.withLock { $0 } }

    func update(_ body: (inout Value) -> Void) { storage.withLock { body(&$0) } }
}

/// The access check's time on every request of a run. Each request claims a slot with an atomic counter
/// and writes it: under a lock, the event loops queued on the benchmark's own bookkeeping (a sixth of the
/// server's time with eight loops on two cores). Samples past the capacity are not kept.
final class TimingSamples: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Int64>
    private let claimed = Atomic<Int>(0)

    /// 4M slots of 8 bytes: over a minute at 60k requests a second. Pages are touched only as slots fill.
    init(capacity: Int = 1 << 22) { slots = .allocate(capacity: capacity) }

    deinit { slots.deallocate() }

    func record(_ duration: Duration) {
        let slot = claimed.wrappingAdd(1, ordering: .relaxed).oldValue
        if slot < slots.count { slots[slot] = duration.nanoseconds }
    }

    /// Forgets what was recorded; only while nothing records.
    func reset() { claimed.store(0, ordering: .sequentiallyConsistent) }

    /// What was recorded; only once nothing records any more.
    var samples: [Duration] {
        slots.prefix(min(claimed.load(ordering: .sequentiallyConsistent), slots.count)).map { .nanoseconds($0) }
    }
}
