import CRabbitMQ
import Foundation
import Glibc
public import Logging
import Synchronization

/// One AMQP connection, owned by an OS thread created for it and driven from async code.
///
/// rabbitmq-c blocks and is not thread-safe, so nothing of it ever runs on Swift's cooperative pool: async
/// callers hand commands to the thread (a wake pipe interrupts its wait), and the thread hands back results,
/// publisher confirms and deliveries. Between commands it waits on the socket, waking at least every
/// heartbeat/4 to send heartbeats and to notice a broker that stopped sending them.
///
/// When the connection fails, everything waiting on it gets an `AMQPError` and it stays failed: whoever
/// owns it reconnects (`AMQPConnection.withConnection` in a loop with `Backoff`), redeclares its topology
/// and publishes again what was never confirmed.
public final class AMQPConnection: Sendable {
    public struct Configuration: Sendable {
        public var heartbeat: Duration = .seconds(10)
        public var connectTimeout: Duration = .seconds(5)
        public init() {}
    }

    struct Command: Sendable {
        let run: @Sendable (AMQPConnectionLoop) throws(AMQPError) -> Void
        let fail: @Sendable (AMQPError) -> Void
    }

    private struct Mailbox {
        var commands: [Command] = []
        var closing = false
        var failure: AMQPError?
        var closedWaiters: [CheckedContinuation<Void, Never>] = []
        var finished = false
    }

    public let name: String
    let logger: Logger
    private let mailbox = Mutex(Mailbox())
    /// Written by callers to wake the thread; read (drained) by the thread.
    let wakeRead: Int32
    private let wakeWrite: Int32

    private init(name: String, logger: Logger) throws(AMQPError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw AMQPError(.resources, "pipe failed: errno \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        self.wakeRead = fds[0]
        self.wakeWrite = fds[1]
        self.name = name
        self.logger = logger
    }

    deinit {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }

    /// Connects and logs in on a new thread; the connection lives until `close()` or a failure.
    public static func connect(
        to endpoint: AMQPEndpoint, name: String, configuration: Configuration = .init(), logger: Logger
    ) async throws(AMQPError) -> AMQPConnection {
        let connection = try AMQPConnection(name: name, logger: logger)
        let result: Result<Void, AMQPError> = await withCheckedContinuation { continuation in
            let thread = Thread {
                let made = Result { () throws(AMQPError) -> AMQPWire in
                    try AMQPWire(
                        endpoint: endpoint, connectionName: name,
                        heartbeatSeconds: Int(configuration.heartbeat.components.seconds), timeout: configuration.connectTimeout
                    )
                }
                switch made {
                case .failure(let error):
                    connection.finished(failure: error)
                    continuation.resume(returning: .failure(error))
                case .success(let wire):
                    continuation.resume(returning: .success(()))
                    AMQPConnectionLoop(wire: wire, connection: connection).run()
                }
            }
            thread.name = "amqp-\(name)"
            thread.start()
        }
        try result.get()
        return connection
    }

    /// Lends a connection to `body` and closes it on every path; cancelling the task closes it at once, so
    /// whatever `body` waits for on it ends with an error.
    public static func withConnection<T>(
        to endpoint: AMQPEndpoint, name: String, configuration: Configuration = .init(), logger: Logger,
        _ body: (AMQPConnection) async throws -> T
    ) async throws -> T {
        let connection = try await connect(to: endpoint, name: name, configuration: configuration, logger: logger)
        do {
            let result = try await withTaskCancellationHandler {
                try await body(connection)
            } onCancel: {
                connection.startClosing()
            }
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Closes the connection (connection.close, then the socket); returns once its thread is done. What
    /// waits on it gets `AMQPError.Code.closed`.
    public func close() async {
        startClosing()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = mailbox.withLock { mailbox -> Bool in
                if mailbox.finished { return true }
                mailbox.closedWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    func startClosing() {
        mailbox.withLock { $0.closing = true }
        wake()
    }

    /// Nil while the connection works.
    public var failure: AMQPError? { mailbox.withLock { $0.failure } }

    // MARK: Commands

    /// Runs `body` on the connection's thread with the wire: for synchronous calls (declarations, basic.get)
    /// on a channel nothing else is using at the time.
    func withWire<T: Sendable>(_ body: @escaping @Sendable (AMQPWire) throws(AMQPError) -> T) async throws(AMQPError) -> T {
        // A failed call fails the connection: the broker has closed the channel (or all of it) by then.
        try await perform { loop, reply throws(AMQPError) in reply(.success(try body(loop.wire))) }
    }

    /// Sends a command to the thread; the command answers through `reply` (now or once frames arrive).
    func perform<T: Sendable>(
        _ body: @escaping @Sendable (AMQPConnectionLoop, @escaping @Sendable (Result<T, AMQPError>) -> Void) throws(AMQPError) -> Void
    ) async throws(AMQPError) -> T {
        let result: Result<T, AMQPError> = await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            enqueue(Command(
                run: { loop throws(AMQPError) in try body(loop) { once.resume($0) } },
                fail: { once.resume(.failure($0)) }
            ))
        }
        return try result.get()
    }

    /// Sends a command without waiting for it: if it fails, the connection fails, and whatever waits on the
    /// connection (a consumer's deliveries) learns it from there.
    func send(_ body: @escaping @Sendable (AMQPConnectionLoop) throws(AMQPError) -> Void) {
        enqueue(Command(run: body, fail: { _ in }))
    }

    private func enqueue(_ command: Command) {
        let refused = mailbox.withLock { mailbox -> AMQPError? in
            if let failure = mailbox.failure { return failure }
            if mailbox.closing || mailbox.finished { return AMQPError(.closed, "the connection \(name) is closed") }
            mailbox.commands.append(command)
            return nil
        }
        if let refused { command.fail(refused) } else { wake() }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)  // a full pipe already wakes the thread
    }

    // MARK: Used by the thread

    func takeCommands() -> (commands: [Command], closing: Bool) {
        mailbox.withLock { mailbox in
            defer { mailbox.commands.removeAll() }
            return (mailbox.commands, mailbox.closing)
        }
    }

    func drainWakes() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeRead, &buffer, buffer.count) > 0 {}
    }

    /// The thread is done: later commands fail at once, and those still queued fail now.
    func finished(failure: AMQPError) {
        let (commands, waiters) = mailbox.withLock { mailbox in
            mailbox.failure = mailbox.closing ? nil : failure
            mailbox.finished = true
            mailbox.closing = true
            defer {
                mailbox.commands.removeAll()
                mailbox.closedWaiters.removeAll()
            }
            return (mailbox.commands, mailbox.closedWaiters)
        }
        for command in commands { command.fail(failure) }
        for waiter in waiters { waiter.resume() }
    }
}

/// Resumes a continuation once, whichever of the thread's answer or its failure comes first.
final class ResumeOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Result<T, AMQPError>, Never>?>

    init(_ continuation: CheckedContinuation<Result<T, AMQPError>, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ result: Result<T, AMQPError>) {
        continuation.withLock { continuation in
            defer { continuation = nil }
            return continuation
        }?.resume(returning: result)
    }
}
